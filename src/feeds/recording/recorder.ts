// Records a session as the dashboard sees it (no `vscode` here: unit-tested with a real engine).
// The recording is the stream of frames a dashboard would have been sent from a full picture on,
// plus each connection's bytes, so replaying frames up to time t rebuilds the picture at t.
import type { ConnectionCapture } from '../../engine/server/connectionCapture';
import type { CaptureLimits } from '../../engine/server/streamCapture';
import { STREAM_RECORD_BYTES, type Frame, type RecordedStream } from '../../protocol/frames';
import { type Recording } from './format';
import { plural } from '../../protocol/format';
import { DashboardFeed, type EntitySource } from '../dashboardFeed';
import { toStreamEntry } from '../streamFeed';

export interface RecorderLimits {
  /** Frames kept; recording of state stops (with a note) beyond. */
  readonly maxFrames: number;
  /** Rows (lanes, locks, samples) over all frames. */
  readonly maxRows: number;
  /** Connections whose bytes are captured (the first ones seen). */
  readonly maxStreams: number;
  readonly capture: CaptureLimits;
}

/** A 10-minute session at 5 frames a second fits; bytes: ≤ 200 connections × 500 × 1 KB = 100 MB at worst. */
export const DEFAULT_RECORDER_LIMITS: RecorderLimits = {
  maxFrames: 3000,
  maxRows: 500_000,
  maxStreams: 200,
  capture: { maxRecords: 500, recordBytes: STREAM_RECORD_BYTES },
};

export class Recorder {
  private readonly feed: DashboardFeed;
  private readonly frames: Frame[] = [];
  /** Ids in the recorded picture so far (a new full picture says which of them went). */
  private readonly known = new Set<string>();
  private readonly notes: string[] = [];
  private rows = 0;
  private full = false;
  readonly startedAt: number;
  private stopped: Recording | undefined;

  /**
   * `capture`: the engine's capture of every connection's bytes, started with `limits.capture`
   * and `limits.maxStreams` (undefined: no bytes recorded). The recorder owns and disposes it.
   */
  constructor(
    source: EntitySource,
    private readonly capture: ConnectionCapture | undefined,
    now: number,
    private readonly limits: RecorderLimits = DEFAULT_RECORDER_LIMITS,
  ) {
    this.feed = new DashboardFeed(source);
    this.startedAt = now;
    this.picture(now);
  }

  get frameCount(): number {
    return this.frames.length;
  }

  get streamCount(): number {
    return this.capture?.captured.size ?? 0;
  }

  /** The state said these changed (as a dashboard is told). */
  note(changed: readonly string[], removed: readonly string[]): void {
    if (this.stopped) return;
    this.feed.note(changed, removed);
  }

  /** The state was replaced (a new engine): a full picture, with what went named. */
  picture(now: number): void {
    if (this.stopped) return;
    const frames = this.feed.reset(now);
    const present = new Set(frames.flatMap((f) => [...f.lanes, ...f.locks, ...f.servers, ...f.pools].map((r) => r.id)));
    const gone = [...this.known].filter((id) => !present.has(id));
    if (gone.length) this.append([{ now, lanes: [], locks: [], servers: [], pools: [], gone }]);
    this.append(frames);
  }

  /** Once per tick: what changed since the last one, and a sample a second for the charts. */
  tick(now: number): void {
    if (this.stopped) return;
    const frames = this.feed.flush(now);
    // The flush may have carried this second's figures already (a busy server's, due): a second
    // point in the same tick would draw the chart a step back and forth.
    this.append(this.feed.sampleDue(now) ? [...frames, ...this.feed.samples(now)] : frames);
  }

  stop(now: number): Recording {
    if (this.stopped) return this.stopped;
    this.tick(now);
    const streams: RecordedStream[] = [];
    for (const [id, { name, capture: c }] of this.capture?.captured ?? []) {
      const records = c.since(0).map(toStreamEntry);
      streams.push({ id, name, records, skipped: c.dropped, unavailable: c.unavailable, ended: c.endedReason });
    }
    if (this.capture?.capped) this.notes.push(`Bytes were captured for the first ${plural(this.capture.maxStreams, 'connection')} only.`);
    this.capture?.dispose();
    this.stopped = { format: 'socket-lab-recording', version: 1, startedAt: this.startedAt, endedAt: now, frames: this.frames, streams, notes: this.notes };
    return this.stopped;
  }

  /** Stops without a result (the extension is going away). */
  dispose(): void {
    this.capture?.dispose();
  }

  private append(frames: readonly Frame[]): void {
    for (const f of frames) {
      if (this.full) return;
      const rows = f.lanes.length + f.locks.length + f.servers.length + f.pools.length + f.gone.length;
      if (this.frames.length >= this.limits.maxFrames || this.rows + rows > this.limits.maxRows) {
        this.full = true;
        this.notes.push(
          `The recording reached its limit (${this.limits.maxFrames} frames or ${this.limits.maxRows} rows) at +${((f.now - this.startedAt) / 1000).toFixed(1)} s; later changes were not recorded.`,
        );
        return;
      }
      this.frames.push(f);
      this.rows += rows;
      for (const r of [...f.lanes, ...f.locks, ...f.servers, ...f.pools]) this.known.add(r.id);
      for (const id of f.gone) this.known.delete(id);
    }
  }
}
