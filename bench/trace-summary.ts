// Where a Chromium performance trace (bench/inspector.ts --trace FILE) spent its time: per
// process and thread, self time by trace event name, and from the V8 sampling profile the
// functions with the most self time (with their script), so a UI cost can be put on the part
// of the workbench or the dashboard that causes it.
// Usage: node --import tsx bench/trace-summary.ts FILE [--top N]
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const top = Number(values.top);

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  id?: string;
  args?: {
    name?: string;
    data?: {
      cpuProfile?: { nodes?: ProfileNode[]; samples?: number[] };
      timeDeltas?: number[];
    };
  };
}
interface ProfileNode {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url?: string; lineNumber: number };
}

const raw = JSON.parse(fs.readFileSync(positionals[0]!, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
const events = Array.isArray(raw) ? raw : raw.traceEvents;
const procName = new Map<number, string>();
const threadName = new Map<string, string>();
for (const e of events) {
  if (e.ph !== 'M') continue;
  if (e.name === 'process_name') procName.set(e.pid, e.args?.name ?? '?');
  if (e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
}
const ts = events.filter((e) => e.ts > 0).map((e) => e.ts);
const spanS = (Math.max(...ts) - Math.min(...ts)) / 1e6;
console.log(`trace span ${spanS.toFixed(1)} s, ${events.length} events`);

// Self time of complete events, per thread: a child's duration is taken from its parent's.
const byThread = new Map<string, TraceEvent[]>();
for (const e of events) {
  if (e.ph !== 'X' || e.dur === undefined) continue;
  const k = `${e.pid}:${e.tid}`;
  let list = byThread.get(k);
  if (!list) byThread.set(k, (list = []));
  list.push(e);
}
const threadTotals: { key: string; busy: number; self: Map<string, number> }[] = [];
for (const [key, list] of byThread) {
  list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  let busy = 0;
  for (const e of list) {
    while (stack.length && stack[stack.length - 1]!.end <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur!);
    else busy += e.dur!;
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
    stack.push({ end: e.ts + e.dur!, name: e.name });
  }
  threadTotals.push({ key, busy, self });
}
threadTotals.sort((a, b) => b.busy - a.busy);
for (const t of threadTotals.slice(0, 8)) {
  const [pid] = t.key.split(':');
  console.log(`\n${procName.get(Number(pid)) ?? pid} / ${threadName.get(t.key) ?? t.key}: busy ${((t.busy / 1e6 / spanS) * 100).toFixed(1)} % of the span`);
  for (const [name, us] of [...t.self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
}

// The V8 sampling profile arrives as ProfileChunk events per profile id.
const nodes = new Map<string, Map<number, ProfileNode>>();
const selfUs = new Map<string, number>();
for (const e of events) {
  if (e.name !== 'ProfileChunk') continue;
  const key = `${e.pid}:${e.id}`;
  let m = nodes.get(key);
  if (!m) nodes.set(key, (m = new Map()));
  const d = e.args?.data;
  for (const n of d?.cpuProfile?.nodes ?? []) m.set(n.id, n);
  const samples = d?.cpuProfile?.samples ?? [];
  const deltas = d?.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const n = m.get(samples[i]!);
    if (!n) continue;
    const f = n.callFrame;
    if (f.functionName === '(idle)' || f.functionName === '(program)') continue;
    const name = `${f.functionName || '(anonymous)'} ${(f.url ?? '').replace(/^.*\/(out|pre|dist)\//, '$1/')}:${f.lineNumber}`;
    selfUs.set(name, (selfUs.get(name) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
  }
}
if (selfUs.size) {
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  console.log(`\nV8 samples: ${(total / 1000).toFixed(0)} ms of JavaScript; top self time:`);
  for (const [name, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
  const byScript = new Map<string, number>();
  for (const [name, us] of selfUs) {
    const script = name.split(' ').pop()!.replace(/:\d+$/, '');
    byScript.set(script, (byScript.get(script) ?? 0) + us);
  }
  console.log('by script:');
  for (const [s, us] of [...byScript].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${(us / 1000).toFixed(0).padStart(7)} ms  ${s}`);
}
