// What a server is: transport × concurrency model × handler × options. One definition and one
// validation for the CLI, the extension's quick pick, its settings and the tests.
import os from 'node:os';
import path from 'node:path';
import { validateHost, validatePort } from '../address';
import { HANDLERS, type HandlerName } from './handlers';

import { MODELS, TRANSPORTS, type ConcurrencyModel, type Transport } from '../../protocol/views';

export { MODELS, TRANSPORTS, type ConcurrencyModel, type Transport };

export const isTransport = (v: unknown): v is Transport => typeof v === 'string' && (TRANSPORTS as readonly string[]).includes(v);
export const isModel = (v: unknown): v is ConcurrencyModel => typeof v === 'string' && (MODELS as readonly string[]).includes(v);

export interface ModelInfo {
  /** The Python server it behaves like. */
  readonly like: string;
  readonly description: string;
}

/** Each model as it serves connections (TCP, Unix stream sockets) and as it serves datagrams (UDP). */
export const MODEL_INFO: Readonly<Record<ConcurrencyModel, { readonly stream: ModelInfo; readonly datagram: ModelInfo }>> = {
  iterative: {
    stream: { like: 'socketserver.TCPServer', description: 'One connection at a time; the others wait their turn.' },
    datagram: { like: 'socketserver.UDPServer', description: 'One datagram at a time, in arrival order: the next waits in the socket until this one is answered.' },
  },
  'event-loop': {
    stream: { like: 'select / selectors', description: 'One thread serves every socket as it becomes readable.' },
    datagram: { like: 'select / selectors', description: 'One thread answers each datagram when the socket is readable; with one socket, the same order as iterative.' },
  },
  'thread-per-connection': {
    stream: { like: 'ThreadingTCPServer', description: 'A real worker thread per connection; recv blocks the thread.' },
    datagram: { like: 'ThreadingUDPServer', description: 'Each datagram is handed to a real worker thread (up to max threads; the rest queue).' },
  },
  'process-per-connection': {
    stream: { like: 'ForkingTCPServer', description: 'A real child process per connection, handed the socket.' },
    datagram: { like: 'ForkingUDPServer', description: 'Each datagram is handed to a real child process (up to max children; the rest queue).' },
  },
  'thread-pool': {
    stream: { like: 'ThreadPoolExecutor server', description: 'A fixed set of threads; extra connections queue.' },
    datagram: { like: 'ThreadPoolExecutor server', description: 'A fixed set of threads takes the datagrams in turn; the rest queue.' },
  },
};

/** How a model serves this transport: datagrams for UDP, connections otherwise. */
export function modelInfo(model: ConcurrencyModel, transport: Transport): ModelInfo {
  return MODEL_INFO[model][transport === 'udp' ? 'datagram' : 'stream'];
}

/** Unix datagram sockets have no Node API; the quick pick shows the choice disabled with this. */
export const UNIX_DATAGRAM_UNAVAILABLE = 'Unix datagram sockets (AF_UNIX, SOCK_DGRAM) have no Node.js API; Socket Lab would need a native add-on, which it does not ship.';

export interface ServerOptions {
  readonly transport: Transport;
  readonly model: ConcurrencyModel;
  readonly handler: HandlerName;
  /** crash-on's word. */
  readonly handlerArg?: string;
  readonly host: string;
  /** 0 = any free port (TCP, UDP). */
  readonly port: number;
  /** Unix stream sockets: the socket file; default a short path in the temp dir. */
  readonly path?: string;
  /** listen(backlog); Node's default is 511, socketserver's request_queue_size is 5. */
  readonly backlog?: number;
  /** Bytes per recv, as in `conn.recv(1024)`. */
  readonly recvSize?: number;
  /** Connections over this are refused with a reason (0 = no limit). */
  readonly maxConnections?: number;
  /** Close connections idle this long (0 = never, the default). */
  readonly idleTimeoutMs?: number;
  /** thread-per-connection: at most this many threads; more connections wait for one. */
  readonly maxThreads?: number;
  /** thread-pool: the number of threads. */
  readonly poolSize?: number;
  /** process-per-connection: at most this many children (Python's max_children is 40). */
  readonly maxChildren?: number;
  /** Threads or children started ahead of time, so a new connection does not wait for one. */
  readonly spares?: number;
}

