import { tr } from '../../protocol/l10n';
import { Emitter } from '../lifecycle';
import { RateMeter } from '../metrics/rate';
import { LatencyHistogram } from '../metrics/histogram';
import type { Logger } from '../log';
import { Runtime } from '../runtime/runtime';
import { workerScript, type WorkerScripts } from '../workers/spawn';
import type { StateModel, Tracked } from '../state/model';
import type { ErrorInfo, ReadinessRound, ResponseTime, ServerState, ServerView } from '../../protocol/views';
import { formatHandler, WELCOME_TEXT } from './handlers';
import { Connection, type ConnectionOwner, type ConnectionService } from './connection';
import type { Prefork } from './models/connectionProcess';
import type { Endpoints } from './workers/messages';
import type { Dispatcher, HandlerChoice } from './models/dispatcher';
import { EventLoopDispatcher, IterativeDispatcher } from './models/loop';
import { WorkerPool } from './models/workerPool';
import type { ResolvedServerOptions } from './options';
import { descriptorLimit, NEAR_LIMIT, openDescriptors } from './descriptors';
import { SocketLabError } from '../errors';
import type { Followers } from './streamCapture';
import type { StreamSource } from './connectionCapture';

export type { ServerOptions } from './options';

export interface ServerEvents {
  readonly accepted: Connection;
  readonly closed: Connection;
  readonly handlerError: { readonly conn: Peer; readonly error: ErrorInfo };
}

/** A TCP/Unix connection or a UDP peer: who a handler error happened for. */
export interface Peer {
  readonly id: string;
  readonly peerAddress: string;
}

/** How many readiness rounds the view keeps. */
const RECENT_ROUNDS = 8;
const ROUND_SOCKETS = 6;
/** Listener errors (EMFILE can come once per refused client) are logged at most this often. */
const ERROR_LOG_MS = 5000;

/**
 * What every server shares, whatever its transport: the entity, its counters, its concurrency
 * model (a Dispatcher) and an orderly stop. TCP and Unix stream servers and UDP servers extend it.
 */
export abstract class Server implements Tracked<ServerView>, ConnectionOwner {
  dirty = false;
  readonly connections = new Map<string, Connection>();
  readonly createdAt: number;
  protected state: ServerState = 'listening';
  private endedAt: number | null = null;
  protected totalConnections = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private handlerErrors = 0;
  private messagesIn = 0;
  private refused = 0;
  private lastRefusal: string | null = null;
  private lastError: string | null = null;
  private lastErrorLoggedAt = 0;
  private fdCheckedAt = 0;
  private fdTimer: NodeJS.Timeout | undefined;
  private readonly inRate: RateMeter;
  /** Response times since the last window closed; summarised at most once a second. */
  private readonly latency = new LatencyHistogram();
  private latencyWindowAt: number;
  private responseTime: ResponseTime | null = null;
  /** Keeps the published rate honest after traffic stops (an idle server is never touched). */
  private readonly rateTimer: NodeJS.Timeout;
  private stopping: Promise<void> | undefined;
  protected readonly dispatcher: Dispatcher;
  /** Threads and children of the thread and process models (undefined on the event loop). */
  readonly runtime: Runtime | undefined;
  private rounds = 0;
  private readonly recentRounds: ReadinessRound[] = [];
  private round: { readable: number; writable: number; sockets: string[] } | undefined;
  private readonly trackRounds: boolean;
  protected readonly onAcceptedEmitter = new Emitter<Connection>();
  protected readonly onStreamEmitter = new Emitter<StreamSource>();
  /** A connection (or UDP peer) is new, and nothing was read from it yet (a recording follows it). */
  readonly onStream = this.onStreamEmitter.event;
  private readonly onClosedEmitter = new Emitter<Connection>();
  private readonly onHandlerErrorEmitter = new Emitter<ServerEvents['handlerError']>();
  readonly onAccepted = this.onAcceptedEmitter.event;
  readonly onConnectionClosed = this.onClosedEmitter.event;
  readonly onHandlerError = this.onHandlerErrorEmitter.event;

