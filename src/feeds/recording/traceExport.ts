// A recording as Chrome trace-event JSON (opens in Perfetto and chrome://tracing) and its
// connections' bytes as text. The trace also carries the recording itself, so Socket Lab can
// reopen the file losslessly; trace viewers ignore keys they do not know.
import { escapeBytes } from '../../protocol/escape';
import { DIRECTION_LABELS, type Lane } from '../../protocol/frames';
import { LANE_STATE_INFO } from '../../protocol/states';
import { type Recording } from './format';

/** One trace event (the subset of the format used here). */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M' | 'C' | 'i' | 'b' | 'e' | 's' | 'f';
  /** Flow end: bind to the enclosing slice. */
  readonly bp?: 'e';
  readonly ts?: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid?: number;
  readonly cat?: string;
  readonly id?: string;
  readonly s?: 't';
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface ChromeTrace {
  readonly traceEvents: TraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: Readonly<Record<string, string>>;
  readonly socketLabRecording: Recording;
}

export function toChromeTrace(rec: Recording): ChromeTrace {
  const events: TraceEvent[] = [];
  const us = (t: number) => Math.max(0, Math.round((t - rec.startedAt) * 1000));
  const pids = new Map<string, number>();
  const tids = new Map<string, { pid: number; tid: number }>();
  const pidOf = (groupId: string | null, group: string) => {
    const key = groupId ?? '';
    let pid = pids.get(key);
    if (pid === undefined) {
      pid = pids.size + 1;
      pids.set(key, pid);
      events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: group || 'Socket Lab' } });
    }
    return pid;
  };
  const track = (lane: Lane) => {
    let t = tids.get(lane.id);
    if (!t) {
      t = { pid: pidOf(lane.groupId, lane.group), tid: tids.size + 1 };
      tids.set(lane.id, t);
      events.push({ name: 'thread_name', ph: 'M', pid: t.pid, tid: t.tid, args: { name: `${lane.name} [${lane.kind}]` } });
    }
    return t;
  };

  // Lane state spans: a slice per state, closed when the next begins.
  const open = new Map<string, { start: number; lane: Lane }>();
  const close = (id: string, at: number) => {
    const o = open.get(id);
    if (!o) return;
    open.delete(id);
    const { pid, tid } = track(o.lane);
    const end = Math.max(at, o.start);
    events.push({
      name: LANE_STATE_INFO[o.lane.state].slice,
      cat: o.lane.kind,
      ph: 'X',
      ts: us(o.start),
      dur: us(end) - us(o.start),
      pid,
      tid,
      args: { label: o.lane.label, ...(o.lane.holding.length ? { holding: o.lane.holding.join(', ') } : {}) },
    });
  };
  // Lock holders: an async slice per holding.
  const holders = new Map<string, { name: string; pid: number; holder: string }>();
  const release = (id: string, at: number) => {
    const h = holders.get(id);
    if (!h) return;
    holders.delete(id);
    events.push({ name: h.name, cat: 'lock', ph: 'e', id, ts: us(at), pid: h.pid });
  };

  // Wake-ups: a flow arrow from the releasing thread to the one it woke.
  const wakes: { by: string; to: string; at: number }[] = [];
  const lastWake = new Map<string, number>();

  for (const f of rec.frames) {
    for (const id of f.gone) {
      close(id, f.now);
      release(id, f.now);
    }
    for (const lane of f.lanes) {
      track(lane);
      if (lane.woken && lastWake.get(lane.id) !== lane.woken.at) {
        lastWake.set(lane.id, lane.woken.at);
        wakes.push({ by: lane.woken.by, to: lane.id, at: lane.woken.at });
      }
      const o = open.get(lane.id);
      if (o && o.lane.state === lane.state && o.lane.label === lane.label && o.lane.holding.join() === lane.holding.join()) {
        if (lane.ended) close(lane.id, Math.max(o.start, lane.since));
        else o.lane = lane;
        continue;
      }
      const start = o ? (lane.since > o.start ? lane.since : Math.max(o.start, f.now)) : Math.max(lane.since, rec.startedAt);
      close(lane.id, start);
      if (!lane.ended) open.set(lane.id, { start, lane });
    }
    for (const lock of f.locks) {
      const h = holders.get(lock.id);
      if (h?.holder === lock.holderName) continue;
      release(lock.id, f.now);
      if (lock.holderName) {
        const name = `${lock.name} held by ${lock.holderName}`;
        const pid = pidOf(null, '');
        holders.set(lock.id, { name, pid, holder: lock.holderName });
        events.push({ name, cat: 'lock', ph: 'b', id: lock.id, ts: us(f.now), pid, args: { primitive: lock.primitive, waiters: lock.waiters.map((w) => w.name).join(', ') } });
      }
    }
    for (const s of f.servers) {
      if (s.ended) continue;
      const pid = pidOf(s.id, s.name);
      const args: Record<string, number> = { connections: s.connections, 'messages/s': s.messagesPerSecond, queued: s.queued, busy: s.busy };
      events.push({ name: 'server', ph: 'C', ts: us(f.now), pid, args });
      if (s.p50Ms !== null && s.p99Ms !== null) events.push({ name: 'response time (ms)', ph: 'C', ts: us(f.now), pid, args: { p50: s.p50Ms, p99: s.p99Ms } });
    }
    for (const p of f.pools) {
      if (p.ended) continue;
      events.push({ name: 'pool', ph: 'C', ts: us(f.now), pid: pidOf(p.id, p.name), args: { busy: p.busy, queued: p.queued } });
    }
  }
  for (const id of [...open.keys()]) close(id, rec.endedAt);
  for (const id of [...holders.keys()]) release(id, rec.endedAt);

  wakes.forEach((w, n) => {
    const from = tids.get(w.by);
    const to = tids.get(w.to);
    if (!from || !to || w.at < rec.startedAt) return;
    const id = String(n + 1);
    events.push({ name: 'woke', cat: 'wake', ph: 's', id, ts: us(w.at), pid: from.pid, tid: from.tid });
    events.push({ name: 'woke', cat: 'wake', ph: 'f', bp: 'e', id, ts: us(w.at), pid: to.pid, tid: to.tid });
  });

  // Each message on its connection's track, as an instant.
  for (const s of rec.streams) {
    const t = tids.get(s.id);
    if (!t) continue;
    for (const r of s.records) {
      const bytes = Buffer.from(r.b64, 'base64');
      events.push({
        name: `${DIRECTION_LABELS[r.dir]} ${r.size} B`,
        cat: 'message',
        ph: 'i',
        s: 't',
        ts: us(r.at),
        pid: t.pid,
        tid: t.tid,
        args: { text: escapeBytes(bytes.subarray(0, 256)) + (r.size > 256 ? '…' : '') },
      });
    }
  }
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: {
      producer: 'Socket Lab',
      startedAt: new Date(rec.startedAt).toISOString(),
      durationMs: String(Math.round(rec.endedAt - rec.startedAt)),
      ...(rec.notes.length ? { notes: rec.notes.join(' ') } : {}),
    },
    socketLabRecording: rec,
  };
}

