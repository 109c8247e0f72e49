// A recording file is untrusted input (it may be hand-edited, truncated or not ours at all):
// every field is checked before the dashboard sees it, and the first problem is named.
import type { SyncPrimitive } from '../../protocol/views';
import { type Frame, type Lane, type LockRow, type PoolSample, type RecordedStream, type ServerSample, type StreamEntry } from '../../protocol/frames';
import { LANE_STATES } from '../../protocol/states';
import { type Recording } from './format';

/** Files above this are refused before reading (a 10-minute recording is a few MB). */
export const MAX_RECORDING_BYTES = 256 * 1024 * 1024;

const LANE_KINDS = ['thread', 'process', 'connection', 'worker'] as const;
const PRIMITIVES: readonly SyncPrimitive[] = ['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Condition', 'Barrier', 'Value', 'Array', 'dict', 'list', 'Namespace', 'Queue'];
const MAX_TEXT = 10_000;

class Invalid extends Error {}

type Obj = Record<string, unknown>;

function obj(v: unknown, at: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(`${at} is not an object`);
  return v as Obj;
}
function arr(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new Invalid(`${at} is not a list`);
  return v;
}
function str(v: unknown, at: string): string {
  if (typeof v !== 'string' || v.length > MAX_TEXT) throw new Invalid(`${at} is not a string`);
  return v;
}
function strOrNull(v: unknown, at: string): string | null {
  return v === null ? null : str(v, at);
}
function num(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid(`${at} is not a number`);
  return v;
}
function numOrNull(v: unknown, at: string): number | null {
  return v === null ? null : num(v, at);
}
function bool(v: unknown, at: string): boolean {
  if (typeof v !== 'boolean') throw new Invalid(`${at} is not true or false`);
  return v;
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[], at: string): T {
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new Invalid(`${at} is not one of ${allowed.join(', ')}`);
  return found;
}

function woken(v: unknown, at: string): { by: string; at: number } {
  const o = obj(v, at);
  return { by: str(o.by, `${at}.by`), at: num(o.at, `${at}.at`) };
}

function lane(v: unknown, at: string): Lane {
  const o = obj(v, at);
  return {
    id: str(o.id, `${at}.id`),
    kind: oneOf(o.kind, LANE_KINDS, `${at}.kind`),
    name: str(o.name, `${at}.name`),
    groupId: strOrNull(o.groupId, `${at}.groupId`),
    group: str(o.group, `${at}.group`),
    state: oneOf(o.state, LANE_STATES, `${at}.state`),
    label: str(o.label, `${at}.label`),
    since: num(o.since, `${at}.since`),
    holding: arr(o.holding, `${at}.holding`).map((h, i) => str(h, `${at}.holding[${i}]`)),
    waitingForId: strOrNull(o.waitingForId, `${at}.waitingForId`),
    linkId: strOrNull(o.linkId, `${at}.linkId`),
    // Recordings made before wake-ups were tracked have no such field.
    woken: o.woken === undefined || o.woken === null ? null : woken(o.woken, `${at}.woken`),
    ended: bool(o.ended, `${at}.ended`),
  };
}

function lock(v: unknown, at: string): LockRow {
  const o = obj(v, at);
  return {
    id: str(o.id, `${at}.id`),
    name: str(o.name, `${at}.name`),
    primitive: oneOf(o.primitive, PRIMITIVES, `${at}.primitive`),
    holderId: strOrNull(o.holderId, `${at}.holderId`),
    holderName: strOrNull(o.holderName, `${at}.holderName`),
    depth: num(o.depth, `${at}.depth`),
    value: num(o.value, `${at}.value`),
    waiters: arr(o.waiters, `${at}.waiters`).map((w, i) => {
      const x = obj(w, `${at}.waiters[${i}]`);
      return { id: str(x.id, `${at}.waiters[${i}].id`), name: str(x.name, `${at}.waiters[${i}].name`) };
    }),
    acquisitions: num(o.acquisitions, `${at}.acquisitions`),
    contended: num(o.contended, `${at}.contended`),
    totalWaitMs: num(o.totalWaitMs, `${at}.totalWaitMs`),
    maxWaitMs: num(o.maxWaitMs, `${at}.maxWaitMs`),
    totalHoldMs: num(o.totalHoldMs, `${at}.totalHoldMs`),
    maxHoldMs: num(o.maxHoldMs, `${at}.maxHoldMs`),
    deadlocked: bool(o.deadlocked, `${at}.deadlocked`),
    group: str(o.group, `${at}.group`),
  };
}

