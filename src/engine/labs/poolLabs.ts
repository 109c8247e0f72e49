import { type LabDefinition, ms, param } from './lab';

export const poolLab: LabDefinition = {
  name: 'pool',
  title: 'Pool: apply_async vs apply',
  group: 'pools',
  explanation:
    'A Pool of N workers runs M tasks that each sleep S seconds and return i + 100. With apply_async and a ' +
    'callback, all M are queued at once and N run at a time: about M/N × S. With apply, each call waits for its ' +
    'result before the next is sent: M × S, however many workers there are. The Pools view shows the workers busy ' +
    'or idle and the queue.',
  params: [
    param('workers', 'Pool(processes=N)', 5, 1, 40),
    param('tasks', 'how many tasks', 10, 1, 1000),
    param('seconds', 'how long each task sleeps', 2, 0, 60),
    param('threads', '1: worker threads; 0: child processes (as Python)', 0, 0, 1),
  ],
  async run({ params, print, pool: makePool, progress }) {
    const n = params.workers!;
    const m = params.tasks!;
    const s = params.seconds!;
    const kind = params.threads ? 'thread' : 'process';
    const pool = makePool({ processes: n, kind, name: `Pool(${n}) of ${kind}es`.replace('threades', 'threads') });
    print(`apply_async: queue ${m} tasks at once, a callback prints each result`);
    let t0 = performance.now();
    let callbacks = 0;
    const results = Array.from({ length: m }, (_, i) =>
      pool.apply_async<number>('sleep', [i, s], {
        callback: (v) => {
          callbacks++;
          progress(callbacks, 2 * m);
          print(`callback (on the MainThread): ${v}`);
        },
      }),
    );
    for (const r of results) await r.get();
    const applyAsyncMs = ms(t0);
    print(`apply_async: all ${m} done in ${applyAsyncMs} ms`);
    print(`apply: one task at a time, each waited for`);
    t0 = performance.now();
    for (let i = 0; i < m; i++) {
      print(`apply → ${await pool.apply<number>('sleep', [i, s])}`);
      progress(m + i + 1, 2 * m);
    }
    const applyMs = ms(t0);
    print(`apply: all ${m} done in ${applyMs} ms`);
    pool.close();
    await pool.join();
    return {
      summary: `Pool(${n}), ${m} tasks of ${s} s: apply_async took ${(applyAsyncMs / 1000).toFixed(2)} s (≈ ${Math.ceil(m / n)} × ${s} s); apply took ${(applyMs / 1000).toFixed(2)} s (≈ ${m} × ${s} s).`,
      figures: { workers: n, tasks: m, seconds: s, kind, applyAsyncMs, applyMs, callbacks },
    };
  },
};
