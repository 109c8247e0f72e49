// What the dashboard is sent, built from the live state (no `vscode` here: unit-tested alone).
// The webview needs lanes, locks and per-server samples, not whole entity views: a lane is sent
// again only when what it draws changed (state, holder, target), not on every byte counted, so
// 1,000 busy connections cost nothing per tick once their lanes exist.
import { describeServedBy, describeThread } from '../protocol/describe';
import { THREAD_STATES } from '../protocol/states';
import type { ConcurrencyModel, ConnectionView, EntityView, PoolView, PoolWorkerView, ServerView, SyncView, ThreadView } from '../protocol/views';
import { MAX_MESSAGE_BYTES } from '../protocol/messages';
import { type Frame, type Lane, type LockRow, type PoolSample, type ServerSample } from '../protocol/frames';
import { type LaneState } from '../protocol/states';

export interface EntitySource {
  get(id: string): EntityView | undefined;
  all(): Iterable<EntityView>;
}

const WORKER_STATES: Record<PoolWorkerView['state'], LaneState> = { starting: 'new', idle: 'idle', busy: 'running', exited: 'done' };

function threadLane(t: ThreadView, group: string): Lane {
  const w = t.waitingFor;
  return {
    id: t.id,
    kind: t.kind,
    name: t.kind === 'process' && t.ident ? `${t.name} (pid ${t.ident})` : t.name,
    groupId: t.parentId,
    group,
    state: t.error && !t.alive ? 'failed' : THREAD_STATES[t.state].lane,
    label: describeThread(t, null),
    since: t.stateSince,
    holding: t.holding,
    waitingForId: w?.id ?? null,
    linkId: t.serving?.id ?? null,
    woken: t.wokenBy ? { by: t.wokenBy.id, at: t.wokenBy.at } : null,
    ended: t.endedAt !== null,
  };
}

function connectionState(c: ConnectionView): LaneState {
  if (c.state === 'closed') return c.error ? 'failed' : 'done';
  if (c.state === 'waiting') return 'wait';
  if (c.backpressure) return 'send';
  if (c.servedByState) return THREAD_STATES[c.servedByState].lane;
  return 'open';
}

function connectionLane(c: ConnectionView, group: string, model: ConcurrencyModel | undefined): Lane {
  const state = connectionState(c);
  const label =
    c.state === 'closed'
      ? `closed${c.closeReason ? ` · ${c.closeReason}` : ''}`
      : c.waitingReason
        ? `waiting · ${c.waitingReason}`
        : `${c.state} · served by ${describeServedBy(c, model)}${c.servedByState ? ` · ${c.servedByState}` : ''}${c.backpressure ? ' · paused: back-pressure' : ''}`;
  return {
    id: c.id,
    kind: 'connection',
    name: `conn ${c.peer}`,
    groupId: c.parentId,
    group,
    state,
    label,
    // Connections carry no state clock: the lane's state began when it was last seen to change.
    since: c.state === 'closed' ? (c.endedAt ?? c.lastActivityAt) : c.createdAt,
    holding: [],
    waitingForId: null,
    linkId: c.servedById,
    woken: null,
    ended: c.endedAt !== null,
  };
}

function workerLane(w: PoolWorkerView, group: string): Lane {
  return {
    id: w.id,
    kind: 'worker',
    name: `${w.name}${w.ident !== null ? ` (${w.workerKind === 'process' ? 'pid' : 'thread'} ${w.ident})` : ''}`,
    groupId: w.parentId,
    group,
    state: WORKER_STATES[w.state],
    label: w.state === 'busy' && w.task ? `busy · ${w.task}` : w.state === 'exited' ? `exited · ${w.exitReason ?? ''}` : w.state,
    since: w.state === 'busy' ? (w.taskSince ?? w.createdAt) : (w.endedAt ?? w.createdAt),
    holding: [],
    waitingForId: null,
    linkId: null,
    woken: null,
    ended: w.endedAt !== null,
  };
}

function lockRow(s: SyncView, group: string): LockRow {
  return {
    id: s.id,
    name: s.name,
    primitive: s.primitive,
    group,
    holderId: s.holderId,
    holderName: s.holderName,
    depth: s.depth,
    value: s.value,
    waiters: s.waiters,
    acquisitions: s.acquisitions,
    contended: s.contended,
    totalWaitMs: s.totalWaitMs,
    maxWaitMs: s.maxWaitMs,
    totalHoldMs: s.totalHoldMs,
    maxHoldMs: s.maxHoldMs,
    deadlocked: s.deadlocked,
  };
}

