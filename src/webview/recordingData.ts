// A recording as the replay panel receives it: parts put back together (no DOM here).
import type { ReplayPart } from '../protocol/messages';
import type { Frame, RecordedStream, StreamEntry } from '../protocol/frames';

export interface RecordingHeader {
  readonly name: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly notes: readonly string[];
}

export class RecordingData {
  header: RecordingHeader | null = null;
  readonly frames: Frame[] = [];
  readonly streams = new Map<string, { stream: RecordedStream; records: StreamEntry[] }>();
  complete = false;
  private expected = 0;

  /** Adds a part; false when it is out of order (the panel then asks again). */
  add(part: ReplayPart): boolean {
    if (part.index === 0) {
      this.header = part.header;
      this.frames.length = 0;
      this.streams.clear();
      this.complete = false;
      this.expected = 0;
    }
    if (part.index !== this.expected || !this.header) return false;
    this.expected++;
    this.frames.push(...part.frames);
    for (const s of part.streams) {
      const known = this.streams.get(s.id);
      if (known) known.records.push(...s.records);
      else this.streams.set(s.id, { stream: s, records: [...s.records] });
    }
    this.complete = part.last;
    return true;
  }

  /** Index of the last frame at or before `t` (−1: none). */
  frameAt(t: number): number {
    let lo = 0;
    let hi = this.frames.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.frames[mid]!.now <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
