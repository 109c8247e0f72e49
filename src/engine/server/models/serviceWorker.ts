import type { Actor } from '../../runtime/actor';
import type { Connection } from '../connection';
import type { DatagramRequest, HandlerChoice } from './dispatcher';

/** What a worker pool needs to hear from one of its threads or children. */
export interface WorkerEvents {
  ready(w: ServiceWorker): void;
  /** Finished its job and can take another. */
  idle(w: ServiceWorker): void;
  /** A prefork child took a connection by itself: it is no longer idle. */
  busy(w: ServiceWorker): void;
  /** Gone; `reason` is `thread Thread-3 exited with code 1` style text. */
  exited(w: ServiceWorker, reason: string, beforeReady: boolean): void;
}

/** A thread or child process that serves one connection or datagram at a time. */
export interface ServiceWorker {
  readonly actor: Actor;
  /** `Thread-3 (ident 7)`, `Process-2 (pid 4242)`. */
  readonly label: string;
  /** The connection it serves now, for the sampler. */
  readonly current: Connection | undefined;
  start(): void;
  serveStream(conn: Connection, choice: HandlerChoice): void;
  serveDatagram(request: DatagramRequest, choice: HandlerChoice): void;
  /** Asks it to exit once idle (no new work). */
  retire(): void;
  /** Ends it now. */
  kill(): Promise<void>;
  whenExited(): Promise<void>;
}
