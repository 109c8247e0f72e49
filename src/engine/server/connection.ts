import * as l10n from '@vscode/l10n';
import type net from 'node:net';
import type { StateModel, Tracked } from '../state/model';
import type { ThreadStateName } from '../../protocol/states';
import type { ConnectionState, ConnectionView, ErrorInfo, HandlerPhase, Transport } from '../../protocol/views';
import { previewBytes } from '../../protocol/escape';
import { formatHostPort, toErrorInfo } from '../errors';
import type { ConnStats } from './workers/messages';
import { Followers } from './streamCapture';

export interface ConnectionOwner {
  readonly id: string;
  readonly model: StateModel;
  /** `messagesIn`: how many reads those bytes were (1 when omitted). */
  reportBytes(bytesIn: number, bytesOut: number, messagesIn?: number): void;
  /** A response time: from a read to the server's next write on that connection (µs). */
  reportLatency(us: number): void;
  /** The socket was readable (or writable again) in this event-loop turn. */
  noteReady(peer: string, writable: boolean): void;
  reportHandlerError(conn: Connection, err: ErrorInfo): void;
  reportClosed(conn: Connection): void;
}

/** Where a connection's handler runs: the event loop, a worker thread, or (after hand-off) a child. */
export interface ConnectionService {
  readonly servedBy: string;
  readonly servedById: string | null;
  servedByState(): ThreadStateName | null;
  /** Bytes arrived on the socket (already counted). */
  data(chunk: Buffer): void;
  /** The peer sent FIN: run finish, then close. */
  end(): void;
  /** The user or the server closes it: a remote owner must be told. */
  close?(reason: string): void;
  /** The socket drained after back-pressure: output held back may flow again. */
  writable?(): void;
  /** The socket is gone, whatever the reason: free what served it. */
  closed(): void;
}

export interface ConnectionOptions {
  readonly transport: Transport;
  readonly recvSize: number;
  readonly idleTimeoutMs: number;
}

/**
 * A connection a child process accepted itself (prefork process-per-connection): the parent
 * never holds its socket, only what the child says about it.
 */
export interface AcceptedElsewhere {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly service: ConnectionService;
}

const PREVIEW_BYTES = 64;
/** After our FIN went out, how long the peer has to close its side before it is reset. */
const FIN_WAIT_MS = 2000;

export { toErrorInfo } from '../errors';

/**
 * One accepted stream socket. The server accepts with pauseOnConnect, so nothing is read until a
 * model serves it: a connection waiting for its turn leaves its bytes in the kernel, as a
 * socketserver client waits in the listen queue. Counters are plain fields touched on the hot
 * path; the view is built only when the inspector asks.
 */
export class Connection implements Tracked<ConnectionView> {
  dirty = false;
  readonly createdAt: number;
  private readonly peer: string;
  private readonly local: string;
  private state: ConnectionState = 'waiting';
  private phase: HandlerPhase = 'waiting';
  private waitingReason: string | null = null;
  private endedAt: number | null = null;
  private bytesIn = 0;
  private bytesOut = 0;
  private messagesIn = 0;
  private messagesOut = 0;
  private reads = 0;
  private readsLast = 0;
  private readsMax = 0;
  private lastActivityAt: number;
  private backpressure = false;
  /** Paused because the serving thread has not consumed what it was given. */
  private inputPaused = false;
  private lastChunk: Uint8Array | undefined;
  /** performance.now() of the oldest read not answered yet (0: none). */
  private pendingAt = 0;
  private closeReason: string | null = null;
  private error: ErrorInfo | null = null;
  private service: ConnectionService | undefined;
  /** Set once the socket was handed to a child process: it reports, we no longer own the socket. */
  private remote = false;
  private forceTimer: NodeJS.Timeout | undefined;
  private readonly closedPromise: Promise<void>;
  /** Who follows its stream (the dashboard's Follow stream): bytes are copied only then. */
  readonly followers = new Followers(() => (this.remote ? 'Its socket belongs to a child process (process-per-connection): its bytes never pass through the server.' : null));
  private resolveClosed!: () => void;

  /** Ours to read and write; undefined once given to, or when accepted by, a child process. */
  private socket: net.Socket | undefined;

  constructor(
    readonly id: string,
    endpoint: net.Socket | AcceptedElsewhere,
    private readonly owner: ConnectionOwner,
    private readonly options: ConnectionOptions,
  ) {
    this.createdAt = this.lastActivityAt = owner.model.now();
    this.peer = options.transport === 'unix' ? `unix client #${id.replace(/^conn-/, '')}` : formatHostPort(endpoint.remoteAddress ?? '?', endpoint.remotePort ?? 0);
    this.local = options.transport === 'unix' ? (endpoint.localAddress ?? '') : formatHostPort(endpoint.localAddress ?? '?', endpoint.localPort ?? 0);
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    if ('service' in endpoint) {
      this.service = endpoint.service;
      this.remote = true;
      this.state = 'open';
      this.phase = 'setup';
    } else {
      this.socket = endpoint;
      endpoint.on('error', (err) => this.onSocketError(err));
      endpoint.on('close', () => this.onClose());
    }
    owner.model.add(this);
  }

  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  get isWaiting(): boolean {
    return this.state === 'waiting';
  }

