// Handlers are written once as setup / handle / finish — socketserver.BaseRequestHandler's
// phases — and the concurrency model decides where they run.

export interface HandlerContext {
  /** Queue bytes to the peer (like `sendall`). */
  send(data: Uint8Array | string): void;
  /** End the connection after what was sent has been flushed. */
  close(): void;
}

export interface HandlerSession {
  setup?(): void;
  /** One `recv` worth of bytes; the chunking is the network's, as with Python's `recv(1024)`. */
  handle(data: Buffer): void;
  finish?(): void;
}

export interface HandlerSpec {
  readonly name: HandlerName;
  readonly label: string;
  readonly description: string;
  create(ctx: HandlerContext): HandlerSession;
}

export const HANDLER_NAMES = ['echo', 'upper'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export function isHandlerName(value: unknown): value is HandlerName {
  return typeof value === 'string' && (HANDLER_NAMES as readonly string[]).includes(value);
}

/** ASCII-only upper case, like Python's `bytes.upper()`: other bytes pass through untouched. */
export function upperAscii(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    out[i] = b >= 0x61 && b <= 0x7a ? b - 0x20 : b;
  }
  return out;
}

export const HANDLERS: Readonly<Record<HandlerName, HandlerSpec>> = {
  echo: {
    name: 'echo',
    label: 'echo',
    description: 'Sends every byte back unchanged.',
    create: (ctx) => ({ handle: (data) => ctx.send(data) }),
  },
  upper: {
    name: 'upper',
    label: 'upper',
    description: 'Replies in upper case, as the classic socketserver tutorial does.',
    create: (ctx) => ({ handle: (data) => ctx.send(upperAscii(data)) }),
  },
};
