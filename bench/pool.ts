// Worker pools in one run: ours (instrumented, multiprocessing.Pool's API) against piscina for
// trivial tasks at concurrency 1 and 64 on 2 workers; map's automatic chunking against
// chunksize 1; pool creation to first result against a raw Worker / fork(); Python's
// multiprocessing.Pool(2) for scale. Usage: node --import tsx bench/pool.ts [--seconds 2 --rounds 3]
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Pool } from '../src/engine/pool/pool';
import { StateModel } from '../src/engine/state/model';
import { machine, median, root } from './support';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' } } });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const noop = path.join(__dirname, 'programs', 'noop-task.cjs');
const workers = { 'pool-worker': path.join(root, 'dist', 'pool-worker.js') };

interface Load {
  readonly perS: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/** Keeps `concurrency` tasks in flight for `seconds`; latency from submit to result. */
async function load(run: (i: number) => Promise<unknown>, concurrency: number): Promise<Load> {
  const lat: number[] = [];
  let done = 0;
  const warmEnd = performance.now() + 300;
  const end = warmEnd + seconds * 1000;
  let measuredFrom = 0;
  const lane = async () => {
    for (let i = 0; ; i++) {
      const t0 = performance.now();
      if (t0 >= end) return;
      await run(i);
      const t1 = performance.now();
      if (t0 >= warmEnd) {
        if (!measuredFrom) measuredFrom = t0;
        lat.push((t1 - t0) * 1000);
        done++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const s = [...lat].sort((a, b) => a - b);
  return { perS: done / ((performance.now() - measuredFrom) / 1000), p50Us: s[Math.floor(s.length * 0.5)]!, p99Us: s[Math.floor(s.length * 0.99)]! };
}

async function ours(concurrency: number): Promise<Load> {
  const pool = new Pool({ model: new StateModel({ retentionMs: 0 }), processes: 2, kind: 'thread', workers });
  await pool.apply('noop', [0]);
  const r = await load((i) => pool.apply_async(`${noop}#noop`, [i]).get(), concurrency);
  await pool.terminate();
  return r;
}

async function piscina(concurrency: number): Promise<Load> {
  const pool = new Piscina({ filename: noop, minThreads: 2, maxThreads: 2 });
  await pool.run(0);
  const r = await load((i) => pool.run(i), concurrency);
  await pool.destroy();
  return r;
}

async function mapChunking(): Promise<{ autoMs: number; oneMs: number }> {
  const pool = new Pool({ model: new StateModel({ retentionMs: 0 }), processes: 2, kind: 'thread', workers });
  const items = Array.from({ length: 200_000 }, (_, i) => i);
  await pool.map('noop', items.slice(0, 1000));
  let t0 = performance.now();
  await pool.map('noop', items);
  const autoMs = performance.now() - t0;
  t0 = performance.now();
  await pool.map('noop', items, 1);
  const oneMs = performance.now() - t0;
  await pool.terminate();
  return { autoMs, oneMs };
}

const rawChild = path.join(os.tmpdir(), `socket-lab-bench-pool-child-${process.pid}.js`);

async function firstResult(kind: 'thread' | 'process'): Promise<{ ours: number; raw: number }> {
  const oursMs: number[] = [];
  const rawMs: number[] = [];
  for (let i = 0; i < 7; i++) {
    let t0 = performance.now();
    const pool = new Pool({ model: new StateModel({ retentionMs: 0 }), processes: 1, kind, workers });
    await pool.apply('noop', [1]);
    oursMs.push(performance.now() - t0);
    await pool.terminate();
    t0 = performance.now();
    if (kind === 'thread') {
      const w = new Worker("require('node:worker_threads').parentPort.postMessage(1)", { eval: true, execArgv: [] });
      await new Promise((r) => w.once('message', r));
      rawMs.push(performance.now() - t0);
      await w.terminate();
    } else {
      const c = fork(rawChild, [], { execArgv: [], stdio: 'ignore' });
      await new Promise((r) => c.once('message', r));
      rawMs.push(performance.now() - t0);
      await new Promise((r) => c.once('exit', r));
    }
  }
  return { ours: median(oursMs), raw: median(rawMs) };
}

function python(): { applyAsyncPerS: number; applyP50Us: number; mapChunk1PerS: number; mapAutoPerS: number } | null {
  const code = `
import multiprocessing as mp, time
def noop(x): return x
if __name__ == '__main__':
    with mp.Pool(2) as p:
        p.apply(noop, (0,))
        lat = []
        for i in range(2000):
            t0 = time.perf_counter(); p.apply(noop, (i,)); lat.append(time.perf_counter() - t0)
        lat.sort()
        n = 20000
        t0 = time.perf_counter()
        rs = [p.apply_async(noop, (i,)) for i in range(n)]
        for r in rs: r.get()
        aa = n / (time.perf_counter() - t0)
        items = list(range(200000))
        t0 = time.perf_counter(); p.map(noop, items); auto = 200000 / (time.perf_counter() - t0)
        t0 = time.perf_counter(); p.map(noop, items, chunksize=1); one = 200000 / (time.perf_counter() - t0)
        print(aa, lat[len(lat) // 2] * 1e6, one, auto)
`;
  try {
    const file = path.join(os.tmpdir(), `socket-lab-bench-pool-${process.pid}.py`);
    fs.writeFileSync(file, code);
    const [aa, p50, one, auto] = execFileSync('python3', [file], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    fs.rmSync(file, { force: true });
    return { applyAsyncPerS: aa!, applyP50Us: p50!, mapChunk1PerS: one!, mapAutoPerS: auto! };
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  fs.writeFileSync(rawChild, 'process.send(1, () => process.exit(0));\n');
  console.log(`# pools — ${machine()}; 2 workers; ${rounds} alternating rounds × ${seconds} s`);
  const rows: string[] = [];
  for (const c of [1, 64]) {
    const o: Load[] = [];
    const p: Load[] = [];
    for (let r = 0; r < rounds; r++) {
      o.push(await ours(c));
      p.push(await piscina(c));
    }
    const ratios = o.map((x, i) => x.perS / p[i]!.perS);
    const med = (xs: Load[], k: keyof Load) => median(xs.map((x) => x[k]));
    rows.push(
      `| ${c} | ${Math.round(med(o, 'perS'))}/s (p50 ${med(o, 'p50Us').toFixed(0)} µs, p99 ${med(o, 'p99Us').toFixed(0)} µs) | ${Math.round(med(p, 'perS'))}/s (p50 ${med(p, 'p50Us').toFixed(0)} µs, p99 ${med(p, 'p99Us').toFixed(0)} µs) | **${median(ratios).toFixed(2)}×** (${ratios.map((x) => x.toFixed(2)).join(', ')}) |`,
    );
    console.log(`concurrency ${c}: ours ${Math.round(med(o, 'perS'))}/s, piscina ${Math.round(med(p, 'perS'))}/s → ${median(ratios).toFixed(2)}× (target ≥ 1.0×)`);
  }
  const map = await mapChunking();
  console.log(`map over 200k trivial items: auto chunking ${map.autoMs.toFixed(0)} ms, chunksize 1 ${map.oneMs.toFixed(0)} ms → ${(map.oneMs / map.autoMs).toFixed(1)}× faster (target ≥ 10×)`);
  const ft = await firstResult('thread');
  const fp = await firstResult('process');
  console.log(
    `pool creation → first result: thread pool ${ft.ours.toFixed(1)} ms vs new Worker() ${ft.raw.toFixed(1)} ms → ${(ft.ours / ft.raw).toFixed(2)}×; process pool ${fp.ours.toFixed(1)} ms vs fork() ${fp.raw.toFixed(1)} ms → ${(fp.ours / fp.raw).toFixed(2)}× (target ≤ 1.2×)`,
  );
  const py = python();
  if (py)
    console.log(
      `Python multiprocessing.Pool(2): apply_async ${Math.round(py.applyAsyncPerS)}/s, apply p50 ${py.applyP50Us.toFixed(0)} µs, map chunksize 1 ${Math.round(py.mapChunk1PerS)} items/s, default chunking ${Math.round(py.mapAutoPerS)} items/s`,
    );
  console.log('\n| concurrency | ours (thread pool) | piscina | ours / piscina (median; per round) |\n|---|---|---|---|');
  for (const r of rows) console.log(r);
  fs.rmSync(rawChild, { force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
