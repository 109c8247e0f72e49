// Handlers are written once as setup / handle / finish — socketserver.BaseRequestHandler's
// phases — and the concurrency model decides where they run: on the event loop, in a worker
// thread (whose `recv` blocks), or in a child process. So this module must stay pure: it is
// bundled into the extension, the CLI, and the thread and process entries.
import { StringDecoder } from 'node:string_decoder';

export interface HandlerContext {
  /** Queue bytes to the peer (like `sendall`). */
  send(data: Uint8Array | string): void;
  /** End the connection after what was sent has been flushed. */
  close(): void;
  /** True for UDP: every datagram is its own request (no connection to greet or close). */
  readonly datagram: boolean;
}

export interface HandlerSession {
  setup?(): void;
  /** One `recv` worth of bytes (at most the server's recv size), as with Python's `recv(1024)`. */
  handle(data: Buffer): void;
  finish?(): void;
}

export interface HandlerSpec {
  readonly name: HandlerName;
  readonly label: string;
  readonly description: string;
  /** `crash-on` takes the word that makes it throw. */
  readonly takesArgument?: string;
  create(ctx: HandlerContext, arg: string | undefined): HandlerSession;
}

export const HANDLER_NAMES = ['echo', 'upper', 'welcome', 'menu', 'discard', 'crash-on'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export function isHandlerName(value: unknown): value is HandlerName {
  return typeof value === 'string' && (HANDLER_NAMES as readonly string[]).includes(value);
}

export const DEFAULT_CRASH_WORD = 'crash';

/** `crash-on:boom` → { name: 'crash-on', arg: 'boom' }; undefined when the name is unknown. */
export function parseHandler(text: string): { name: HandlerName; arg?: string } | undefined {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  if (!isHandlerName(name)) return undefined;
  if (name !== 'crash-on') return colon < 0 ? { name } : undefined;
  const arg = colon < 0 ? DEFAULT_CRASH_WORD : text.slice(colon + 1);
  return arg.trim() ? { name, arg: arg.trim() } : undefined;
}

export function formatHandler(name: HandlerName, arg?: string): string {
  return name === 'crash-on' ? `crash-on ${JSON.stringify(arg ?? DEFAULT_CRASH_WORD)}` : name;
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

// The phone-menu server of the classic Chinese socketserver tutorials, word for word.
export const MENU_GREETING = '欢迎致电10086,请输入1xxx,0转人工服务.';
export const MENU_OPERATOR = '通过可能会被录音.balabala一大推';
export const MENU_RETRY = '请重新输入.';

export const WELCOME_TEXT = 'Thank you for connecting\n';

/** Raised by `crash-on`: what a buggy handler looks like to socketserver's handle_error. */
export class HandlerCrash extends Error {
  override name = 'HandlerCrash';
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
  welcome: {
    name: 'welcome',
    label: 'welcome',
    description: "Sends a greeting and closes, like the tutorial's first server (c.send(...); c.close()).",
    // The greeting in the display language when the server chose one (see Server), else English.
    create: (ctx, greeting = WELCOME_TEXT) =>
      ctx.datagram
        ? { handle: () => ctx.send(greeting) }
        : {
            setup() {
              ctx.send(greeting);
              ctx.close();
            },
            handle() {},
          },
  },
  menu: {
    name: 'menu',
    label: 'menu (10086)',
    description: "The tutorials' phone menu in UTF-8: 0 for an operator, exit to hang up, anything else: try again.",
    create(ctx) {
      // A multi-byte character split across two reads is held back, not garbled.
      const decoder = new StringDecoder('utf8');
      const answer = (command: string): boolean => {
        if (command === 'exit') {
          ctx.close();
          return false;
        }
        ctx.send(command === '0' ? MENU_OPERATOR : MENU_RETRY);
        return true;
      };
      return {
        setup() {
          if (!ctx.datagram) ctx.send(MENU_GREETING);
        },
        handle(data) {
          const text = decoder.write(data);
          if (text === '') return;
          // Tutorial clients send bare words; nc and telnet send lines. Both work.
          for (const command of text.split(/\r?\n/)) {
            const c = command.trim();
            if (c !== '' && !answer(c)) return;
          }
        },
      };
    },
  },
  discard: {
    name: 'discard',
    label: 'discard',
    description: 'Reads and drops everything (RFC 863), never replies.',
    create: () => ({ handle() {} }),
  },
  'crash-on': {
    name: 'crash-on',
    label: 'crash-on <word>',
    description: 'Echoes, but throws when it receives the word: the exception lab (handle_error).',
    takesArgument: 'The handler raises an exception when it receives this word',
    create(ctx, arg) {
      const word = Buffer.from(arg ?? DEFAULT_CRASH_WORD);
      return {
        handle(data) {
          if (data.includes(word)) throw new HandlerCrash(`received ${JSON.stringify(word.toString())}`);
          ctx.send(data);
        },
      };
    },
  },
};