  protected constructor(
    readonly id: string,
    readonly options: ResolvedServerOptions,
    readonly host: string,
    readonly port: number,
    readonly model: StateModel,
    protected readonly log: Logger,
    workers: WorkerScripts,
    /** process-per-connection over a stream: the bound socket its children accept from. */
    listenHandle?: object,
  ) {
    this.createdAt = model.now();
    this.inRate = new RateMeter(this.createdAt);
    this.latencyWindowAt = this.createdAt;
    this.rateTimer = setInterval(() => {
      if (this.inRate.rate !== 0) this.model.touch(this);
    }, 1000);
    this.rateTimer.unref();
    this.trackRounds = options.model === 'event-loop';
    // The welcome handler greets in the display language: its text is chosen here, where the
    // bundle is, and travels to the threads and children that serve with the handler's argument.
    const arg = options.handler === 'welcome' ? tr(WELCOME_TEXT) : options.handlerArg;
    const choice: HandlerChoice = { handler: options.handler, arg, recvSize: options.recvSize, idleTimeoutMs: options.idleTimeoutMs };
    const o = options;
    switch (o.model) {
      case 'event-loop':
        this.dispatcher = new EventLoopDispatcher(choice);
        break;
      case 'iterative':
        this.dispatcher = new IterativeDispatcher(choice, o.backlog, (conn, reason) => this.refuse(conn, reason));
        break;
      default: {
        this.runtime = new Runtime({ model, ownerId: id, log, workers });
        const thread = workerScript('connection-thread', workers);
        const proc = workerScript('connection-process', workers);
        const pool =
          o.model === 'thread-per-connection'
            ? new WorkerPool(this.runtime, choice, { kind: 'thread', cap: o.maxThreads, spares: o.spares, keepIdle: o.spares, script: thread, capName: 'max threads' })
            : o.model === 'thread-pool'
              ? new WorkerPool(this.runtime, choice, { kind: 'thread', cap: o.poolSize, spares: o.poolSize, keepIdle: o.poolSize, script: thread, capName: 'pool size' })
              : listenHandle
                ? // Someone must be accepting: at least one warm child.
                  new WorkerPool(this.runtime, choice, {
                    kind: 'process',
                    cap: o.maxChildren,
                    spares: Math.max(1, o.spares),
                    keepIdle: Math.max(1, o.spares),
                    script: proc,
                    capName: 'max children',
                    prefork: this.prefork(listenHandle, choice),
                  })
                : new WorkerPool(this.runtime, choice, { kind: 'process', cap: o.maxChildren, spares: o.spares, keepIdle: o.spares, script: proc, capName: 'max children' });
        pool.onChange = () => this.model.touch(this);
        this.dispatcher = pool;
      }
    }
    model.add(this);
  }

  private childListening: { promise: Promise<void>; settle: (err?: Error) => void } | undefined;

  /** What prefork children need from this server: the socket, and where their connections go. */
  private prefork(handle: object, choice: HandlerChoice): Prefork {
    let settle!: (err?: Error) => void;
    const promise = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
    promise.catch(() => {});
    this.childListening = { promise, settle };
    return {
      handle,
      backlog: this.options.backlog,
      choice,
      isOpen: () => this.state === 'listening',
      accepted: (peer, service) => this.adoptRemote(peer, service),
      listening: () => settle(),
      listenFailed: (code, message) => {
        const err = Object.assign(new Error(message), { code });
        settle(err);
        this.listenerError(err);
      },
    };
  }

