import type { FollowHandle } from '../engine/engine';
import type { StreamRecord } from '../engine/server/streamCapture';
import { STREAM_RECORD_BYTES, type StreamEntry, type StreamUpdate } from '../protocol/frames';

/** A captured record as the webview and recordings carry it: its first STREAM_RECORD_BYTES, base64. */
export function toStreamEntry(r: StreamRecord): StreamEntry {
  const b64 = Buffer.from(r.data.buffer, r.data.byteOffset, Math.min(r.data.length, STREAM_RECORD_BYTES)).toString('base64');
  return { seq: r.seq, at: r.at, dir: r.dir, size: r.size, b64 };
}

/** How much of one message the stream's records may take (the rest of MAX_MESSAGE_BYTES is slack). */
const UPDATE_BUDGET_BYTES = 48 * 1024;

/**
 * The dashboard's Follow stream, host side (no VS Code here, so it is unit-tested with a real
 * engine): follows at most one connection, and turns what its capture gained since the last
 * update into one bounded message. A connection faster than the dashboard reads is shown by its
 * latest records, and the update says how many it skipped.
 */
export class StreamFeed {
  private handle: FollowHandle | undefined;
  private id: string | null = null;
  private sentSeq = 0;
  private sentEnded = false;
  private restart = false;
  private missing = false;

  constructor(
    private readonly followConnection: (id: string) => FollowHandle | undefined,
    private readonly budgetBytes = UPDATE_BUDGET_BYTES,
  ) {}

  get following(): string | null {
    return this.id;
  }

  /** Follows `id` (null: nobody). The next `take` restarts the webview's log. */
  follow(id: string | null): void {
    if (id === this.id) return;
    this.handle?.dispose();
    this.handle = id ? this.followConnection(id) : undefined;
    this.id = id;
    this.sentSeq = this.handle?.capture.lastSeq ?? 0;
    this.sentEnded = false;
    this.missing = id !== null && !this.handle;
    this.restart = id !== null;
  }

  /** What to send now, or undefined when nothing changed. */
  take(): StreamUpdate | undefined {
    const id = this.id;
    if (!id) return undefined;
    const capture = this.handle?.capture;
    if (!capture) {
      if (!this.restart) return undefined;
      this.restart = false;
      return { id, restart: true, records: [], skipped: 0, unavailable: this.missing ? 'This connection has ended (or is not served here): nothing to follow.' : null, ended: null };
    }
    const fresh = capture.since(this.sentSeq);
    const ended = capture.endedReason !== null && !this.sentEnded;
    if (!fresh.length && !ended && !this.restart) return undefined;
    // From the newest back, as many as fit: a slow reader sees the present, not a backlog.
    const records: StreamEntry[] = [];
    let bytes = 0;
    for (let i = fresh.length - 1; i >= 0; i--) {
      const entry = toStreamEntry(fresh[i]!);
      bytes += entry.b64.length + 80;
      if (bytes > this.budgetBytes && records.length > 0) break;
      records.push(entry);
    }
    records.reverse();
    const firstSent = records[0]?.seq ?? capture.lastSeq + 1;
    // Records between what was sent before and what is sent now that the webview never gets.
    const skippedHere = Math.max(0, firstSent - this.sentSeq - 1);
    const restart = this.restart;
    this.restart = false;
    this.sentSeq = capture.lastSeq;
    if (capture.endedReason !== null) this.sentEnded = true;
    return { id, restart, records, skipped: skippedHere, unavailable: capture.unavailable, ended: capture.endedReason };
  }

  dispose(): void {
    this.follow(null);
  }
}
