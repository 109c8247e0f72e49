import * as l10n from '@vscode/l10n';
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
  imitation: null,
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
    print(l10n.t('apply_async: queue {0} tasks at once, a callback prints each result', m));
    let t0 = performance.now();
    let callbacks = 0;
    const results = Array.from({ length: m }, (_, i) =>
      pool.apply_async<number>('sleep', [i, s], {
        callback: (v) => {
          callbacks++;
          progress(callbacks, 2 * m);
          print(l10n.t('callback (on the MainThread): {0}', v));
        },
      }),
    );
    for (const r of results) await r.get();
    const applyAsyncMs = ms(t0);
    print(l10n.t('apply_async: all {0} done in {1} ms', m, applyAsyncMs));
    print(l10n.t('apply: one task at a time, each waited for'));
    t0 = performance.now();
    for (let i = 0; i < m; i++) {
      print(l10n.t('apply → {0}', await pool.apply<number>('sleep', [i, s])));
      progress(m + i + 1, 2 * m);
    }
    const applyMs = ms(t0);
    print(l10n.t('apply: all {0} done in {1} ms', m, applyMs));
    pool.close();
    await pool.join();
    return {
      summary: l10n.t(
        'Pool({0}), {1} tasks of {2} s: apply_async took {3} s (≈ {4} × {5} s); apply took {6} s (≈ {7} × {8} s).',
        n,
        m,
        s,
        (applyAsyncMs / 1000).toFixed(2),
        Math.ceil(m / n),
        s,
        (applyMs / 1000).toFixed(2),
        m,
        s,
      ),
      figures: { workers: n, tasks: m, seconds: s, kind, applyAsyncMs, applyMs, callbacks },
    };
  },
};
