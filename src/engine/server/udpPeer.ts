import type { StateModel, Tracked } from '../state/model';
import type { ConnectionView, ErrorInfo } from '../../protocol/views';
import { previewBytes } from '../../protocol/escape';
import { Followers } from './streamCapture';

const PREVIEW_BYTES = 64;

/**
 * A UDP client as the inspector shows it. UDP has no connections: a peer is an address we heard
 * from, "open" while it keeps sending, "closed" once it has been quiet for the idle window.
 */
export class UdpPeer implements Tracked<ConnectionView> {
  dirty = false;
  readonly createdAt: number;
  private endedAt: number | null = null;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  lastActivityAt: number;
  private lastDatagram: Uint8Array | undefined;
  servedBy = '—';
  servedById: string | null = null;
  private error: ErrorInfo | null = null;
  private closeReason: string | null = null;
  /** Datagrams handed to a worker and not answered yet. */
  inFlight = 0;
  readonly followers = new Followers();

  constructor(
    readonly id: string,
    readonly serverId: string,
    readonly peer: string,
    readonly address: string,
    readonly port: number,
    private readonly local: string,
    private readonly model: StateModel,
  ) {
    this.createdAt = this.lastActivityAt = model.now();
    model.add(this);
  }

  get peerAddress(): string {
    return this.peer;
  }

  get isOpen(): boolean {
    return this.endedAt === null;
  }

  received(data: Buffer): void {
    this.bytesIn += data.length;
    this.messagesIn++;
    this.lastDatagram = data.subarray(0, PREVIEW_BYTES);
    this.lastActivityAt = Date.now();
    this.followers.active?.record('in', data);
    this.model.touch(this);
  }

  sent(data: Uint8Array | string, n: number): void {
    this.followers.active?.record('out', data);
    this.bytesOut += n;
    this.messagesOut++;
    this.model.touch(this);
  }

  fail(error: ErrorInfo): void {
    this.error = error;
    this.model.touch(this);
  }

  served(by: string, byId: string | null): void {
    this.servedBy = by;
    this.servedById = byId;
    this.model.touch(this);
  }

  end(reason: string): void {
    if (this.endedAt !== null) return;
    this.closeReason = reason;
    this.endedAt = this.model.now();
    this.followers.end(reason);
    this.model.end(this);
  }

  view(): ConnectionView {
    return {
      id: this.id,
      kind: 'connection',
      parentId: this.serverId,
      name: this.peer,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      transport: 'udp',
      peer: this.peer,
      local: this.local,
      state: this.endedAt === null ? 'open' : 'closed',
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      lastActivityAt: this.lastActivityAt,
      backpressure: false,
      waitingReason: null,
      servedBy: this.servedBy,
      servedById: this.servedById,
      servedByState: null,
      phase: this.endedAt !== null ? 'done' : this.inFlight > 0 ? 'handle' : 'waiting',
      // One recvfrom per datagram: UDP keeps message boundaries.
      reads: this.messagesIn,
      readsLastMessage: this.messagesIn ? 1 : 0,
      readsMaxMessage: this.messagesIn ? 1 : 0,
      lastReceived: this.lastDatagram ? previewBytes(this.lastDatagram, PREVIEW_BYTES) : '',
      closeReason: this.closeReason,
      error: this.error,
    };
  }
}
