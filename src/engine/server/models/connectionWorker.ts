import { Actor } from '../../runtime/actor';
import type { RuntimeHost } from '../../runtime/runtimeHost';
import { ThreadState } from '../../runtime/threadState';
import type { ThreadView } from '../../../protocol/views';
import type { Connection } from '../connection';
import type { DatagramRequest, HandlerChoice } from './dispatcher';
import type { ServiceWorker, WorkerEvents } from './serviceWorker';

/** What a thread or child serves now; `seq` tells its messages from a finished job's. */
export type Job = { readonly seq: number; readonly conn?: Connection; readonly request?: DatagramRequest };

/**
 * What a server's connection thread and child process share: the job they serve, the entity
 * the inspector shows (with the connection served), and the end of their life.
 */
export abstract class ConnectionWorker extends Actor implements ServiceWorker {
  protected alive = false;
  protected ready = false;
  protected job: Job | undefined;
  private seq = 0;
  protected exited: Promise<void> = Promise.resolve();
  private finalView: ThreadView | undefined;
  /** Connections and datagrams served so far. */
  served = 0;

  constructor(
    host: RuntimeHost,
    id: string,
    slot: number,
    name: string,
    protected readonly script: string,
    protected readonly events: WorkerEvents,
  ) {
    super(host, id, slot, name, true);
    host.arena.setState(slot, ThreadState.New);
  }

  /** How the label names `ident`: a thread id or a pid. */
  protected abstract readonly identName: 'ident' | 'pid';
  abstract start(): void;
  abstract serveStream(conn: Connection, choice: HandlerChoice): void;
  abstract serveDatagram(request: DatagramRequest, choice: HandlerChoice): void;
  abstract retire(): void;
  abstract kill(): Promise<void>;

  get actor(): this {
    return this;
  }

  get label(): string {
    return this.ident === null ? this.name : `${this.name} (${this.identName} ${this.ident})`;
  }

  get current(): Connection | undefined {
    return this.job?.conn;
  }

  is_alive(): boolean {
    return this.alive;
  }

  whenExited(): Promise<void> {
    return this.exited;
  }

  override view(): ThreadView {
    // Once ended, the slot may serve another worker: keep what was true at the end.
    if (this.finalView) return this.finalView;
    const conn = this.job?.conn;
    const view = super.view();
    if (!conn) return { ...view, serving: null };
    // Whatever the thread did before (an earlier job, a wait on the clock) is not this
    // connection's: its time in the present state never exceeds the connection's age.
    return { ...view, stateSince: Math.max(view.stateSince, conn.createdAt), serving: { id: conn.id, peer: conn.peerAddress } };
  }

  /** Starts a job; returns its seq (`seq`: one handed out before by `nextSeq`). */
  protected begin(job: { conn: Connection } | { request: DatagramRequest }, seq = this.nextSeq()): number {
    this.job = { seq, ...job };
    this.served++;
    return seq;
  }

  /** A seq for a job that will start later (a prefork child's next connection). */
  protected nextSeq(): number {
    return ++this.seq;
  }

  /** The worker is gone: its entity keeps its last view, and the pool hears why. */
  protected ended(reason: string): void {
    this.finalView = super.view();
    this.host.model.end(this);
    this.events.exited(this, reason, !this.ready);
  }
}
