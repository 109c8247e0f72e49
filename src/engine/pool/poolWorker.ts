// Entry of every pool worker (bundled as dist/pool-worker.js), as a worker thread or a child
// process: runs its initializer, says ready, then runs tasks one at a time as they arrive.
import { pathToFileURL } from 'node:url';
import { isMainThread, type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { toErrorInfo } from '../errors';
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

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';

/** Set when the initializer failed: such a worker runs nothing (the pool is stopping it). */
let initFailed = false;
/** While the initializer runs, tasks wait for it (they may arrive before it is done). */
let initializing: Promise<void> | undefined;

/** Runs one request; returns a promise only if it could not finish synchronously. */
function handle(m: PoolRequest): Promise<void> | undefined {
  if (initFailed) return undefined;
  if (initializing && m.t !== 'init') return initializing.then(() => handle(m));
  switch (m.t) {
    case 'init':
      initializing = (async () => {
        try {
          if (m.init.initializer) await (await load(m.init.initializer))(...(m.init.initargs as never[]));
          send({ t: 'ready' });
        } catch (err) {
          initFailed = true;
          send({ t: 'init-error', error: toErrorInfo(err) });
        }
      })();
      return initializing.finally(() => (initializing = undefined));
    case 'run': {
      const fn = cache.get(m.fn) ?? POOL_TASKS[m.fn];
      if (!fn)
        return load(m.fn).then(
          () => handle(m),
          (err: unknown) => send({ t: 'error', id: m.id, error: toErrorInfo(err) }),
        );
      try {
        const value = fn(...(m.args as never[]));
        // Synchronous tasks answer at once, without a promise hop (the trivial-task fast path).
        if (!isThenable(value)) return void send({ t: 'done', id: m.id, value });
        return Promise.resolve(value).then(
          (v) => send({ t: 'done', id: m.id, value: v }),
          (err: unknown) => send({ t: 'error', id: m.id, error: toErrorInfo(err) }),
        );
      } catch (err) {
        return void send({ t: 'error', id: m.id, error: toErrorInfo(err) });
      }
    }
    case 'chunk':
      return (async () => {
        try {
          const fn = cache.get(m.fn) ?? POOL_TASKS[m.fn] ?? (await load(m.fn));
          const out: unknown[] = new Array(m.items.length);
          for (let i = 0; i < m.items.length; i++) {
            const v = fn(...(m.items[i] as never[]));
            out[i] = isThenable(v) ? await v : v;
          }
          send({ t: 'done', id: m.id, value: out });
        } catch (err) {
          send({ t: 'error', id: m.id, error: toErrorInfo(err) });
        }
      })();
  }
}

// --- thread workers: an idle worker parks on a shared counter instead of its event loop.
// The pool bumps the counter and notifies after each postMessage (as piscina does), which wakes
// a parked thread faster than a message wakes an event loop. After IDLE_MS without work the
// worker goes back to its event loop, so timers and async tasks keep running as usual.
const IDLE_MS = 100;
const signal = isMainThread ? undefined : ((workerData as { signal?: Int32Array }).signal ?? undefined);
let pending = 0;

function serve(m: PoolRequest): void {
  const p = handle(m);
  if (!p) return;
  pending++;
  void p.finally(() => {
    if (--pending === 0) park();
  });
}

function park(): void {
  if (!signal) return;
  while (pending === 0) {
    const seen = Atomics.load(signal, 0);
    const got = receiveMessageOnPort(parentPort as unknown as MessagePort);
    if (got) {
      serve(got.message as PoolRequest);
      continue;
    }
    if (Atomics.wait(signal, 0, seen, IDLE_MS) === 'timed-out') return;
  }
}

if (isMainThread) process.on('message', (m: PoolRequest) => serve(m));
else {
  parentPort!.on('message', (m: PoolRequest) => {
    serve(m);
    park();
  });
  serve({ t: 'init', init: workerData as PoolWorkerInit });
}
// A process whose pool went away (parent gone) leaves at once.
if (isMainThread) process.on('disconnect', () => process.exit(0));
