import { Emitter, toDisposable, type Disposable } from '../lifecycle';

export type Direction = 'in' | 'out';

/** One read or one write on a followed connection, as the server saw it. */
export interface StreamRecord {
  readonly seq: number;
  /** ms since the epoch, with sub-millisecond precision. */
  readonly at: number;
  /** `in`: client → server; `out`: server → client. */
  readonly dir: Direction;
  /** How many bytes the read or write was; `data` holds at most the first `recordBytes`. */
  readonly size: number;
  readonly data: Uint8Array;
}

export interface CaptureLimits {
  /** Records kept; older ones are dropped (and counted). */
  readonly maxRecords: number;
  /** Bytes kept per record. */
  readonly recordBytes: number;
}

/** ≤ 2,000 × 4 KB = 8 MB per followed connection at worst. */
export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = { maxRecords: 2000, recordBytes: 4096 };

let origin = Date.now() - performance.now();

/**
 * Wall-clock time with the monotonic clock's sub-millisecond detail (two messages in one ms keep
 * their order and gap). Re-anchored when the wall clock was stepped (NTP, a VM's clock): the
 * recordings compare these times with Date.now(), and a stale anchor put messages seconds away.
 */
function captureTime(): number {
  const t = origin + performance.now();
  const wall = Date.now();
  if (Math.abs(t - wall) <= 5) return t;
  origin = wall - performance.now();
  return wall;
}

/**
 * A bounded log of what crossed one connection, kept only while someone follows it: nothing is
 * copied on the hot path of a connection nobody watches. Memory is bounded by the limits whatever
 * the traffic; what falls off the front is counted, never silently lost.
 */
export class StreamCapture {
  private readonly ring: StreamRecord[] = [];
  private nextSeq = 1;
  /** Records that fell off the front. */
  dropped = 0;
  /** Set when the connection ended (its close reason). */
  endedReason: string | null = null;
  private readonly changed = new Emitter<void>();
  /** Fires after records were added or the connection ended. */
  readonly onDidChange = this.changed.event;

  constructor(
    /** Set when the bytes do not pass through this process (a child owns the socket). */
    readonly unavailable: string | null = null,
    private readonly limits: CaptureLimits = DEFAULT_CAPTURE_LIMITS,
  ) {}

  record(dir: Direction, data: Uint8Array | string): void {
    if (this.endedReason !== null) return;
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    // A copy: the caller may reuse its buffer (the thread model's output ring does).
    const kept = bytes.slice(0, this.limits.recordBytes);
    this.ring.push({ seq: this.nextSeq++, at: captureTime(), dir, size: bytes.length, data: kept });
    if (this.ring.length > this.limits.maxRecords) {
      this.ring.shift();
      this.dropped++;
    }
    this.changed.fire();
  }

  end(reason: string): void {
    if (this.endedReason !== null) return;
    this.endedReason = reason;
    this.changed.fire();
  }

  /** Records with seq > `afterSeq`, oldest first. */
  since(afterSeq: number): StreamRecord[] {
    const first = this.ring[0];
    if (!first || afterSeq < first.seq) return this.ring.slice();
    return this.ring.slice(afterSeq - first.seq + 1);
  }

  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * Something whose traffic can be followed (a TCP or Unix connection, a UDP peer). Followers
 * share one capture; it is dropped with the last of them.
 */
export class Followers {
  private capture: StreamCapture | undefined;
  private count = 0;
  private endedReason: string | null = null;

  constructor(private readonly unavailable: () => string | null = () => null) {}

  /** The live capture, if anyone follows (the hot path tests this and nothing else). */
  get active(): StreamCapture | undefined {
    return this.capture;
  }

  /** `limits` apply when this follower starts the capture (a recording keeps less per connection). */
  follow(limits: CaptureLimits = DEFAULT_CAPTURE_LIMITS): { readonly capture: StreamCapture } & Disposable {
    if (!this.capture) {
      this.capture = new StreamCapture(this.unavailable(), limits);
      if (this.endedReason !== null) this.capture.end(this.endedReason);
    }
    const capture = this.capture;
    this.count++;
    const handle = toDisposable(() => {
      if (--this.count > 0 || this.capture !== capture) return;
      this.capture = undefined;
      capture.dispose();
    });
    return { capture, dispose: () => handle.dispose() };
  }

  /** The connection ended: followers keep what was captured and are told why. */
  end(reason: string): void {
    this.endedReason ??= reason;
    this.capture?.end(reason);
  }
}
