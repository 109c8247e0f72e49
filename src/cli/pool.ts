import { parseArgs } from 'node:util';
import * as l10n from '@vscode/l10n';
import { Pool } from '../engine/pool/pool';
import { POOL_TASKS } from '../engine/pool/tasks';
import { StateModel } from '../engine/state/model';
import { UsageError } from './usage';

const MAX_COUNT = 100_000;
const MAX_SECONDS = 86_400;

/**
 * `socket-lab pool --kind process -n 5 --task sleep --count 10 [--mode async|apply|map]`:
 * runs tasks on a real pool and prints a task board — which worker ran what, and when.
 */
export async function pool(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kind: { type: 'string', default: 'process' },
      processes: { type: 'string', short: 'n', default: '5' },
      task: { type: 'string', default: 'sleep' },
      count: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '2' },
      mode: { type: 'string', default: 'async' },
      json: { type: 'boolean', default: false },
    },
  });
  const kind = values.kind;
  if (kind !== 'thread' && kind !== 'process') throw new UsageError(l10n.t('pool: --kind must be thread or process; got "{0}".', kind));
  const n = Number(values.processes);
  const count = Number(values.count);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(l10n.t('pool: -n must be 1 to 64; got "{0}".', values.processes));
  // Ceilings, not warnings: past them a run is broken rather than bigger (a sleep past Node's
  // 24.8-day timer limit fires at once; millions of tasks are just memory).
  if (!Number.isInteger(count) || count < 0 || count > MAX_COUNT) throw new UsageError(l10n.t('pool: --count must be a whole number from 0 to {0}; got "{1}".', MAX_COUNT, values.count));
  if (!(seconds >= 0 && seconds <= MAX_SECONDS)) throw new UsageError(l10n.t('pool: --seconds must be 0 to {0}; got "{1}".', MAX_SECONDS, values.seconds));
  if (!['async', 'apply', 'map'].includes(values.mode)) throw new UsageError(l10n.t('pool: --mode must be async, apply or map; got "{0}".', values.mode));
  if (!POOL_TASKS[values.task] && !values.task.includes('#')) {
    throw new UsageError(l10n.t('pool: --task must be one of {0}, or path/to/module.js#export; got "{1}".', Object.keys(POOL_TASKS).join(', '), values.task));
  }
  // Arguments per task: the tutorial's (i, seconds) for sleep, (i) for the rest.
  const args = (i: number): unknown[] => (values.task === 'sleep' ? [i, seconds] : values.task === 'primes' ? [20_000 + i] : [i]);
  const p = new Pool({ model: new StateModel({ retentionMs: 0 }), processes: n, kind });
  const t0 = performance.now();
  const stamp = () => `${((performance.now() - t0) / 1000).toFixed(2).padStart(6)} s`;
  if (!values.json) {
    process.stdout.write(
      `${kind === 'thread' ? l10n.t('Pool({0}) of worker threads, {1} × {2}, {3}', n, count, values.task, values.mode) : l10n.t('Pool({0}) of processes, {1} × {2}, {3}', n, count, values.task, values.mode)}\n`,
    );
    p.onTask((e) => {
      const who = e.ident === null ? e.worker : kind === 'thread' ? l10n.t('{0} (thread {1})', e.worker, e.ident) : l10n.t('{0} (pid {1})', e.worker, e.ident);
      const job = String(e.job).padEnd(3);
      const seconds = (e.ms / 1000).toFixed(2);
      let line: string;
      if (e.phase === 'start') line = e.ms > 5 ? l10n.t('{0}  #{1} {2} → {3}, queued {4} ms', stamp(), job, e.task.padEnd(22), who, e.ms) : `${stamp()}  #${job} ${e.task.padEnd(22)} → ${who}`;
      else if (e.phase === 'done') line = l10n.t('{0}  #{1} = {2}  ({3} s on {4})', stamp(), job, String(JSON.stringify(e.value)), seconds, e.worker);
      else line = l10n.t('{0}  #{1} ✗ {2}  ({3} s on {4})', stamp(), job, String(e.error), seconds, e.worker);
      process.stdout.write(`${line}\n`);
    });
  }
  const onSignal = () => void p.terminate();
  process.once('SIGINT', onSignal);
  let failed = 0;
  const results: unknown[] = [];
  try {
    if (values.mode === 'map')
      results.push(
        ...(await p.map(
          values.task,
          Array.from({ length: count }, (_, i) => i),
        )),
      );
    else if (values.mode === 'apply') for (let i = 0; i < count; i++) results.push(await p.apply(values.task, args(i)));
    else {
      const rs = Array.from({ length: count }, (_, i) => p.apply_async(values.task, args(i)));
      for (const r of rs) results.push(await r.get().catch((e: Error) => (failed++, `${e.name}: ${e.message}`)));
    }
  } catch (err) {
    failed++;
    process.stderr.write(`${l10n.t('error: {0}', err instanceof Error ? err.message : String(err))}\n`);
  }
  const totalMs = Math.round(performance.now() - t0);
  const view = p.view();
  p.close();
  await p.terminate();
  if (values.json) process.stdout.write(`${JSON.stringify({ kind, workers: n, task: values.task, mode: values.mode, count, totalMs, failed, workersReplaced: view.workersReplaced, results })}\n`);
  else process.stdout.write(`${l10n.t('{0} tasks in {1} s; {2} failed; {3} workers replaced', count, (totalMs / 1000).toFixed(2), failed, view.workersReplaced)}\n`);
  return failed ? 1 : 0;
}
