// What the Python tracer (python/socketlab_trace) sends, one JSON object per line, checked on
// arrival: the program is the user's, and anything on the channel is input, not truth.

/** A record's latest fields, as the tracer ships them (see python/socketlab_trace/state.py). */
export interface TracerRecord {
  readonly id: string;
  readonly kind: 'thread' | 'sync' | 'socket' | 'process' | 'pool' | 'worker';
  readonly created: number;
  readonly ended: number | null;
  readonly [field: string]: unknown;
}

export type TracerMessage =
  | {
      readonly type: 'hello';
      readonly token: string;
      readonly pid: number;
      readonly ppid: number;
      readonly argv: readonly string[];
      readonly file: string | null;
      readonly python: string;
      /** Set by our launcher (the terminal's process), not by a traced Python process. */
      readonly role?: 'launcher';
      readonly pgid?: number;
    }
  | { readonly type: 'program'; readonly file: string; readonly argv: readonly string[] }
  | { readonly type: 'process'; readonly name: string; readonly pid: number }
  | {
      readonly type: 'batch';
      readonly now: number;
      readonly records: readonly TracerRecord[];
      readonly dropped: Readonly<Record<string, number>>;
      /** What followed connections carried since the last batch. */
      readonly streams: readonly StreamChunk[];
    }
  | { readonly type: 'error'; readonly part: string; readonly message: string }
  | { readonly type: 'exit'; readonly code: number | null; readonly signal?: string | null; readonly now?: number };

/** One read or write of a followed connection (or how many the tracer could not keep). */
export type StreamChunk =
  { readonly id: string; readonly dir: 'in' | 'out'; readonly at: number; readonly size: number; readonly data: Uint8Array } | { readonly id: string; readonly dropped: number };

function streamChunk(x: unknown): StreamChunk | undefined {
  if (!isObject(x) || !isStr(x.id, 200)) return undefined;
  if (isNum(x.dropped)) return { id: x.id, dropped: x.dropped };
  if ((x.dir !== 'in' && x.dir !== 'out') || !isNum(x.at) || !isNum(x.size) || !isStr(x.data, 16 * 1024)) return undefined;
  return { id: x.id, dir: x.dir, at: x.at, size: x.size, data: Buffer.from(x.data, 'base64') };
}

const KINDS = new Set(['thread', 'sync', 'socket', 'process', 'pool', 'worker']);

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStr = (x: unknown, max = 4096): x is string => typeof x === 'string' && x.length <= max;
const strings = (x: unknown): x is string[] => Array.isArray(x) && x.length <= 1000 && x.every((s) => isStr(s));

function record(x: unknown): TracerRecord | undefined {
  if (!isObject(x) || !isStr(x.id, 200) || !isStr(x.kind) || !KINDS.has(x.kind) || !isNum(x.created)) return undefined;
  if (x.ended !== null && x.ended !== undefined && !isNum(x.ended)) return undefined;
  return { ...x, ended: x.ended ?? null } as TracerRecord;
}

/** One line from the channel, or why it is not a message (said once by the caller). */
export function parseTracerLine(line: string): TracerMessage | string {
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch {
    return 'a line that is not JSON';
  }
  if (!isObject(x) || !isStr(x.type, 20)) return 'a message without a type';
  switch (x.type) {
    case 'hello':
      if (!isStr(x.token, 200) || !isNum(x.pid)) return 'a hello without token or pid';
      return {
        type: 'hello',
        token: x.token,
        pid: x.pid,
        ppid: isNum(x.ppid) ? x.ppid : 0,
        argv: strings(x.argv) ? x.argv : [],
        file: isStr(x.file) ? x.file : null,
        python: isStr(x.python, 40) ? x.python : '',
        ...(x.role === 'launcher' ? { role: 'launcher' as const } : {}),
        ...(isNum(x.pgid) ? { pgid: x.pgid } : {}),
      };
    case 'program':
      return isStr(x.file) ? { type: 'program', file: x.file, argv: strings(x.argv) ? x.argv : [] } : 'a program message without a file';
    case 'process':
      return isStr(x.name, 500) && isNum(x.pid) ? { type: 'process', name: x.name, pid: x.pid } : 'a process message without name or pid';
    case 'batch': {
      if (!Array.isArray(x.records)) return 'a batch without records';
      const records: TracerRecord[] = [];
      for (const r of x.records) {
        const rec = record(r);
        if (rec) records.push(rec);
      }
      const dropped: Record<string, number> = {};
      if (isObject(x.dropped)) for (const [k, v] of Object.entries(x.dropped)) if (KINDS.has(k) && isNum(v)) dropped[k] = v;
      const streams: StreamChunk[] = [];
      if (Array.isArray(x.streams))
        for (const c of x.streams) {
          const chunk = streamChunk(c);
          if (chunk) streams.push(chunk);
        }
      return { type: 'batch', now: isNum(x.now) ? x.now : Date.now(), records, dropped, streams };
    }
    case 'error':
      return { type: 'error', part: isStr(x.part, 100) ? x.part : '?', message: isStr(x.message) ? x.message : '' };
    case 'exit':
      return { type: 'exit', code: isNum(x.code) ? x.code : null, signal: isStr(x.signal, 20) ? x.signal : null, ...(isNum(x.now) ? { now: x.now } : {}) };
    default:
      return `a message of unknown type "${x.type}"`;
  }
}

/** Field readers for a record's loosely typed fields: a wrong type reads as absent. */
export const field = {
  str(r: TracerRecord, k: string): string | null {
    const v = r[k];
    return typeof v === 'string' ? v : null;
  },
  num(r: TracerRecord, k: string): number | null {
    const v = r[k];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  },
  bool(r: TracerRecord, k: string): boolean {
    return r[k] === true;
  },
  nums(r: TracerRecord, k: string): number[] {
    const v = r[k];
    return Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
  },
  obj(r: TracerRecord, k: string): Record<string, unknown> | null {
    const v = r[k];
    return isObject(v) ? v : null;
  },
  list(r: TracerRecord, k: string): unknown[] {
    const v = r[k];
    return Array.isArray(v) ? v : [];
  },
};
