import net from 'node:net';
import type { Target } from '../../engine/target';
import type { LoadTally } from './result';

/** The error code counted for a connection the server closed without sending anything. */
export const NO_GREETING = 'NO_GREETING';
/** After a failed connect, the closed loop waits this long before the next: no busy loop of refusals. */
const RETRY_AFTER_ERROR_MS = 10;

/**
 * `--expect greeting`, for servers that greet and close (the tutorials' first server:
 * `c.send(...); c.close()`). Nothing is sent: one exchange is one connection — connect, read
 * what the server sends until it closes — and counts as one answered message, its latency from
 * the connect to the close. In a closed loop the next connection follows the close; in an open
 * loop each scheduled send is a new connection. A connection closed with nothing read fails the
 * check.
 */
export class GreetingLoadConnection {
  private readonly sockets = new Set<net.Socket>();
  private target!: Target;
  private stopping = false;
  /** Whether this worker still runs (it outlives each of its connections). */
  open = false;
  sending = true;
  /** Resolves once we stop: the server closing one connection ends an exchange, not the run. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  constructor(
    private readonly tally: LoadTally,
    private readonly closedLoop: boolean,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  /** The first exchange: rejects when it cannot connect, as the other connections do. */
  connect(target: Target): Promise<void> {
    this.target = target;
    return new Promise((resolve, reject) => {
      // Measuring starts after every connection connected: this exchange is not measured, and the
      // closed loop is started by the first send, not by its close.
      this.exchange(
        performance.now(),
        false,
        () => {
          this.open = true;
          resolve();
        },
        reject,
      );
    });
  }

  get inFlight(): number {
    return this.sockets.size;
  }

  /** Nothing is sent, so nothing can go unanswered: a short greeting is a failed exchange instead. */
  get missingBytes(): number {
    return 0;
  }

  send(intendedAt: number): void {
    if (!this.open || !this.sending || this.stopping) return;
    this.exchange(intendedAt, this.closedLoop);
  }

  private exchange(intendedAt: number, chain: boolean, connected?: () => void, failed?: (err: Error) => void): void {
    const t = this.target;
    const s = t.transport === 'unix' ? net.connect({ path: t.path }) : net.connect({ host: t.host, port: t.port, noDelay: true });
    this.sockets.add(s);
    let received = 0;
    let isConnected = false;
    let error: string | undefined;
    s.once('connect', () => {
      isConnected = true;
      connected?.();
    });
    s.on('data', (d: Buffer) => {
      received += d.length;
      this.tally.bytesReceived += d.length;
      this.tally.bytesVerified += d.length;
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (!isConnected && failed) failed(err);
      else error = err.code ?? 'ERROR';
    });
    s.on('close', () => {
      this.sockets.delete(s);
      if (this.stopping || (!isConnected && failed)) return;
      const now = performance.now();
      if (error) this.tally.error(error);
      else if (received === 0) this.tally.error(NO_GREETING);
      else this.tally.complete(intendedAt, now);
      if (!chain || !this.sending) return;
      if (error) setTimeout(() => this.send(performance.now()), RETRY_AFTER_ERROR_MS);
      // The next turn of the event loop: a chain of instant closes must not starve the timers.
      else setImmediate(() => this.send(performance.now()));
    });
  }

  close(): Promise<void> {
    this.stopping = true;
    this.open = false;
    const closing = [...this.sockets].map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : (s.once('close', () => resolve()), s.destroy()))));
    return Promise.all(closing).then(() => this.markClosed());
  }
}
