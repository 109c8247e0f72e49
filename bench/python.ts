// The Python tracer's cost, side by side in one run (traced vs untraced, same program, same load):
//  1. a ThreadingTCPServer echo (bench/ref/py-threading-echo.py) at 10 and 100 connections,
//     C load generator; traced = run by a real Engine that mirrors its state as the views do;
//  2. 4 threads × 100,000 lock-protected increments;
//  3. start-up added by the tracer (a file that does nothing);
//  4. latency: a thread starts waiting for a lock in the program → seen in the state mirror the
//     trees draw from (the extension's 200 ms publisher tick included);
//  5. the extension side: a traced program with 100 threads and 1,000 connections under load,
//     watched (state mirror subscribed, views built) vs not watched: its throughput, and the
//     engine's event-loop delay (the extension host's, where the engine runs).
// Usage: node --import tsx bench/python.ts [--quick] [--rounds R] [--seconds S] [--only echo,locks,startup,latency,extension]
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { Engine } from '../src/engine/engine';
import type { PythonRun } from '../src/engine/python/pythonRun';
import { StateMirror } from '../src/feeds/stateMirror';
import type { ThreadView } from '../src/protocol/views';
import { compileC, machine, median, root, type EchoResult } from './support';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, rounds: { type: 'string' }, seconds: { type: 'string' }, only: { type: 'string' } } });
/** `--only echo,locks`: the parts to run (all by default). */
const only = new Set((values.only ?? 'echo,locks,startup,latency,extension').split(','));
const rounds = Number(values.rounds ?? (values.quick ? 2 : 3));
const seconds = Number(values.seconds ?? (values.quick ? 1 : 3));
const tracerDir = path.join(root, 'python');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-bench-py-'));

function file(name: string, source: string): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, source);
  return f;
}

/** An engine with a subscriber, as the extension has while a view is open. */
function watchedEngine(): { engine: Engine; mirror: StateMirror; done(): Promise<void> } {
  const engine = new Engine({ tracerDir });
  const mirror = new StateMirror();
  mirror.setEngine(engine);
  const watching = mirror.acquire();
  return {
    engine,
    mirror,
    async done() {
      watching.dispose();
      await engine.dispose();
      mirror.dispose();
    },
  };
}

async function firstLine(stream: NodeJS.ReadableStream, re: RegExp): Promise<RegExpExecArray> {
  const lines = readline.createInterface({ input: stream });
  for await (const l of lines) {
    const m = re.exec(l);
    if (m) return m;
  }
  throw new Error(`no line matching ${re}`);
}

// The server on one core and the load generator on the other, for both runs alike. Unpinned, the
// kernel moves a hundred server threads between the two cores and the same untraced server
// measured 33,000 or 75,000 msgs/s from one round to the next. The engine is not pinned: its
// work competes with both, as in VS Code.
const PIN = os.cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;

function pin(pid: number | undefined): void {
  if (PIN && pid !== undefined) execFileSync('taskset', ['-a', '-p', '-c', '0', String(pid)], { stdio: 'ignore' });
}

/** The C load generator, asynchronously: the engine must go on reading the program's channel meanwhile. */
function load(client: string, port: number, conns: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['127.0.0.1', String(port), String(conns), String(seconds), '64', '0.5'];
    execFile(PIN ? 'taskset' : client, PIN ? ['-c', '1', client, ...args] : args, { encoding: 'utf8' }, (err, stdout) => {
      if (err && !stdout) return reject(err);
      const r = JSON.parse(stdout) as EchoResult;
      if (r.errors || r.bad_bytes) return reject(new Error(`${r.errors} errors, ${r.bad_bytes} bad bytes`));
      resolve(r.msgs_per_s);
    });
  });
}

async function echo(): Promise<{ conns: number; ratio: number; perRound: number[]; traced: number; plain: number }[]> {
  const client = compileC('echo_client');
  const server = path.join(root, 'bench', 'ref', 'py-threading-echo.py');
  const out = [];
  for (const conns of [10, 100]) {
    const perRound: number[] = [];
    const traced: number[] = [];
    const plain: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Untraced.
      // In a session of its own, as the traced one (and as either runs in a terminal): the kernel's
      // autogroups share the CPU per session, so where each runs changes its share of the cores.
      const p = spawn('python3', [server], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
      const port = Number((await firstLine(p.stdout, /:(\d+)$/))[1]);
      pin(p.pid);
      const a = await load(client, port, conns);
      p.kill();
      // Traced, watched.
      const w = watchedEngine();
      const run: PythonRun = await w.engine.runPython({ file: server, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'pipe', 'inherit'] } });
      const tport = Number((await firstLine(run.process!.stdout!, /:(\d+)$/))[1]);
      pin(run.process!.pid);
      const b = await load(client, tport, conns);
      const seen = [...w.mirror.all()].filter((v) => v.kind === 'connection').length;
      await run.stop();
      await w.done();
      if (seen < conns) throw new Error(`the mirror saw ${seen} of ${conns} connections`);
      plain.push(a);
      traced.push(b);
      perRound.push(b / a);
    }
    out.push({ conns, ratio: median(perRound), perRound, traced: median(traced), plain: median(plain) });
  }
  return out;
}