  get peerAddress(): string {
    return this.peer;
  }

  get counters(): { bytesIn: number; bytesOut: number; messagesIn: number; messagesOut: number } {
    return { bytesIn: this.bytesIn, bytesOut: this.bytesOut, messagesIn: this.messagesIn, messagesOut: this.messagesOut };
  }

  /** False while the socket's send buffer is over its high-water mark (the peer reads slowly). */
  get writable(): boolean {
    return !this.backpressure && this.socket !== undefined && !this.socket.destroyed;
  }

  get reason(): string | null {
    return this.closeReason;
  }

  /** Not served yet: says why (its turn, a cap). */
  wait(reason: string): void {
    if (this.state !== 'waiting' || this.waitingReason === reason) return;
    this.waitingReason = reason;
    this.owner.model.touch(this);
  }

  /** Starts serving: from now on the socket is read and bytes go to `service`. */
  serve(service: ConnectionService): void {
    const socket = this.socket;
    if (this.state !== 'waiting' || !socket) return;
    this.service = service;
    this.state = 'open';
    this.waitingReason = null;
    this.phase = 'handle';
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.onDrain());
    if (this.options.idleTimeoutMs > 0) socket.setTimeout(this.options.idleTimeoutMs, () => this.close(`idle for ${this.options.idleTimeoutMs / 1000} s (idle timeout)`));
    socket.resume();
    this.owner.model.touch(this);
  }

  /**
   * Gives the socket to a child process (process-per-connection). The child reports counters;
   * our handle is closed once the socket is sent, which is not the connection's end.
   */
  handOff(service: ConnectionService): net.Socket | undefined {
    const socket = this.socket;
    if (!socket) return undefined;
    this.socket = undefined;
    this.service = service;
    this.remote = true;
    this.state = 'open';
    this.phase = 'setup';
    this.waitingReason = null;
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    socket.on('error', () => {});
    this.owner.model.touch(this);
    return socket;
  }

  /** A child process's batch of counters for the socket it owns. */
  applyStats(s: ConnStats): void {
    const dIn = s.bytesIn - this.bytesIn;
    const dOut = s.bytesOut - this.bytesOut;
    const dMessages = s.messagesIn - this.messagesIn;
    if (s.messagesIn > this.messagesIn || dIn > 0) this.lastActivityAt = this.owner.model.now();
    this.bytesIn = s.bytesIn;
    this.bytesOut = s.bytesOut;
    this.messagesIn = s.messagesIn;
    this.messagesOut = s.messagesOut;
    this.reads = s.reads;
    this.readsLast = s.readsLast;
    this.readsMax = s.readsMax;
    if (this.phase !== 'done') this.phase = s.phase;
    this.backpressure = s.backpressure;
    if (s.lastReceived) this.lastChunk = s.lastReceived;
    for (const us of s.latenciesUs) this.owner.reportLatency(us);
    if (dIn > 0 || dOut > 0) this.owner.reportBytes(Math.max(0, dIn), Math.max(0, dOut), Math.max(0, dMessages));
    this.owner.model.touch(this);
  }

  /** The child says the connection it owned has ended. */
  remoteEnded(reason: string): void {
    if (this.state === 'closed') return;
    this.closeReason ??= reason;
    this.onClose();
  }

  setPhase(phase: HandlerPhase): void {
    if (this.phase === phase || this.phase === 'done') return;
    this.phase = phase;
    this.owner.model.touch(this);
  }

  /** Something the serving thread or process changed (its state): republish. */
  touch(): void {
    this.owner.model.touch(this);
  }

  send(data: Uint8Array | string): void {
    const socket = this.socket;
    if (!socket || socket.destroyed || socket.writableEnded) return;
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.bytesOut += n;
    this.messagesOut++;
    this.owner.reportBytes(0, n);
    if (this.pendingAt) {
      this.owner.reportLatency((performance.now() - this.pendingAt) * 1000);
      this.pendingAt = 0;
    }
    this.followers.active?.record('out', data);
    if (!socket.write(data) && !this.backpressure) {
      // The peer is not reading: stop reading from it too, so our memory stays bounded.
      this.backpressure = true;
      socket.pause();
      this.owner.model.touch(this);
      return;
    }
    this.owner.model.touchCounters(this);
  }

  /** The serving thread is behind: stop reading until it catches up (bounded memory). */
  pauseInput(): void {
    if (this.inputPaused) return;
    this.inputPaused = true;
    this.socket?.pause();
    this.owner.model.touch(this);
  }

  resumeInput(): void {
    if (!this.inputPaused) return;
    this.inputPaused = false;
    if (!this.backpressure) this.socket?.resume();
    this.owner.model.touch(this);
  }

  /**
   * Graceful close: flush and FIN, then force (RST) if the peer has not finished in time. With a
   * `deadlineMs` (the user, the server stopping) the clock starts now; without, only once every
   * byte was handed to the kernel, so a slow reader still gets the whole reply.
   */
  close(reason: string, deadlineMs?: number): void {
    if (this.state === 'closed') return;
    this.closeReason ??= reason;
    const socket = this.socket;
    if (this.remote || !socket) {
      this.service?.close?.(reason);
      return;
    }
    if (this.state !== 'closing') {
      this.state = 'closing';
      this.owner.model.touch(this);
    }
    if (this.service === undefined) {
      // Never served (still in the queue): nothing to flush.
      socket.destroy();
      return;
    }
    if (deadlineMs !== undefined) this.armForceClose(deadlineMs);
    socket.end(() => this.armForceClose(FIN_WAIT_MS));
  }

  private armForceClose(ms: number): void {
    if (this.forceTimer || this.state === 'closed') return;
    this.forceTimer = setTimeout(() => this.destroy(), ms);
    this.forceTimer.unref();
  }

  destroy(reason?: string): void {
    if (reason) this.closeReason ??= reason;
    if (this.remote || !this.socket) {
      this.service?.close?.(reason ?? 'reset');
      return;
    }
    this.socket.destroy();
  }

  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /** A handler that throws closes only its own connection; the server goes on (handle_error). */
  failHandler(err: unknown): void {
    this.error = err && typeof err === 'object' && 'type' in err && 'message' in err ? (err as ErrorInfo) : toErrorInfo(err);
    this.closeReason = l10n.t('handler error: {0}: {1}', this.error.type, this.error.message);
    this.owner.reportHandlerError(this, this.error);
    this.destroy();
  }

  private onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    this.messagesIn++;
    // recv(recvSize) takes ceil(n / recvSize) calls for a segment of n bytes: fragmentation, visible.
    const reads = chunk.length <= this.options.recvSize ? 1 : Math.ceil(chunk.length / this.options.recvSize);
    this.reads += reads;
    this.readsLast = reads;
    if (reads > this.readsMax) this.readsMax = reads;
    this.lastChunk = chunk;
    this.lastActivityAt = Date.now();
    if (!this.pendingAt) this.pendingAt = performance.now();
    this.owner.reportBytes(chunk.length, 0);
    this.owner.noteReady(this.peer, false);
    this.owner.model.touchCounters(this);
    this.followers.active?.record('in', chunk);
    this.service!.data(chunk);
  }

  private onEnd(): void {
    // The peer shut down its side (FIN): finish, then close ours, as socketserver does.
    if (this.state === 'open') this.state = 'half-closed';
    this.closeReason ??= l10n.t('closed by peer');
    this.owner.model.touch(this);
    this.service!.end();
  }

  private onDrain(): void {
    if (!this.backpressure) return;
    this.backpressure = false;
    this.owner.noteReady(this.peer, true);
    if (!this.inputPaused) this.socket?.resume();
    this.service?.writable?.();
    this.owner.model.touch(this);
  }

  private onSocketError(err: Error): void {
    this.error ??= toErrorInfo(err);
    this.closeReason ??= l10n.t('socket error: {0}', err.message);
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    clearTimeout(this.forceTimer);
    this.state = 'closed';
    this.phase = 'done';
    this.endedAt = this.owner.model.now();
    this.followers.end(this.closeReason ?? 'closed');
    this.service?.closed();
    this.owner.model.end(this);
    this.owner.reportClosed(this);
    this.resolveClosed();
  }

  view(): ConnectionView {
    const s = this.service;
    return {
      id: this.id,
      kind: 'connection',
      parentId: this.owner.id,
      name: this.peer,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      transport: this.options.transport,
      peer: this.peer,
      local: this.local,
      state: this.state,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      lastActivityAt: this.lastActivityAt,
      backpressure: this.backpressure || this.inputPaused,
      waitingReason: this.waitingReason,
      servedBy: s?.servedBy ?? '—',
      servedById: s?.servedById ?? null,
      servedByState: this.state === 'closed' ? null : (s?.servedByState() ?? null),
      phase: this.phase,
      reads: this.reads,
      readsLastMessage: this.readsLast,
      readsMaxMessage: this.readsMax,
      lastReceived: this.lastChunk ? previewBytes(this.lastChunk, PREVIEW_BYTES) : '',
      closeReason: this.closeReason,
      error: this.error,
    };
  }
}
