// The dashboard's memory: lanes with the spans they went through, locks, and chart series.
// Everything is bounded: spans per lane, points per series, and lanes leave when the host says.
import type { Frame, Lane, LockRow, PoolSample, ServerSample } from '../protocol/frames';
import type { LaneState } from '../protocol/states';

export interface Span {
  readonly start: number;
  end: number | null;
  readonly state: LaneState;
  readonly label: string;
  readonly holding: boolean;
}

/** Another lane's release, set or notify woke this one at `at`. */
export interface Wake {
  readonly at: number;
  readonly by: string;
}

export interface LaneRecord {
  lane: Lane;
  readonly spans: Span[];
  readonly wakes: Wake[];
}

/** One chart line's history, aligned with `Store.times`. */
export interface Series {
  readonly id: string;
  name: string;
  readonly values: Map<string, (number | null)[]>;
}

const MAX_SPANS = 400;
/** 10 minutes of samples at 1 a second (more when things change faster, then the oldest go). */
export const MAX_POINTS = 600;

export class Store {
  readonly lanes = new Map<string, LaneRecord>();
  readonly locks = new Map<string, LockRow>();
  readonly servers = new Map<string, ServerSample>();
  readonly pools = new Map<string, PoolSample>();
  /** Chart x axis (seconds) and, per server/pool, its metrics at those times. */
  readonly times: number[] = [];
  readonly series = new Map<string, Series>();
  private readonly lastBytes = new Map<string, { t: number; bytes: number }>();
  /** The host's clock at the last frame. */
  now = 0;
  /** Bumped on every change; views redraw when it moved. */
  version = 0;
  /** Bumped when a lane came, went or changed: the timeline needs nothing else. */
  lanesVersion = 0;

  reset(now: number): void {
    this.lanes.clear();
    this.locks.clear();
    this.servers.clear();
    this.pools.clear();
    this.times.length = 0;
    this.series.clear();
    this.lastBytes.clear();
    this.now = now;
    this.version++;
    this.lanesVersion++;
  }

  apply(f: Frame): void {
    this.now = Math.max(this.now, f.now);
    for (const id of f.gone) {
      if (this.lanes.delete(id)) this.lanesVersion++;
      this.locks.delete(id);
      this.servers.delete(id);
      this.pools.delete(id);
    }
    for (const lane of f.lanes) this.applyLane(lane, f.now);
    if (f.lanes.length) this.lanesVersion++;
    for (const l of f.locks) this.locks.set(l.id, l);
    for (const s of f.servers) this.servers.set(s.id, s);
    for (const p of f.pools) this.pools.set(p.id, p);
    if (f.servers.length || f.pools.length) this.sample(f);
    this.version++;
  }

  private applyLane(lane: Lane, now: number): void {
    let rec = this.lanes.get(lane.id);
    if (!rec) {
      rec = { lane, spans: [], wakes: [] };
      this.lanes.set(lane.id, rec);
    }
    rec.lane = lane;
    const w = lane.woken;
    if (w && rec.wakes[rec.wakes.length - 1]?.at !== w.at) {
      rec.wakes.push({ at: w.at, by: w.by });
      if (rec.wakes.length > MAX_SPANS) rec.wakes.splice(0, rec.wakes.length - MAX_SPANS);
    }
    const last = rec.spans[rec.spans.length - 1];
    const holding = lane.holding.length > 0;
    if (last && last.state === lane.state && last.label === lane.label && last.holding === holding) {
      if (lane.ended && last.end === null) last.end = Math.max(last.start, lane.since);
      return;
    }
    // The engine's clock for the new state when it has one; else when we heard of it.
    const start = last ? (lane.since > last.start ? lane.since : Math.max(last.start, now)) : lane.since;
    if (last && last.end === null) last.end = start;
    rec.spans.push({ start, end: lane.ended ? start : null, state: lane.state, label: lane.label, holding });
    if (rec.spans.length > MAX_SPANS) rec.spans.splice(0, rec.spans.length - MAX_SPANS);
  }

  /** One point per sampled frame; every known line gets a value (null once its owner ended). */
  private sample(f: Frame): void {
    const t = f.now / 1000;
    this.times.push(t);
    const put = (id: string, name: string, metrics: Record<string, number | null>) => {
      let s = this.series.get(id);
      if (!s) {
        s = { id, name, values: new Map() };
        this.series.set(id, s);
      }
      s.name = name;
      for (const [k, v] of Object.entries(metrics)) {
        let arr = s.values.get(k);
        if (!arr) {
          arr = new Array<number | null>(this.times.length - 1).fill(null);
          s.values.set(k, arr);
        }
        arr.push(v);
      }
    };
    for (const s of this.servers.values()) {
      const prev = this.lastBytes.get(s.id);
      const bytes = s.bytesIn + s.bytesOut;
      const rate = prev && f.now > prev.t ? ((bytes - prev.bytes) * 1000) / (f.now - prev.t) : null;
      this.lastBytes.set(s.id, { t: f.now, bytes });
      put(
        s.id,
        s.name,
        s.ended
          ? { connections: null, messages: null, bytes: null, queued: null, busy: null, p50: null, p99: null }
          : { connections: s.connections, messages: s.messagesPerSecond, bytes: rate, queued: s.queued, busy: s.busy, p50: s.p50Ms, p99: s.p99Ms },
      );
    }
    for (const p of this.pools.values()) put(p.id, p.name, p.ended ? { queued: null, busy: null } : { queued: p.queued, busy: p.busy });
    // Lines that got nothing this time (their owner is gone) stay aligned.
    for (const s of this.series.values()) for (const arr of s.values.values()) if (arr.length < this.times.length) arr.push(null);
    if (this.times.length > MAX_POINTS) {
      const drop = this.times.length - MAX_POINTS;
      this.times.splice(0, drop);
      for (const s of this.series.values()) for (const arr of s.values.values()) arr.splice(0, drop);
    }
  }
}