function serverSample(s: ServerView): ServerSample {
  return {
    id: s.id,
    name: `${s.transport.toUpperCase()} ${s.address} (${s.model})`,
    connections: s.liveConnections,
    messagesPerSecond: s.messagesInPerSecond,
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
    queued: s.waiting + (s.workers?.queued ?? 0),
    busy: s.workers?.busy ?? 0,
    p50Ms: s.responseTime?.p50Ms ?? null,
    p99Ms: s.responseTime?.p99Ms ?? null,
    ended: s.endedAt !== null,
  };
}

function poolSample(p: PoolView): PoolSample {
  return { id: p.id, name: p.name, size: p.size, busy: p.busy, queued: p.queued, ended: p.endedAt !== null };
}

/** What a lane draws: a lane is re-sent only when this changes. */
function laneKey(l: Lane): string {
  return `${l.state}|${l.label}|${l.since}|${l.holding.join(',')}|${l.ended ? 1 : 0}|${l.woken?.at ?? ''}`;
}

/**
 * Server and pool figures (the charts) go out at most this often: the charts plot one point a
 * second, and a busy server's counters move on every tick — five messages a second to the webview
 * (each a frame of the whole workbench page) for nothing the user could see.
 */
export const SAMPLE_MS = 1000;

/**
 * A frame that moved more than this many lanes (a hundred threads flipping between running,
 * sleeping and waiting) makes the lanes and locks that only moved wait PACE_MS: each frame
 * costs the workbench a message through two frames and a repaint, and a program on two cores
 * lost a tenth of its throughput to five a second of changes no one reads at that pace. New and
 * ended rows still go at once.
 */
export const BUSY_LANES = 50;
export const PACE_MS = 1000;

type Row = { kind: 'lane'; row: Lane } | { kind: 'lock'; row: LockRow } | { kind: 'server'; row: ServerSample } | { kind: 'pool'; row: PoolSample };

/**
 * Turns the live state into dashboard frames: `reset()` for a full picture, then `note()` the
 * ids the state said changed and `flush()` once per tick for what the dashboard must redraw.
 */
export class DashboardFeed {
  private readonly sent = new Map<string, string>();
  private readonly pending = new Set<string>();
  private readonly gone = new Set<string>();
  private lastSampleAt = -Infinity;
  /** Until when rows that only moved wait (after a frame that moved more than BUSY_LANES lanes). */
  private pacedUntil = -Infinity;
  private readonly locksSent = new Set<string>();
  /** Servers and pools the dashboard has heard of. */
  private readonly sampled = new Set<string>();

  constructor(
    private readonly source: EntitySource,
    private readonly maxBytes = MAX_MESSAGE_BYTES,
  ) {}

  /** Everything, from scratch (the webview just said it is ready). */
  reset(now: number): Frame[] {
    this.lastSampleAt = now;
    this.sent.clear();
    this.locksSent.clear();
    this.pacedUntil = -Infinity;
    this.pending.clear();
    this.gone.clear();
    const rows: Row[] = [];
    for (const e of this.source.all()) {
      const r = this.row(e);
      if (r) rows.push(r);
    }
    this.sampled.clear();
    for (const r of rows) {
      if (r.kind === 'lane') this.sent.set(r.row.id, laneKey(r.row));
      else if (r.kind === 'lock') this.locksSent.add(r.row.id);
      else if (r.kind === 'server' || r.kind === 'pool') this.sampled.add(r.row.id);
    }
    return this.frames(now, rows, []);
  }

  note(changed: Iterable<string>, removed: Iterable<string> = []): void {
    for (const id of changed) this.pending.add(id);
    for (const id of removed) {
      this.pending.delete(id);
      this.sampled.delete(id);
      this.sent.delete(id);
      this.locksSent.delete(id);
      this.gone.add(id);
    }
  }

