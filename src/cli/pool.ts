import { parseArgs } from 'node:util';
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
  if (kind !== 'thread' && kind !== 'process') throw new UsageError(`pool: --kind must be thread or process; got "${kind}".`);
  const n = Number(values.processes);
  const count = Number(values.count);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`pool: -n must be 1 to 64; got "${values.processes}".`);
  // Ceilings, not warnings: past them a run is broken rather than bigger (a sleep past Node's
  // 24.8-day timer limit fires at once; millions of tasks are just memory).
  if (!Number.isInteger(count) || count < 0 || count > MAX_COUNT) throw new UsageError(`pool: --count must be a whole number from 0 to ${MAX_COUNT}; got "${values.count}".`);
  if (!(seconds >= 0 && seconds <= MAX_SECONDS)) throw new UsageError(`pool: --seconds must be 0 to ${MAX_SECONDS}; got "${values.seconds}".`);
  if (!['async', 'apply', 'map'].includes(values.mode)) throw new UsageError(`pool: --mode must be async, apply or map; got "${values.mode}".`);
  if (!POOL_TASKS[values.task] && !values.task.includes('#')) {
    throw new UsageError(`pool: --task must be one of ${Object.keys(POOL_TASKS).join(', ')}, or path/to/module.js#export; got "${values.task}".`);
  }
  // Arguments per task: the tutorial's (i, seconds) for sleep, (i) for the rest.
  const args = (i: number): unknown[] => (values.task === 'sleep' ? [i, seconds] : values.task === 'primes' ? [20_000 + i] : [i]);
  const p = new Pool({ model: new StateModel({ retentionMs: 0 }), processes: n, kind });
  const t0 = performance.now();
  const stamp = () => `${((performance.now() - t0) / 1000).toFixed(2).padStart(6)} s`;
  if (!values.json) {
    process.stdout.write(`Pool(${n}) of ${kind === 'thread' ? 'worker threads' : 'processes'}, ${count} × ${values.task}, ${values.mode}\n`);
    p.onTask((e) => {
      const who = `${e.worker}${e.ident !== null ? ` (${kind === 'thread' ? 'thread' : 'pid'} ${e.ident})` : ''}`;
      if (e.phase === 'start') process.stdout.write(`${stamp()}  #${String(e.job).padEnd(3)} ${e.task.padEnd(22)} → ${who}${e.ms > 5 ? `, queued ${e.ms} ms` : ''}\n`);
      else process.stdout.write(`${stamp()}  #${String(e.job).padEnd(3)} ${e.phase === 'done' ? `= ${JSON.stringify(e.value)}` : `✗ ${e.error}`}  (${(e.ms / 1000).toFixed(2)} s on ${e.worker})\n`);
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
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  }
  const totalMs = Math.round(performance.now() - t0);
  const view = p.view();
  p.close();
  await p.terminate();
  if (values.json) process.stdout.write(`${JSON.stringify({ kind, workers: n, task: values.task, mode: values.mode, count, totalMs, failed, workersReplaced: view.workersReplaced, results })}\n`);
  else process.stdout.write(`${count} tasks in ${(totalMs / 1000).toFixed(2)} s; ${failed} failed; ${view.workersReplaced} workers replaced\n`);
  return failed ? 1 : 0;
}
