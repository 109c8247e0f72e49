import type { ThreadStateName } from '../../../protocol/states';
import type { ErrorInfo } from '../../../protocol/views';
import { toErrorInfo } from '../../errors';
import type { Connection, ConnectionService } from '../connection';
import { HANDLERS, type HandlerSession } from '../handlers';
import type { DatagramRequest, Dispatcher, HandlerChoice } from './dispatcher';

/** Runs a handler on the event loop itself (event-loop and iterative models). */
export class LoopService implements ConnectionService {
  readonly servedBy = 'event loop';
  readonly servedById = null;
  private readonly session: HandlerSession;
  private failed = false;

  constructor(
    private readonly conn: Connection,
    private readonly choice: HandlerChoice,
  ) {
    this.session = HANDLERS[choice.handler].create({ datagram: false, send: (d) => conn.send(d), close: () => conn.close('closed by handler') }, choice.arg);
  }

  /** Runs setup once the connection is served (a handler that sends and closes in setup needs that). */
  start(): void {
    this.conn.setPhase('setup');
    this.run(() => this.session.setup?.());
    if (!this.failed) this.conn.setPhase('handle');
  }

  servedByState(): ThreadStateName | null {
    return null;
  }

  data(chunk: Buffer): void {
    if (this.failed) return;
    const size = this.choice.recvSize;
    // Inlined rather than run(() => …): no closure per message on the hot path.
    try {
      if (chunk.length <= size) this.session.handle(chunk);
      else for (let at = 0; at < chunk.length && !this.failed; at += size) this.session.handle(chunk.subarray(at, at + size));
    } catch (err) {
      this.fail(err);
    }
  }

  end(): void {
    this.conn.setPhase('finish');
    this.run(() => this.session.finish?.());
    this.conn.close('closed by peer');
  }

  closed(): void {}

  private run(phase: () => void): void {
    try {
      phase();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.failed = true;
    this.conn.failHandler(toErrorInfo(err));
  }
}

function serveHere(conn: Connection, choice: HandlerChoice): void {
  const service = new LoopService(conn, choice);
  conn.serve(service);
  service.start();
}

/** Serves one UDP datagram on the event loop. */
export function serveDatagramHere(request: DatagramRequest, choice: HandlerChoice): void {
  try {
    const session = HANDLERS[choice.handler].create({ datagram: true, send: (d) => request.reply(d), close() {} }, choice.arg);
    session.setup?.();
    session.handle(request.data);
    session.finish?.();
  } catch (err) {
    request.fail(toErrorInfo(err) as ErrorInfo);
  }
  request.done('event loop', null);
}

/** `event-loop`: every connection is served at once, as its socket becomes readable. */
export class EventLoopDispatcher implements Dispatcher {
  readonly waiting = 0;
  constructor(private readonly choice: HandlerChoice) {}

  assign(conn: Connection): void {
    serveHere(conn, this.choice);
  }

  connectionClosed(): void {}

  datagram(request: DatagramRequest): void {
    serveDatagramHere(request, this.choice);
  }

  capacity(): null {
    return null;
  }

  async stop(): Promise<void> {}
}

/**
 * `iterative` (socketserver.TCPServer): one connection at a time. The rest wait unread — their
 * bytes stay in the kernel — until the current one closes. Python leaves them in the listen
 * queue (`request_queue_size`); Node accepts at once, so the queue is ours and holds `backlog`.
 */
export class IterativeDispatcher implements Dispatcher {
  private current: Connection | undefined;
  private readonly queue: Connection[] = [];

  constructor(
    private readonly choice: HandlerChoice,
    private readonly backlog: number,
    private readonly refuse: (conn: Connection, reason: string) => void,
  ) {}

  get waiting(): number {
    return this.queue.length;
  }

  assign(conn: Connection): void {
    if (!this.current) return this.serve(conn);
    if (this.queue.length >= Math.max(1, this.backlog)) {
      this.refuse(conn, `listen queue full (backlog ${this.backlog}): an iterative server serves one client at a time`);
      return;
    }
    this.queue.push(conn);
    conn.wait(this.reasonAt(this.queue.length - 1));
  }

  datagram(request: DatagramRequest): void {
    serveDatagramHere(request, this.choice);
  }

  capacity(): null {
    return null;
  }

  async stop(): Promise<void> {
    this.queue.length = 0;
  }

  private serve(conn: Connection): void {
    this.current = conn;
    serveHere(conn, this.choice);
  }

  connectionClosed(ended: Connection): void {
    if (this.current !== ended) {
      // A waiting connection was closed (by the user, or the server stopping).
      const i = this.queue.indexOf(ended);
      if (i >= 0) this.queue.splice(i, 1);
    } else {
      this.current = undefined;
      let conn: Connection | undefined;
      while ((conn = this.queue.shift()) && !conn.isOpen);
      if (conn) this.serve(conn);
    }
    this.queue.forEach((c, i) => c.wait(this.reasonAt(i)));
  }

  private reasonAt(i: number): string {
    return `waiting for its turn: the server serves one client at a time (${i === 0 ? 'next' : `${i} ahead`})`;
  }
}