  /** The frames owed since the last flush (none when nothing the dashboard draws changed). */
  flush(now: number): Frame[] {
    const rows: Row[] = [];
    const sampleDue = this.sampleDue(now);
    const later: string[] = [];
    const paced = now < this.pacedUntil;
    let moved = 0;
    for (const id of this.pending) {
      const e = this.source.get(id);
      const r = e && this.row(e);
      if (!r) continue;
      if (r.kind === 'lane') {
        const key = laneKey(r.row);
        const was = this.sent.get(id);
        if (was === key) continue;
        if (was !== undefined && !r.row.ended) {
          if (paced) {
            later.push(id);
            continue;
          }
          moved++;
        }
        this.sent.set(id, key);
      } else if (r.kind === 'lock') {
        if (paced && this.locksSent.has(id) && !r.row.deadlocked && e.endedAt === null) {
          later.push(id);
          continue;
        }
        this.locksSent.add(id);
      } else if (r.kind === 'server' || r.kind === 'pool') {
        // A new one, or one that ended, goes at once: only moving figures wait for their second.
        if (!sampleDue && !r.row.ended && this.sampled.has(id)) {
          later.push(id);
          continue;
        }
        this.sampled.add(id);
      }
      rows.push(r);
    }
    const gone = [...this.gone];
    this.pending.clear();
    this.gone.clear();
    for (const id of later) this.pending.add(id);
    if (rows.some((r) => r.kind === 'server' || r.kind === 'pool')) this.lastSampleAt = now;
    if (moved > BUSY_LANES) this.pacedUntil = now + PACE_MS;
    if (rows.length === 0 && gone.length === 0) return [];
    return this.frames(now, rows, gone);
  }

  /** Whether the charts are owed a point: no server or pool figures went out in the last second. */
  sampleDue(now: number): boolean {
    return now - this.lastSampleAt >= SAMPLE_MS;
  }

  /** Server and pool samples only: keeps the charts moving while nothing else changes. */
  samples(now: number): Frame[] {
    this.lastSampleAt = now;
    const rows: Row[] = [];
    for (const e of this.source.all()) {
      if (e.kind === 'server' && e.endedAt === null) rows.push({ kind: 'server', row: serverSample(e) });
      else if (e.kind === 'pool' && e.endedAt === null) rows.push({ kind: 'pool', row: poolSample(e) });
    }
    for (const r of rows) this.sampled.add(r.row.id);
    return rows.length ? this.frames(now, rows, []) : [];
  }

  private group(e: EntityView): string {
    const owner = e.parentId ? this.source.get(e.parentId) : undefined;
    if (!owner) return '';
    if (owner.kind === 'server') return `${owner.transport.toUpperCase()} ${owner.address} · ${owner.model}`;
    return owner.name;
  }

  private row(e: EntityView): Row | undefined {
    switch (e.kind) {
      case 'thread':
      case 'process':
        return { kind: 'lane', row: threadLane(e, this.group(e)) };
      case 'connection': {
        const owner = e.parentId ? this.source.get(e.parentId) : undefined;
        return { kind: 'lane', row: connectionLane(e, this.group(e), owner?.kind === 'server' ? owner.model : undefined) };
      }
      case 'worker':
        return { kind: 'lane', row: workerLane(e, this.group(e)) };
      case 'sync':
        return { kind: 'lock', row: lockRow(e, this.group(e)) };
      case 'server':
        return { kind: 'server', row: serverSample(e) };
      case 'pool':
        return { kind: 'pool', row: poolSample(e) };
      default:
        return undefined;
    }
  }

  /** Packs rows into frames whose JSON stays under the size limit. */
  private frames(now: number, rows: readonly Row[], gone: readonly string[]): Frame[] {
    const out: Frame[] = [];
    let cur = { lanes: [] as Lane[], locks: [] as LockRow[], servers: [] as ServerSample[], pools: [] as PoolSample[], gone: [] as string[] };
    // Envelope and separators: a generous allowance so the serialised message stays under the limit.
    let size = 512;
    const push = () => {
      out.push({ now, ...cur });
      cur = { lanes: [], locks: [], servers: [], pools: [], gone: [] };
      size = 512;
    };
    const add = (bytes: number, put: () => void) => {
      if (size + bytes > this.maxBytes && size > 512) push();
      put();
      size += bytes + 1;
    };
    for (const id of gone) add(id.length + 3, () => cur.gone.push(id));
    for (const r of rows) {
      const bytes = Buffer.byteLength(JSON.stringify(r.row));
      if (r.kind === 'lane') add(bytes, () => cur.lanes.push(r.row));
      else if (r.kind === 'lock') add(bytes, () => cur.locks.push(r.row));
      else if (r.kind === 'server') add(bytes, () => cur.servers.push(r.row));
      else add(bytes, () => cur.pools.push(r.row));
    }
    if (cur.lanes.length || cur.locks.length || cur.servers.length || cur.pools.length || cur.gone.length) push();
    return out;
  }
}
