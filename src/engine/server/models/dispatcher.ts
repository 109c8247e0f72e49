import type { ErrorInfo, WorkerCapacity } from '../../../protocol/views';
import type { Connection } from '../connection';
import type { HandlerName } from '../handlers';

/** What every model needs to know about the handler it runs. */
export interface HandlerChoice {
  readonly handler: HandlerName;
  readonly arg: string | undefined;
  readonly recvSize: number;
  readonly idleTimeoutMs: number;
}

/** One UDP datagram to serve: socketserver treats each as a whole request. */
export interface DatagramRequest {
  readonly data: Buffer;
  /** The peer it came from, e.g. `127.0.0.1:5353`. */
  readonly peer: string;
  reply(data: Uint8Array | string): void;
  fail(error: ErrorInfo): void;
  /** Served (or dropped); `servedBy` names the thread or process that did it. */
  done(servedBy: string, servedById: string | null): void;
}

/** A concurrency model: decides where and when each connection or datagram is served. */
export interface Dispatcher {
  assign(conn: Connection): void;
  /** Any connection closed, served or still waiting (a waiting one leaves the queue). */
  connectionClosed(conn: Connection): void;
  datagram(request: DatagramRequest): void;
  capacity(): WorkerCapacity | null;
  /** Connections accepted but not served yet. */
  readonly waiting: number;
  /** Ends whatever serves connections; connections themselves are closed by the server first. */
  stop(deadlineMs: number): Promise<void>;
}
