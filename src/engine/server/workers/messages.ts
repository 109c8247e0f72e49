// Messages between a server and the threads or child processes that serve its connections.
// `seq` names the job: a message for a job that already ended is dropped, never misapplied.
import type { ErrorInfo, HandlerPhase } from '../../../protocol/views';
import type { HandlerName } from '../handlers';

export interface HandlerJob {
  readonly seq: number;
  readonly handler: HandlerName;
  readonly arg: string | undefined;
  readonly recvSize: number;
}

/** To a worker: serve a stream connection (threads get its bytes through the channel; processes get the socket). */
export interface StreamJob extends HandlerJob {
  readonly t: 'stream';
  readonly idleTimeoutMs: number;
}

/** To a worker: one UDP datagram, a whole request (socketserver's DatagramRequestHandler). */
export interface DatagramJob extends HandlerJob {
  readonly t: 'dgram';
  readonly b: Uint8Array;
}

export type ToWorker =
  | StreamJob
  | DatagramJob
  /** Processes: close the connection now (user action, server stopping). */
  | { readonly t: 'close'; readonly seq: number; readonly reason: string }
  /**
   * Prefork processes: listen on the shared socket sent with this message, accept one
   * connection, stop listening, serve it as `job`.
   */
  | { readonly t: 'listen'; readonly job: StreamJob; readonly backlog: number }
  | { readonly t: 'exit' };

/** Counters a child process keeps for the connection it owns (the parent never sees its bytes). */
export interface ConnStats {
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly reads: number;
  readonly readsLast: number;
  readonly readsMax: number;
  readonly phase: HandlerPhase;
  readonly backpressure: boolean;
  /** The child's ThreadState: blocked in recv, running, sending. */
  readonly state: number;
  readonly lastReceived: Uint8Array | null;
  /** Response times (µs, read → next write) since the previous batch; at most MAX_BATCH_LATENCIES. */
  readonly latenciesUs: readonly number[];
}

export const MAX_BATCH_LATENCIES = 512;

/** Both ends of an accepted socket, as the child that accepted it sees them (empty for Unix). */
export interface Endpoints {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
}

export type FromWorker =
  | { readonly t: 'ready' }
  /** Prefork: accepting on the shared socket. */
  | { readonly t: 'listening' }
  | { readonly t: 'listen-error'; readonly code: string; readonly message: string }
  /** Prefork: took a connection (job `seq`) and stopped accepting. */
  | { readonly t: 'accepted'; readonly seq: number; readonly peer: Endpoints }
  | { readonly t: 'send'; readonly seq: number; readonly b: Uint8Array }
  | { readonly t: 'close'; readonly seq: number }
  | { readonly t: 'phase'; readonly seq: number; readonly phase: HandlerPhase }
  | { readonly t: 'error'; readonly seq: number; readonly error: ErrorInfo }
  | { readonly t: 'stats'; readonly seq: number; readonly stats: ConnStats }
  /** The job is over; `reason` says how a process's connection ended. */
  | { readonly t: 'done'; readonly seq: number; readonly stats?: ConnStats; readonly reason?: string };

/** The word a parked thread sleeps on between jobs; the server bumps it after each post. */
export const SIG_WAKE = 0;
export const SIG_INTS = 4;

/** A copy that owns exactly its bytes, so posting it (or transferring it) moves no more than that. */
export function ownBytes(data: Uint8Array | string): Uint8Array {
  if (typeof data === 'string') return new Uint8Array(Buffer.from(data));
  const copy = new Uint8Array(data.length);
  copy.set(data);
  return copy;
}