const COUNTER = file(
  'counter.py',
  `import threading, time
counter_lock = threading.Lock()
n = 0
def work():
    global n
    for _ in range(100000):
        with counter_lock:
            n += 1
t0 = time.perf_counter()
ts = [threading.Thread(target=work) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
assert n == 400000
print(time.perf_counter() - t0)
`,
);

async function tracedRun(f: string): Promise<{ stdout: string; ms: number }> {
  const w = watchedEngine();
  const t0 = performance.now();
  const run = await w.engine.runPython({ file: f, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'pipe', 'inherit'] } });
  let stdout = '';
  run.process!.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  // The program's own time, to its exit (the run itself ends a moment later, once all is read).
  await new Promise<void>((resolve) => run.process!.once('exit', () => resolve()));
  const ms = performance.now() - t0;
  const end = await run.finished;
  await w.done();
  if (end.exitCode !== 0) throw new Error(`${f} exited ${end.exitCode}`);
  return { stdout, ms };
}

function plainRun(f: string): { stdout: string; ms: number } {
  const t0 = performance.now();
  const stdout = execFileSync('python3', [f], { encoding: 'utf8' });
  return { stdout, ms: performance.now() - t0 };
}

async function locks(): Promise<{ ratio: number; perRound: number[]; plainS: number; tracedS: number }> {
  const perRound: number[] = [];
  const p: number[] = [];
  const t: number[] = [];
  for (let r = 0; r < Math.max(5, rounds * 2); r++) {
    const a = Number(plainRun(COUNTER).stdout);
    const b = Number((await tracedRun(COUNTER)).stdout);
    p.push(a);
    t.push(b);
    perRound.push(b / a);
  }
  return { ratio: median(perRound), perRound, plainS: median(p), tracedS: median(t) };
}

async function startup(): Promise<{ addedMs: number; plainMs: number; tracedMs: number }> {
  const nothing = file('nothing.py', 'pass\n');
  const p: number[] = [];
  const t: number[] = [];
  for (let r = 0; r < 10; r++) {
    p.push(plainRun(nothing).ms);
    t.push((await tracedRun(nothing)).ms);
  }
  return { addedMs: median(t) - median(p), plainMs: median(p), tracedMs: median(t) };
}

async function latency(samples: number): Promise<{ p50: number; p99: number; max: number; samples: number }> {
  const prog = file(
    'waits.py',
    `import sys, threading, time
lock = threading.Lock()
def waiter(i):
    print(repr(time.time() * 1000), flush=True)
    with lock:
        pass
for i in range(${samples}):
    lock.acquire()
    t = threading.Thread(target=waiter, args=(i,), name='waiter-%d' % i)
    t.start()
    sys.stdin.readline()
    lock.release()
    t.join()
`,
  );
  const w = watchedEngine();
  const run = await w.engine.runPython({ file: prog, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['pipe', 'pipe', 'inherit'] } });
  const lines = readline.createInterface({ input: run.process!.stdout! })[Symbol.asyncIterator]();
  const delays: number[] = [];
  for (let i = 0; i < samples; i++) {
    const before = Number((await lines.next()).value);
    const seenAt = await new Promise<number>((resolve) => {
      const check = () => {
        const t = [...w.mirror.all()].find((v): v is ThreadView => v.kind === 'thread' && v.name === `waiter-${i}` && v.state === 'waiting for lock');
        if (t) {
          sub.dispose();
          resolve(Date.now());
        }
      };
      const sub = w.mirror.onDidChange(check);
      check();
    });
    delays.push(seenAt - before);
    run.process!.stdin!.write('\n');
  }
  await run.finished;
  await w.done();
  const s = [...delays].sort((a, b) => a - b);
  return { p50: median(s), p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!, max: s[s.length - 1]!, samples };
}

