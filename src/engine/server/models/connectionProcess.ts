import type { ChildProcess } from 'node:child_process';
import { forkChild, whenChildEnds, type ChildEnd } from '../../workers/spawn';
import { nowMs, T_ALIVE } from '../../runtime/arena';
import { ThreadState, threadStateName } from '../../runtime/threadState';
import type { Connection, ConnectionService } from '../connection';
import type { RuntimeHost } from '../../runtime/runtimeHost';
import type { Endpoints, FromWorker, ToWorker } from '../workers/messages';
import type { DatagramRequest, HandlerChoice } from './dispatcher';
import type { WorkerEvents } from './serviceWorker';
import { ConnectionWorker } from './connectionWorker';

/** What a prefork child needs from its server. */
export interface Prefork {
  /** The bound socket's handle, shared with every child; the server itself never accepts on it. */
  readonly handle: object;
  readonly backlog: number;
  readonly choice: HandlerChoice;
  /** False once the server stops listening: a child that becomes free retires instead. */
  isOpen(): boolean;
  /** A child accepted a connection: the server makes its entity (undefined: the server is stopping). */
  accepted(peer: Endpoints, service: ConnectionService): Connection | undefined;
  /** A child is listening on the shared socket (the first time: the server is up). */
  listening(): void;
  /** The shared socket could not be listened on. */
  listenFailed(code: string, message: string): void;
}

/**
 * A prefork child is retired after this many connections and a fresh one takes its place:
 * a Unix socket's listener leaves a small handle behind per listen (see processEntry.ts).
 */
const MAX_CONNECTIONS_PER_CHILD = 1000;

/**
 * A real child process serving connections (ForkingTCPServer's child). With `prefork` (stream
 * servers) it accepts from the shared listening socket itself — one connection, then it stops
 * accepting until it is free again — so nothing passes between server and child per connection
 * but counters. Otherwise it is handed the accepted socket (`child.send('socket', sock)`) or the
 * datagram. After a connection it waits as a warm spare.
 */
export class ConnectionProcess extends ConnectionWorker {
  readonly kind = 'process';
  protected readonly identName = 'pid';
  private child: ChildProcess | undefined;
  private code: number | null = null;
  private stderrTail = '';

  constructor(
    host: RuntimeHost,
    id: string,
    slot: number,
    name: string,
    script: string,
    events: WorkerEvents,
    private readonly prefork?: Prefork,
  ) {
    super(host, id, slot, name, script, events);
  }

  get ident(): number | null {
    return this.child?.pid ?? null;
  }

  override get exitCode(): number | null {
    return this.code;
  }

