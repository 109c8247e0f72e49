import type net from 'node:net';
import type { StateModel, Tracked } from '../state/model';
import type { ConnectionState, ConnectionView, ErrorInfo } from '../state/views';
import { previewBytes } from '../text/escape';
import { formatHostPort, toErrorInfo } from '../errors';
import type { HandlerSession, HandlerSpec } from './handlers';

export interface ConnectionOwner {
  readonly id: string;
  readonly model: StateModel;
  reportBytes(bytesIn: number, bytesOut: number): void;
  reportHandlerError(conn: Connection, err: ErrorInfo): void;
  reportClosed(conn: Connection): void;
}

const PREVIEW_BYTES = 64;

export { toErrorInfo } from '../errors';

/**
 * One accepted socket served on the event loop. Counters are plain fields touched on the hot
 * path; the view is built only when the inspector asks.
 */
export class Connection implements Tracked<ConnectionView> {
  dirty = false;
  readonly createdAt: number;
  private readonly peer: string;
  private readonly local: string;
  private state: ConnectionState = 'open';
  private endedAt: number | null = null;
  private bytesIn = 0;
  private bytesOut = 0;
  private messagesIn = 0;
  private messagesOut = 0;
  private lastActivityAt: number;
  private backpressure = false;
  private lastChunk: Buffer | undefined;
  private closeReason: string | null = null;
  private error: ErrorInfo | null = null;
  private readonly session: HandlerSession;
  private forceTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly socket: net.Socket,
    private readonly owner: ConnectionOwner,
    handler: HandlerSpec,
  ) {
    this.createdAt = this.lastActivityAt = owner.model.now();
    this.peer = formatHostPort(socket.remoteAddress ?? '?', socket.remotePort ?? 0);
    this.local = formatHostPort(socket.localAddress ?? '?', socket.localPort ?? 0);
    socket.setNoDelay(true);
    this.session = handler.create({ send: (d) => this.send(d), close: () => this.close('closed by handler') });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err) => this.onSocketError(err));
    socket.on('close', () => this.onClose());
    owner.model.add(this);
    this.runPhase(() => this.session.setup?.());
  }

  get isOpen(): boolean {
    return this.state !== 'closed';
  }

  get peerAddress(): string {
    return this.peer;
  }

  get counters(): { bytesIn: number; bytesOut: number; messagesIn: number; messagesOut: number } {
    return { bytesIn: this.bytesIn, bytesOut: this.bytesOut, messagesIn: this.messagesIn, messagesOut: this.messagesOut };
  }

  send(data: Uint8Array | string): void {
    if (this.socket.destroyed || this.socket.writableEnded) return;
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.bytesOut += n;
    this.messagesOut++;
    this.owner.reportBytes(0, n);
    if (!this.socket.write(data) && !this.backpressure) {
      // The peer is not reading: stop reading from it too, so our memory stays bounded.
      this.backpressure = true;
      this.socket.pause();
    }
    this.owner.model.touch(this);
  }

  /** Graceful close: flush and FIN now, force (RST) if the peer has not finished by the deadline. */
  close(reason: string, deadlineMs = 2000): void {
    if (this.state === 'closed') return;
    this.closeReason ??= reason;
    if (this.state !== 'closing') {
      this.state = 'closing';
      this.owner.model.touch(this);
    }
    this.socket.end();
    this.forceTimer ??= setTimeout(() => this.destroy(), deadlineMs);
    this.forceTimer.unref();
  }

  destroy(reason?: string): void {
    if (reason) this.closeReason ??= reason;
    this.socket.destroy();
  }

  whenClosed(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  private onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    this.messagesIn++;
    this.lastChunk = chunk;
    this.lastActivityAt = Date.now();
    this.owner.reportBytes(chunk.length, 0);
    this.owner.model.touch(this);
    // Inlined rather than runPhase(() => …): no closure per message on the hot path.
    try {
      this.session.handle(chunk);
    } catch (err) {
      this.failHandler(err);
    }
  }

  private onEnd(): void {
    // The peer shut down its side (FIN): finish, then close ours, as socketserver does.
    if (this.state === 'open') this.state = 'half-closed';
    this.closeReason ??= 'closed by peer';
    this.owner.model.touch(this);
    this.runPhase(() => this.session.finish?.());
    this.close('closed by peer');
  }

  private onDrain(): void {
    if (!this.backpressure) return;
    this.backpressure = false;
    this.socket.resume();
    this.owner.model.touch(this);
  }

  private onSocketError(err: Error): void {
    this.error = toErrorInfo(err);
    this.closeReason ??= `socket error: ${err.message}`;
  }

  private onClose(): void {
    clearTimeout(this.forceTimer);
    this.state = 'closed';
    this.endedAt = this.owner.model.now();
    this.owner.model.end(this);
    this.owner.reportClosed(this);
  }

  /** A handler that throws closes only its own connection; the server goes on (handle_error). */
  private runPhase(phase: () => void): void {
    try {
      phase();
    } catch (err) {
      this.failHandler(err);
    }
  }

  private failHandler(err: unknown): void {
    this.error = toErrorInfo(err);
    this.closeReason = `handler error: ${this.error.type}: ${this.error.message}`;
    this.owner.reportHandlerError(this, this.error);
    this.destroy();
  }

  view(): ConnectionView {
    return {
      id: this.id,
      kind: 'connection',
      parentId: this.owner.id,
      name: this.peer,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      peer: this.peer,
      local: this.local,
      state: this.state,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      lastActivityAt: this.lastActivityAt,
      backpressure: this.backpressure,
      servedBy: 'event loop',
      lastReceived: this.lastChunk ? previewBytes(this.lastChunk, PREVIEW_BYTES) : '',
      closeReason: this.closeReason,
      error: this.error,
    };
  }
}