const BUSY = path.join(root, 'bench', 'ref', 'py-busy-server.py');

async function extensionSide(): Promise<{ ratio: number; perRound: number[]; delayWatched: number; delayUnwatched: number }> {
  const client = compileC('echo_client');
  const perRound: number[] = [];
  const delays = { watched: [] as number[], unwatched: [] as number[] };
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  for (let r = 0; r < rounds; r++) {
    const got: Record<'watched' | 'unwatched', number> = { watched: 0, unwatched: 0 };
    for (const mode of r % 2 ? (['unwatched', 'watched'] as const) : (['watched', 'unwatched'] as const)) {
      const engine = new Engine({ tracerDir });
      const mirror = new StateMirror();
      mirror.setEngine(engine);
      const watching = mode === 'watched' ? mirror.acquire() : undefined;
      const run = await engine.runPython({ file: BUSY, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'pipe', 'inherit'] } });
      const port = Number((await firstLine(run.process!.stdout!, /:(\d+)$/))[1]);
      pin(run.process!.pid);
      const h = monitorEventLoopDelay({ resolution: 10 });
      h.enable();
      got[mode] = await load(client, port, 1000);
      h.disable();
      delays[mode].push(h.percentile(99) / 1e6);
      if (mode === 'watched' && [...mirror.all()].filter((v) => v.kind === 'thread').length < 100) throw new Error('the mirror did not see the 100 threads');
      await run.stop();
      watching?.dispose();
      await engine.dispose();
      mirror.dispose();
    }
    perRound.push(got.watched / got.unwatched);
  }
  return { ratio: median(perRound), perRound, delayWatched: median(delays.watched), delayUnwatched: median(delays.unwatched) };
}

async function main(): Promise<void> {
  console.log(`# Python tracer, traced vs untraced — ${new Date().toISOString().slice(0, 10)} · ${machine()} · ${execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim()}`);
  const e = only.has('echo') ? await echo() : [];
  for (const r of e)
    console.log(
      `echo ${r.conns} conns: traced/untraced ${r.ratio.toFixed(2)}× (per round ${r.perRound.map((x) => x.toFixed(2)).join(', ')}; ${Math.round(r.traced)} vs ${Math.round(r.plain)} msgs/s) — target ≥ 0.8×: ${r.ratio >= 0.8 ? 'met' : 'NOT met'}`,
    );
  if (only.has('locks')) {
    const l = await locks();
    console.log(
      `4 threads × 100,000 locked increments: traced/untraced ${l.ratio.toFixed(2)}× (per round ${l.perRound.map((x) => x.toFixed(2)).join(', ')}; ${l.tracedS.toFixed(3)} vs ${l.plainS.toFixed(3)} s) — target ≤ 2×: ${l.ratio <= 2 ? 'met' : 'NOT met'}`,
    );
  }
  if (only.has('startup')) {
    const s = await startup();
    console.log(
      `start-up added: ${s.addedMs.toFixed(1)} ms (a file that does nothing: ${s.tracedMs.toFixed(1)} vs ${s.plainMs.toFixed(1)} ms, medians of 10, engine and channel included) — target ≤ 50 ms: ${s.addedMs <= 50 ? 'met' : 'NOT met'}`,
    );
  }
  if (only.has('latency')) {
    const lat = await latency(values.quick ? 30 : 100);
    console.log(
      `a thread starts waiting for a lock → in the state mirror: p50 ${lat.p50.toFixed(0)} ms, p99 ${lat.p99.toFixed(0)} ms, max ${lat.max.toFixed(0)} ms over ${lat.samples} — target p99 ≤ 250 ms: ${lat.p99 <= 250 ? 'met' : 'NOT met'}`,
    );
  }
  if (only.has('extension')) {
    const x = await extensionSide();
    console.log(
      `100 threads + 1,000 connections, watched / not watched: throughput ${x.ratio.toFixed(2)}× (per round ${x.perRound.map((v) => v.toFixed(2)).join(', ')}) — target ≥ 0.9×: ${x.ratio >= 0.9 ? 'met' : 'NOT met'}; engine event-loop delay p99 ${x.delayWatched.toFixed(1)} vs ${x.delayUnwatched.toFixed(1)} ms (+${(x.delayWatched - x.delayUnwatched).toFixed(1)} ms) — target ≤ +20 ms: ${x.delayWatched - x.delayUnwatched <= 20 ? 'met' : 'NOT met'}`,
    );
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