  start(): void {
    const child = forkChild(this.script, ['ignore', 'pipe']);
    this.child = child;
    this.alive = true;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (this.stderrTail = (this.stderrTail + d).slice(-2000)));
    child.on('message', (m: FromWorker) => this.onMessage(m));
    this.exited = whenChildEnds(child, (err) => this.host.log.warn(`${this.name}: ${err.message}`)).then((end) => {
      if (end.spawnError) this.stderrTail = end.spawnError.message;
      this.onExit(end);
    });
    this.host.model.touch(this);
  }

  /** The connection of job `seq` lives in the child: closing it is a message. */
  private remoteService(seq: number): ConnectionService {
    return {
      servedBy: this.label,
      servedById: this.id,
      servedByState: () => threadStateName(this.state),
      data: () => {},
      end: () => {},
      close: (reason) => this.send({ t: 'close', seq, reason }),
      closed: () => {},
    };
  }

  /** Prefork: accept the next connection on the shared socket (or retire when no longer wanted). */
  private listen(): void {
    const p = this.prefork!;
    if (!p.isOpen() || this.served >= MAX_CONNECTIONS_PER_CHILD || !this.child?.connected) {
      this.retire();
      return;
    }
    const c = p.choice;
    const job: ToWorker = { t: 'listen', backlog: p.backlog, job: { t: 'stream', seq: this.nextSeq(), handler: c.handler, arg: c.arg, recvSize: c.recvSize, idleTimeoutMs: c.idleTimeoutMs } };
    // The handle is shared, not moved: the server keeps its own, so the socket outlives any child.
    this.child.send(job, p.handle as Parameters<ChildProcess['send']>[1], { keepOpen: true }, (err) => {
      if (err) this.child?.kill('SIGKILL');
    });
  }

  /** Prefork: the child took a connection; the server makes its entity. */
  private accepted(seq: number, peer: Endpoints): void {
    const conn = this.prefork!.accepted(peer, this.remoteService(seq));
    if (!conn) {
      this.send({ t: 'close', seq, reason: 'server stopped' });
      return;
    }
    this.begin({ conn }, seq);
    this.host.arena.setState(this.slot, ThreadState.Recv);
    this.events.busy(this);
  }

  serveStream(conn: Connection, choice: HandlerChoice): void {
    const seq = this.begin({ conn });
    this.host.arena.setState(this.slot, ThreadState.Recv);
    const service = this.remoteService(seq);
    const socket = conn.handOff(service);
    if (!socket) {
      this.job = undefined;
      conn.remoteEnded("the connection was no longer the server's to hand off");
      this.events.idle(this);
      return;
    }
    const job: ToWorker = { t: 'stream', seq, handler: choice.handler, arg: choice.arg, recvSize: choice.recvSize, idleTimeoutMs: choice.idleTimeoutMs };
    const failed = (why: string): void => {
      // The socket is still ours: close it, so the client is not left hanging.
      socket.destroy();
      if (this.job?.seq === seq) this.job = undefined;
      conn.remoteEnded(`could not hand the socket to ${this.label}: ${why}`);
      // A child that cannot be written to is not put back in line; its exit is reported anyway.
      if (this.child?.connected) this.events.idle(this);
      else this.child?.kill('SIGKILL');
    };
    if (!this.child?.connected) return failed('its channel is closed');
    this.child.send(job, socket, (err) => err && failed(err.message));
  }

  serveDatagram(request: DatagramRequest, choice: HandlerChoice): void {
    const seq = this.begin({ request });
    this.host.arena.setState(this.slot, ThreadState.Running);
    if (!this.child?.connected) {
      this.job = undefined;
      request.done(`${this.label} (gone)`, this.id);
      return;
    }
    this.send({ t: 'dgram', seq, handler: choice.handler, arg: choice.arg, recvSize: choice.recvSize, b: request.data });
  }

  retire(): void {
    if (this.alive) this.send({ t: 'exit' });
  }

  async kill(): Promise<void> {
    if (!this.child || !this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  private send(m: ToWorker): void {
    // A child exiting (retired, killed) may close the channel between our check and the write:
    // the callback takes that EPIPE instead of an 'error' event. Its exit is reported anyway.
    if (this.child?.connected) this.child.send(m, () => {});
  }

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'ready':
        this.host.arena.setState(this.slot, ThreadState.Idle);
        if (this.prefork) return this.listen();
        this.ready = true;
        this.events.ready(this);
        return;
      case 'listening':
        // Warm: counted idle from now on, though it is the kernel that picks who accepts.
        this.host.arena.setState(this.slot, ThreadState.Idle);
        this.prefork?.listening();
        if (this.ready) this.events.idle(this);
        else {
          this.ready = true;
          this.events.ready(this);
        }
        return;
      case 'listen-error':
        this.prefork?.listenFailed(m.code, m.message);
        this.retire();
        return;
      case 'accepted':
        this.accepted(m.seq, m.peer);
        return;
      default:
        break;
    }
    const job = this.job;
    if (!job || m.seq !== job.seq) return;
    const conn = job.conn;
    switch (m.t) {
      case 'stats':
        conn?.applyStats(m.stats);
        if (m.stats.state !== this.state) this.host.arena.setState(this.slot, m.stats.state);
        break;
      case 'phase':
        conn?.setPhase(m.phase);
        break;
      case 'send':
        job.request?.reply(m.b);
        break;
      case 'error':
        if (conn) conn.failHandler(m.error);
        else job.request!.fail(m.error);
        break;
      case 'done':
        this.job = undefined;
        this.host.arena.setState(this.slot, ThreadState.Idle);
        if (conn) {
          if (m.stats) conn.applyStats(m.stats);
          conn.remoteEnded(m.reason ?? 'closed');
        } else job.request!.done(this.label, this.id);
        if (this.prefork) this.listen();
        else this.events.idle(this);
        break;
      default:
        break;
    }
  }

  private onExit({ exitCode, signal }: ChildEnd): void {
    this.alive = false;
    this.endedAt = nowMs();
    // Python's exitcode: the negative signal number when a signal ended it.
    this.code = exitCode;
    const code = signal ? null : exitCode;
    const a = this.host.arena;
    a.setState(this.slot, code === 0 ? ThreadState.Done : ThreadState.Failed);
    Atomics.store(a.i32, a.t(this.slot, T_ALIVE), 0);
    const how = signal ? `signal ${signal} (${this.code})` : `code ${code}`;
    const tail = this.stderrTail.trim().split('\n').pop();
    const reason = `process ${this.label} exited with ${how}${code !== 0 && tail ? `: ${tail}` : ''}`;
    if (code !== 0 || signal) this.error = { type: 'ProcessExit', message: reason, stack: this.stderrTail || undefined };
    const job = this.job;
    this.job = undefined;
    // The child held the only handle: the OS has closed the client's socket with it.
    if (job?.conn) job.conn.remoteEnded(reason);
    else if (job?.request) job.request.done(this.label, this.id);
    this.ended(reason);
  }
}
