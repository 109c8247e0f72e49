// Entry of every pool worker (bundled as dist/pool-worker.js), as a worker thread or a child
// process: runs its initializer, says ready, then runs tasks one at a time as they arrive.
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ErrorInfo } from '../state/views';
import type { PoolReply, PoolRequest, PoolWorkerInit } from './poolMessages';
import { POOL_TASKS, type PoolTask } from './tasks';

const send: (m: PoolReply) => void = isMainThread ? (m) => process.send?.(m) : (m) => parentPort!.postMessage(m);
const cache = new Map<string, PoolTask>();

/** A bundled task, or the user's own module (CommonJS or ES module), loaded once per worker. */
async function load(name: string): Promise<PoolTask> {
  const known = cache.get(name) ?? POOL_TASKS[name];
  if (known) return known;
  const hash = name.lastIndexOf('#');
  if (hash <= 0) throw new TypeError(`no task named "${name}" (bundled: ${Object.keys(POOL_TASKS).join(', ')}; or path/to/module.js#export)`);
  const file = name.slice(0, hash);
  const exportName = name.slice(hash + 1);
  // .mjs (and ES modules in general) cannot be require()d on Node 20: import them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = (file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : require(file)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new TypeError(`${file} exports no function "${exportName}"`);
  cache.set(name, fn as PoolTask);
  return fn as PoolTask;
}

function info(err: unknown): ErrorInfo {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: e.name, message: e.message, stack: e.stack };
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';

async function onRequest(m: PoolRequest): Promise<void> {
  switch (m.t) {
    case 'init':
      try {
        if (m.init.initializer) await (await load(m.init.initializer))(...(m.init.initargs as never[]));
        send({ t: 'ready' });
      } catch (err) {
        send({ t: 'init-error', error: info(err) });
      }
      return;
    case 'run':
      try {
        const fn = cache.get(m.fn) ?? POOL_TASKS[m.fn] ?? (await load(m.fn));
        let value = fn(...(m.args as never[]));
        // Synchronous tasks answer without a promise hop (the trivial-task fast path).
        if (isThenable(value)) value = await value;
        send({ t: 'done', id: m.id, value });
      } catch (err) {
        send({ t: 'error', id: m.id, error: info(err) });
      }
      return;
    case 'chunk':
      try {
        const fn = cache.get(m.fn) ?? POOL_TASKS[m.fn] ?? (await load(m.fn));
        const out: unknown[] = new Array(m.items.length);
        for (let i = 0; i < m.items.length; i++) {
          const v = fn(...(m.items[i] as never[]));
          out[i] = isThenable(v) ? await v : v;
        }
        send({ t: 'done', id: m.id, value: out });
      } catch (err) {
        send({ t: 'error', id: m.id, error: info(err) });
      }
      return;
  }
}

if (isMainThread) process.on('message', (m: PoolRequest) => void onRequest(m));
else {
  parentPort!.on('message', (m: PoolRequest) => void onRequest(m));
  void onRequest({ t: 'init', init: workerData as PoolWorkerInit });
}
// A process whose pool went away (parent gone) leaves at once.
if (isMainThread) process.on('disconnect', () => process.exit(0));