export interface ResolvedServerOptions extends Required<Omit<ServerOptions, 'handlerArg' | 'path'>> {
  readonly handlerArg: string | undefined;
  readonly path: string | undefined;
}

export const DEFAULTS = {
  backlog: 511,
  recvSize: 1024,
  maxConnections: 0,
  idleTimeoutMs: 0,
  maxThreads: 100,
  poolSize: 4,
  maxChildren: 40,
  spares: 2,
} as const;

let unixCounter = 0;

/** Short on purpose: sun_path holds 108 bytes, and some temp dirs are long. */
export function defaultUnixPath(): string {
  const dir = os.tmpdir().length < 60 ? os.tmpdir() : '/tmp';
  return path.join(dir, `socketlab-${process.pid}-${++unixCounter}.sock`);
}

const MAX_SUN_PATH = 107;

/** Fills defaults and checks ranges; returns an error message for the user when something is off. */
export function resolveServerOptions(o: ServerOptions): ResolvedServerOptions | string {
  const hostError = validateHost(o.host);
  if (hostError) return hostError;
  const portError = validatePort(String(o.port));
  if (portError) return portError;
  if (o.handler === 'crash-on' && !(o.handlerArg ?? 'crash').trim()) return 'crash-on needs a word to crash on.';
  if (!HANDLERS[o.handler]) return `Unknown handler ${String(o.handler)}.`;
  const r: ResolvedServerOptions = {
    transport: o.transport,
    model: o.model,
    handler: o.handler,
    handlerArg: o.handler === 'crash-on' ? (o.handlerArg ?? 'crash').trim() : undefined,
    host: o.host.trim(),
    port: o.port,
    path: o.transport === 'unix' ? (o.path ?? defaultUnixPath()) : undefined,
    backlog: o.backlog ?? DEFAULTS.backlog,
    recvSize: o.recvSize ?? DEFAULTS.recvSize,
    maxConnections: o.maxConnections ?? DEFAULTS.maxConnections,
    idleTimeoutMs: o.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    maxThreads: o.maxThreads ?? DEFAULTS.maxThreads,
    poolSize: o.poolSize ?? DEFAULTS.poolSize,
    maxChildren: o.maxChildren ?? DEFAULTS.maxChildren,
    spares: o.spares ?? DEFAULTS.spares,
  };
  const checks: [string, number, number, number][] = [
    ['backlog', r.backlog, 0, 65535],
    ['recv size', r.recvSize, 1, 16 * 1024 * 1024],
    ['max connections', r.maxConnections, 0, 1_000_000],
    ['idle timeout (ms)', r.idleTimeoutMs, 0, 24 * 3600 * 1000],
    ['max threads', r.maxThreads, 1, 400],
    ['pool size', r.poolSize, 1, 400],
    ['max children', r.maxChildren, 1, 256],
    ['spares', r.spares, 0, 32],
  ];
  for (const [name, v, min, max] of checks) {
    if (!Number.isInteger(v) || v < min || v > max) return `${name} must be a whole number from ${min} to ${max}; got ${v}.`;
  }
  if (r.path !== undefined) {
    if (!path.isAbsolute(r.path)) return `The Unix socket path must be absolute; got ${r.path}.`;
    if (Buffer.byteLength(r.path) > MAX_SUN_PATH) return `The Unix socket path is ${Buffer.byteLength(r.path)} bytes; the limit is ${MAX_SUN_PATH} (sun_path).`;
  }
  return r;
}