/** Every captured connection's messages, one per line, bytes escaped (never raw). */
export function connectionLogs(rec: Recording): string {
  const out: string[] = [`Socket Lab recording, ${new Date(rec.startedAt).toISOString()} (${((rec.endedAt - rec.startedAt) / 1000).toFixed(1)} s)`, ''];
  if (rec.streams.length === 0) out.push('No connection was open while recording.');
  for (const s of rec.streams) {
    out.push(`== ${s.name} (${s.id}) — ${s.records.length} message${s.records.length === 1 ? '' : 's'}`);
    if (s.unavailable) out.push(`   (${s.unavailable})`);
    if (s.skipped) out.push(`   (${s.skipped} earlier messages not kept: the recording keeps the last ${s.records.length})`);
    for (const r of s.records) {
      const bytes = Buffer.from(r.b64, 'base64');
      const cut = r.size > bytes.length ? ` … ${r.size - bytes.length} more bytes` : '';
      out.push(`+${((r.at - rec.startedAt) / 1000).toFixed(6)} s  ${DIRECTION_LABELS[r.dir]}  ${String(r.size).padStart(6)} B  ${escapeBytes(bytes)}${cut}`);
    }
    if (s.ended) out.push(`   ended: ${s.ended}`);
    out.push('');
  }
  for (const n of rec.notes) out.push(`Note: ${n}`);
  return out.join('\n');
}