  /** Prefork: resolves once a child listens on the shared socket; rejects on its listen error or after `ms`. */
  protected async whenChildListening(ms: number): Promise<void> {
    if (!this.childListening) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const note = this.dispatcher.capacity()?.capNote;
        reject(new SocketLabError(`No child process was accepting connections after ${ms / 1000} s${note ? `: ${note}` : ''}.`, 'ETIMEDOUT'));
      }, ms);
    });
    try {
      await Promise.race([this.childListening.promise, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Prefork: a child accepted a connection itself; it gets its entity here (none once stopping). */
  private adoptRemote(peer: Endpoints, service: ConnectionService): Connection | undefined {
    if (this.state !== 'listening') return undefined;
    const conn = new Connection(this.model.newId('conn'), { ...peer, service }, this, {
      transport: this.options.transport,
      recvSize: this.options.recvSize,
      idleTimeoutMs: this.options.idleTimeoutMs,
    });
    this.admit(conn);
    return conn;
  }

  /** What a client connects to: `127.0.0.1:8080`, `[::1]:8080` or the socket path. */
  abstract get address(): string;

  get isListening(): boolean {
    return this.state === 'listening';
  }

  describe(): string {
    return `${this.options.transport} ${this.address} (${this.options.model}, ${formatHandler(this.options.handler, this.options.handlerArg)})`;
  }

  /** Every live connection whose bytes can be followed. */
  liveStreams(): StreamSource[] {
    return [...this.connections.values()].filter((c) => c.isOpen).map((c) => ({ id: c.id, name: `conn ${c.peerAddress}`, followers: c.followers }));
  }

  /** The followers of a live connection's stream (its capture is made when someone follows). */
  streamOf(id: string): Followers | undefined {
    return this.connections.get(id)?.followers;
  }

  closeConnection(id: string): boolean {
    const conn = this.connections.get(id);
    if (!conn) return false;
    conn.close('closed by user', 2000);
    return true;
  }

  /** Kills a connection's thread or child (the inspector's action): its connection closes. */
  async killWorker(entityId: string): Promise<boolean> {
    const pool = this.dispatcher instanceof WorkerPool ? this.dispatcher : undefined;
    const w = pool?.live.find((x) => x.actor.id === entityId);
    if (!w) return false;
    await w.kill();
    return true;
  }

  /**
   * Closes the listener at once (the port is free when this resolves), asks every connection to
   * close, resets those still open at the deadline, and ends every thread and child.
   */
  stop(deadlineMs = 2000): Promise<void> {
    this.stopping ??= this.doStop(deadlineMs);
    return this.stopping;
  }

  private async doStop(deadlineMs: number): Promise<void> {
    this.state = 'stopping';
    clearInterval(this.rateTimer);
    clearTimeout(this.fdTimer);
    this.model.touch(this);
    const listenerClosed = this.closeListener();
    const conns = [...this.connections.values()];
    for (const conn of conns) conn.close('server stopped', deadlineMs);
    await Promise.all([listenerClosed, ...conns.map((c) => c.whenClosed())]);
    await this.dispatcher.stop(deadlineMs);
    await this.runtime?.dispose();
    this.state = 'stopped';
    this.endedAt = this.model.now();
    this.model.end(this);
    this.log.info(`${this.describe()} stopped`);
    this.onAcceptedEmitter.dispose();
    this.onStreamEmitter.dispose();
    this.onClosedEmitter.dispose();
    this.onHandlerErrorEmitter.dispose();
  }

  protected abstract closeListener(): Promise<void>;

  /** Over max connections, or the iterative queue is full: the client is told by a close. */
  protected refuse(conn: Connection, reason: string): void {
    this.refused++;
    this.lastRefusal = `${conn.peerAddress}: ${reason}`;
    this.model.touch(this);
    conn.destroy(`refused: ${reason}`);
  }

  /** A new connection: refused over the limit, otherwise handed to the model. */
  protected admit(conn: Connection): void {
    this.connections.set(conn.id, conn);
    this.totalConnections++;
    this.model.touch(this);
    this.onAcceptedEmitter.fire(conn);
    this.onStreamEmitter.fire({ id: conn.id, name: `conn ${conn.peerAddress}`, followers: conn.followers });
    this.checkDescriptors();
    const max = this.options.maxConnections;
    if (max > 0 && this.connections.size > max) {
      this.refuse(conn, `max connections (${max}) reached`);
      return;
    }
    this.dispatcher.assign(conn);
  }

  /**
   * Near the descriptor limit, counts open descriptors (at most once a second, and once more
   * after a burst): at the limit, libuv closes new clients without telling us, so we say it.
   */
  private checkDescriptors(): void {
    const limit = descriptorLimit();
    if (limit === null || this.connections.size < Math.min(limit * NEAR_LIMIT, limit - 64)) return;
    const now = Date.now();
    if (now - this.fdCheckedAt < 1000) {
      this.fdTimer ??= setTimeout(
        () => {
          this.fdTimer = undefined;
          this.checkDescriptors();
        },
        1000 - (now - this.fdCheckedAt),
      );
      this.fdTimer.unref();
      return;
    }
    this.fdCheckedAt = now;
    const open = openDescriptors();
    if (open !== null && open >= limit - 2) {
      this.listenerError(Object.assign(new Error(`${open} of ${limit} descriptors in use`), { code: 'EMFILE' }));
    }
  }

  protected listenerError(err: Error & { code?: string }): void {
    const text =
      err.code === 'EMFILE' || err.code === 'ENFILE'
        ? `out of file descriptors (${err.code}: ${err.message}): new clients are closed as soon as they connect; existing connections go on. Raise the limit (ulimit -n) or close connections.`
        : `listener error: ${err.message}`;
    this.lastError = text;
    this.model.touch(this);
    const now = Date.now();
    if (now - this.lastErrorLoggedAt >= ERROR_LOG_MS) {
      this.lastErrorLoggedAt = now;
      this.log.error(`${this.address}: ${text}`);
    }
  }

  reportLatency(us: number): void {
    this.latency.record(us);
  }

  /** The last full window's percentiles (a window is at least a second; an idle one gives null). */
  private sampleLatency(now: number): ResponseTime | null {
    const windowMs = now - this.latencyWindowAt;
    if (windowMs < 1000) return this.responseTime;
    const h = this.latency;
    this.responseTime = h.count === 0 ? null : { p50Ms: h.percentile(0.5) / 1000, p99Ms: h.percentile(0.99) / 1000, maxMs: h.max / 1000, replies: h.count, windowMs };
    h.reset();
    this.latencyWindowAt = now;
    return this.responseTime;
  }

  reportBytes(bytesIn: number, bytesOut: number, messagesIn = 1): void {
    if (bytesIn) this.messagesIn += messagesIn;
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
    this.model.touch(this);
  }

  /**
   * A socket was readable (or writable again) in this turn of the event loop. Rounds are only
   * recorded while someone watches, and cost one setImmediate per turn, not per message.
   */
  noteReady(peer: string, writable: boolean): void {
    if (!this.trackRounds || !this.model.isRecording) return;
    let r = this.round;
    if (!r) {
      r = this.round = { readable: 0, writable: 0, sockets: [] };
      setImmediate(() => this.closeRound());
    }
    if (writable) r.writable++;
    else r.readable++;
    if (r.sockets.length < ROUND_SOCKETS) r.sockets.push(peer);
  }

  private closeRound(): void {
    const r = this.round;
    this.round = undefined;
    if (!r) return;
    this.rounds++;
    this.recentRounds.push({ at: this.model.now(), readable: r.readable, writable: r.writable, sockets: r.sockets });
    if (this.recentRounds.length > RECENT_ROUNDS) this.recentRounds.shift();
  }

  reportHandlerError(conn: Peer, error: ErrorInfo): void {
    this.handlerErrors++;
    this.model.touch(this);
    // socketserver's handle_error: the traceback goes to the log, the server goes on.
    this.log.error(`${this.address}: exception while serving ${conn.peerAddress}:\n${error.stack ?? `${error.type}: ${error.message}`}`);
    this.onHandlerErrorEmitter.fire({ conn, error });
  }

  reportClosed(conn: Connection): void {
    if (this.connections.delete(conn.id)) this.model.touch(this);
    this.dispatcher.connectionClosed(conn);
    this.onClosedEmitter.fire(conn);
  }

  view(): ServerView {
    const o = this.options;
    return {
      id: this.id,
      kind: 'server',
      parentId: null,
      name: `${o.transport} ${this.address}`,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      transport: o.transport,
      model: o.model,
      handler: formatHandler(o.handler, o.handlerArg),
      host: this.host,
      port: this.port,
      path: o.path ?? null,
      address: this.address,
      state: this.state,
      backlog: o.backlog,
      recvSize: o.recvSize,
      maxConnections: o.maxConnections,
      idleTimeoutMs: o.idleTimeoutMs,
      refused: this.refused,
      lastRefusal: this.lastRefusal,
      waiting: this.dispatcher.waiting,
      workers: this.dispatcher.capacity(),
      rounds: this.rounds,
      recentRounds: this.recentRounds.slice(),
      lastError: this.lastError,
      liveConnections: this.connections.size,
      totalConnections: this.totalConnections,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesInPerSecond: Math.round(this.inRate.sample(this.messagesIn, this.model.now())),
      responseTime: this.sampleLatency(this.model.now()),
      handlerErrors: this.handlerErrors,
    };
  }
}