function server(v: unknown, at: string): ServerSample {
  const o = obj(v, at);
  return {
    id: str(o.id, `${at}.id`),
    name: str(o.name, `${at}.name`),
    connections: num(o.connections, `${at}.connections`),
    messagesPerSecond: num(o.messagesPerSecond, `${at}.messagesPerSecond`),
    bytesIn: num(o.bytesIn, `${at}.bytesIn`),
    bytesOut: num(o.bytesOut, `${at}.bytesOut`),
    queued: num(o.queued, `${at}.queued`),
    busy: num(o.busy, `${at}.busy`),
    p50Ms: numOrNull(o.p50Ms, `${at}.p50Ms`),
    p99Ms: numOrNull(o.p99Ms, `${at}.p99Ms`),
    ended: bool(o.ended, `${at}.ended`),
  };
}

function pool(v: unknown, at: string): PoolSample {
  const o = obj(v, at);
  return {
    id: str(o.id, `${at}.id`),
    name: str(o.name, `${at}.name`),
    size: num(o.size, `${at}.size`),
    busy: num(o.busy, `${at}.busy`),
    queued: num(o.queued, `${at}.queued`),
    ended: bool(o.ended, `${at}.ended`),
  };
}

function frame(v: unknown, at: string): Frame {
  const o = obj(v, at);
  return {
    now: num(o.now, `${at}.now`),
    lanes: arr(o.lanes, `${at}.lanes`).map((x, i) => lane(x, `${at}.lanes[${i}]`)),
    locks: arr(o.locks, `${at}.locks`).map((x, i) => lock(x, `${at}.locks[${i}]`)),
    servers: arr(o.servers, `${at}.servers`).map((x, i) => server(x, `${at}.servers[${i}]`)),
    pools: arr(o.pools, `${at}.pools`).map((x, i) => pool(x, `${at}.pools[${i}]`)),
    gone: arr(o.gone, `${at}.gone`).map((x, i) => str(x, `${at}.gone[${i}]`)),
  };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function entry(v: unknown, at: string): StreamEntry {
  const o = obj(v, at);
  const b64 = str(o.b64, `${at}.b64`);
  if (!BASE64.test(b64)) throw new Invalid(`${at}.b64 is not base64`);
  return { seq: num(o.seq, `${at}.seq`), at: num(o.at, `${at}.at`), dir: oneOf(o.dir, ['in', 'out'] as const, `${at}.dir`), size: num(o.size, `${at}.size`), b64 };
}

function stream(v: unknown, at: string): RecordedStream {
  const o = obj(v, at);
  return {
    id: str(o.id, `${at}.id`),
    name: str(o.name, `${at}.name`),
    records: arr(o.records, `${at}.records`).map((x, i) => entry(x, `${at}.records[${i}]`)),
    skipped: num(o.skipped, `${at}.skipped`),
    unavailable: strOrNull(o.unavailable, `${at}.unavailable`),
    ended: strOrNull(o.ended, `${at}.ended`),
  };
}

/**
 * A recording from a file's parsed JSON: a Socket Lab trace export (the recording rides in it)
 * or a bare recording. Returns a plain-words reason when it is not one.
 */
export function parseRecording(json: unknown): Recording | string {
  try {
    const top = obj(json, 'the file');
    const raw = 'socketLabRecording' in top ? obj(top.socketLabRecording, 'socketLabRecording') : top;
    if (raw.format !== 'socket-lab-recording') {
      return 'traceEvents' in top
        ? 'This trace was not exported by Socket Lab (it has no socketLabRecording): open it in Perfetto instead.'
        : 'This is not a Socket Lab recording (no "format": "socket-lab-recording").';
    }
    if (raw.version !== 1) return `This recording has version ${String(raw.version)}; this Socket Lab reads version 1.`;
    const startedAt = num(raw.startedAt, 'startedAt');
    const endedAt = num(raw.endedAt, 'endedAt');
    if (endedAt < startedAt) throw new Invalid('endedAt is before startedAt');
    return {
      format: 'socket-lab-recording',
      version: 1,
      startedAt,
      endedAt,
      frames: arr(raw.frames, 'frames').map((f, i) => frame(f, `frames[${i}]`)),
      streams: arr(raw.streams, 'streams').map((s, i) => stream(s, `streams[${i}]`)),
      notes: arr(raw.notes, 'notes').map((n, i) => str(n, `notes[${i}]`)),
    };
  } catch (err) {
    if (err instanceof Invalid) return `This recording is damaged: ${err.message}.`;
    throw err;
  }
}
