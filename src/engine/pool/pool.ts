import { workerScript, type WorkerScripts } from '../workers/spawn';
import os from 'node:os';
import { Emitter } from '../lifecycle';
import { silentLogger, type Logger } from '../log';
import { PyError } from '../runtime/pyErrors';
import type { StateModel, Tracked } from '../state/model';
import type { ErrorInfo, PoolState, PoolView } from '../../protocol/views';
import { AsyncResult, TaskError } from './asyncResult';
import type { PoolReply } from './poolMessages';
import { describeJob, type Job, PoolWorker } from './poolWorkerHandle';

export interface PoolOptions {
  readonly model: StateModel;
  /** Parent entity (a lab), or null for a top-level pool. */
  readonly parentId?: string | null;
  /** Python's `processes`: how many workers (default: the number of CPUs). */
  readonly processes?: number;
  readonly kind?: 'thread' | 'process';
  /** A bundled task name or `path/to/module.js#export`, run once in each worker as it starts. */
  readonly initializer?: string | null;
  readonly initargs?: readonly unknown[];
  /** Replace a worker after this many tasks (Python's `maxtasksperchild`); null: never. */
  readonly maxtasksperchild?: number | null;
  readonly name?: string;
  readonly log?: Logger;
  /** Where the worker bundles are (default: beside this bundle in dist/). */
  readonly workers?: WorkerScripts;
}

/** A task starting or ending on a worker (the CLI's task board listens). */
export interface TaskEvent {
  readonly phase: 'start' | 'done' | 'failed';
  readonly job: number;
  readonly task: string;
  readonly worker: string;
  readonly ident: number | null;
  readonly ms: number;
  readonly value?: unknown;
  readonly error?: string;
}

export interface AsyncOptions<T> {
  readonly callback?: (value: T) => void;
  readonly error_callback?: (error: Error) => void;
}

/** Chunks that the caller may never await (it can stop iterating) must not reject unhandled. */
function quiet(chunks: Promise<unknown[]>[]): Promise<unknown[]>[] {
  for (const c of chunks) c.catch(() => undefined);
  return chunks;
}

async function* inOrder<T>(chunks: Promise<unknown[]>[]): AsyncGenerator<T> {
  for (const c of quiet(chunks)) for (const v of (await c) as T[]) yield v;
}

async function* asCompleted<T>(chunks: Promise<unknown[]>[]): AsyncGenerator<T> {
  const done: unknown[][] = [];
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  for (const p of quiet(chunks)) {
    p.then(
      (v) => (done.push(v), wake?.()),
      (e: Error) => ((failed ??= e), wake?.()),
    );
  }
  for (let left = chunks.length; left > 0;) {
    if (failed) throw failed;
    const v = done.shift();
    if (!v) {
      await new Promise<void>((r) => (wake = r));
      continue;
    }
    left--;
    for (const x of v as T[]) yield x;
  }
}

/** A FIFO of jobs with O(1) shift. */
class JobQueue {
  private items: (Job | undefined)[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(job: Job): void {
    this.items.push(job);
  }
  shift(): Job | undefined {
    if (this.head >= this.items.length) return undefined;
    const job = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return job;
  }
  peek(): Job | undefined {
    return this.items[this.head];
  }
  drain(): Job[] {
    const out = this.items.slice(this.head).filter((j): j is Job => j !== undefined);
    this.items = [];
    this.head = 0;
    return out;
  }
}

/**
 * `multiprocessing.Pool` over worker threads or child processes. A task that throws fails only
 * its own result; a worker that dies fails only its in-flight task and is replaced; a worker
 * that cannot start is not started again and again.
 */
export class Pool implements Tracked<PoolView> {
  dirty = false;
  readonly id: string;
  readonly name: string;
  readonly kind: 'thread' | 'process';
  readonly size: number;
  readonly createdAt = Date.now();
  private state: PoolState = 'running';
  private endedAt: number | null = null;
  private readonly workers = new Set<PoolWorker>();
  private readonly queue = new JobQueue();
  private nextJob = 1;
  private workerCount = 0;
  private tasksDone = 0;
  private tasksFailed = 0;
  private replaced = 0;
  private startError: ErrorInfo | null = null;
  private readonly model: StateModel;
  private readonly log: Logger;
  private readonly script: string;
  private readonly parentId: string | null;
  private readonly init: { initializer: string | null; initargs: readonly unknown[] };
  private readonly maxTasks: number | null;
  private allExited: Promise<void> | undefined;
  private readonly onTaskEmitter = new Emitter<TaskEvent>();
  /** Every task's start and end; costs nothing while nobody listens. */
  readonly onTask = this.onTaskEmitter.event;

  constructor(options: PoolOptions) {
    this.model = options.model;
    this.log = options.log ?? silentLogger;
    this.kind = options.kind ?? 'process';
    this.size = options.processes ?? os.availableParallelism();
    if (!Number.isInteger(this.size) || this.size < 1) throw new PyError('ValueError', 'Number of processes must be at least 1');
    if (options.maxtasksperchild != null && (!Number.isInteger(options.maxtasksperchild) || options.maxtasksperchild < 1)) {
      throw new PyError('ValueError', 'maxtasksperchild must be a positive int or None');
    }
    this.maxTasks = options.maxtasksperchild ?? null;
    this.script = workerScript('pool-worker', options.workers);
    this.parentId = options.parentId ?? null;
    this.init = { initializer: options.initializer ?? null, initargs: options.initargs ?? [] };
    this.id = this.model.newId('pool');
    this.name = options.name ?? `Pool(${this.size}, ${this.kind})`;
    this.model.add(this);
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  // --- Python's API

  apply_async<T = unknown>(fn: string, args: readonly unknown[] = [], options: AsyncOptions<T> = {}): AsyncResult<T> {
    this.assertRunning();
    const result = new AsyncResult<T>(options.callback, options.error_callback);
    this.submit(fn, args, undefined, (ok, v) => (ok ? result.resolve(v as T) : result.reject(v as Error)));
    return result;
  }

  /** Python's `apply` blocks until the result; here it is awaited. */
  apply<T = unknown>(fn: string, args: readonly unknown[] = []): Promise<T> {
    return this.apply_async<T>(fn, args).get();
  }

  map_async<T = unknown>(fn: string, iterable: Iterable<unknown>, chunksize: number | null = null, options: AsyncOptions<T[]> = {}): AsyncResult<T[]> {
    return this.mapChunks<T>(
      fn,
      [...iterable].map((x) => [x]),
      chunksize,
      options,
    );
  }

  map<T = unknown>(fn: string, iterable: Iterable<unknown>, chunksize: number | null = null): Promise<T[]> {
    return this.map_async<T>(fn, iterable, chunksize).get();
  }

  starmap_async<T = unknown>(fn: string, iterable: Iterable<readonly unknown[]>, chunksize: number | null = null, options: AsyncOptions<T[]> = {}): AsyncResult<T[]> {
    return this.mapChunks<T>(fn, [...iterable], chunksize, options);
  }

  starmap<T = unknown>(fn: string, iterable: Iterable<readonly unknown[]>, chunksize: number | null = null): Promise<T[]> {
    return this.starmap_async<T>(fn, iterable, chunksize).get();
  }

  /** Results in order, each as soon as it and those before it are done. Submits at once. */
  imap<T = unknown>(fn: string, iterable: Iterable<unknown>, chunksize = 1): AsyncGenerator<T> {
    return inOrder<T>(
      this.submitChunks(
        fn,
        [...iterable].map((x) => [x]),
        chunksize,
      ),
    );
  }

  /** Results as they complete, in any order. Submits at once. */
  imap_unordered<T = unknown>(fn: string, iterable: Iterable<unknown>, chunksize = 1): AsyncGenerator<T> {
    return asCompleted<T>(
      this.submitChunks(
        fn,
        [...iterable].map((x) => [x]),
        chunksize,
      ),
    );
  }

  /** No more tasks; workers leave once the queue is done. */
  close(): void {
    if (this.state !== 'running') return;
    this.state = 'closed';
    this.model.touch(this);
    this.retireIdle();
  }

  /** Waits for every worker to leave; call close() or terminate() first, as in Python. */
  async join(): Promise<void> {
    if (this.state === 'running') throw new PyError('ValueError', 'Pool is still running');
    await this.whenAllExited();
    if (this.state === 'closed') this.state = 'joined';
    this.end();
  }

  /** Ends every worker now (within a second); unfinished tasks fail with "pool terminated". */
  async terminate(): Promise<void> {
    if (this.state !== 'terminated') {
      this.state = 'terminated';
      this.model.touch(this);
      const gone = new Error('pool terminated');
      for (const job of this.queue.drain()) this.fail(job, gone);
      for (const w of this.workers) {
        if (!w.job) continue;
        this.fail(w.job, gone);
        w.job = null;
      }
      await Promise.all([...this.workers].map((w) => w.stop(1000)));
    }
    await this.whenAllExited();
    this.end();
  }

  dispose(): Promise<void> {
    return this.terminate();
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  /** Live workers (for tests and the inspector). */
  get liveWorkers(): readonly PoolWorker[] {
    return [...this.workers];
  }

  // --- scheduling

  private submit(fn: string, args: readonly unknown[] | undefined, items: readonly (readonly unknown[])[] | undefined, settle: Job['settle']): void {
    if (this.startError && this.readyWorkers() === 0 && this.workers.size === 0) {
      settle(false, new Error(`the pool's workers cannot start: ${this.startError.type}: ${this.startError.message}`));
      return;
    }
    this.queue.push({ id: this.nextJob++, fn, args, items, enqueuedAt: Date.now(), settle });
    this.model.touch(this);
    this.dispatch();
  }

  private submitChunks(fn: string, items: readonly (readonly unknown[])[], chunksize: number): Promise<unknown[]>[] {
    this.assertRunning();
    if (!Number.isInteger(chunksize) || chunksize < 1) throw new PyError('ValueError', `Chunksize must be 1+, not ${chunksize}`);
    const out: Promise<unknown[]>[] = [];
    for (let i = 0; i < items.length; i += chunksize) {
      const chunk = items.slice(i, i + chunksize);
      out.push(new Promise((resolve, reject) => this.submit(fn, undefined, chunk, (ok, v) => (ok ? resolve(v as unknown[]) : reject(v as Error)))));
    }
    return out;
  }

  private mapChunks<T>(fn: string, items: readonly (readonly unknown[])[], chunksize: number | null, options: AsyncOptions<T[]>): AsyncResult<T[]> {
    this.assertRunning();
    // Python's rule: about four chunks per worker.
    let size = chunksize;
    if (size === null) {
      size = Math.floor(items.length / (this.size * 4));
      if (items.length % (this.size * 4)) size++;
      size = Math.max(1, size);
    }
    const result = new AsyncResult<T[]>(options.callback, options.error_callback);
    const out = new Array<T>(items.length);
    const chunks = this.submitChunks(fn, items, size);
    let remaining = chunks.length;
    if (remaining === 0) result.resolve(out);
    for (const [k, p] of chunks.entries()) {
      void p.then(
        (values) => {
          for (let j = 0; j < values.length; j++) out[k * size + j] = values[j] as T;
          if (--remaining === 0) result.resolve(out);
        },
        (err: Error) => result.reject(err),
      );
    }
    return result;
  }

  private dispatch(): void {
    if (this.queue.length === 0) return;
    for (const w of this.workers) {
      // A starting worker may take its first task now: its channel delivers it after the
      // initializer (Python's order), and the first result comes one round trip sooner.
      if (w.state !== 'idle' && !(w.state === 'starting' && !w.job && !this.startError)) continue;
      const job = this.queue.shift();
      if (!job) break;
      this.start(w, job);
    }
    this.model.touch(this);
  }

  private start(w: PoolWorker, job: Job): void {
    w.run(job);
    if (this.onTaskEmitter.hasListeners) this.onTaskEmitter.fire({ phase: 'start', job: job.id, task: describeJob(job), worker: w.name, ident: w.ident, ms: Date.now() - job.enqueuedAt });
  }

  private readyWorkers(): number {
    let n = 0;
    for (const w of this.workers) if (w.everReady) n++;
    return n;
  }

  private spawn(): void {
    const n = ++this.workerCount;
    const worker = new PoolWorker(this.model.newId('worker'), `${this.kind === 'thread' ? 'PoolThread' : 'PoolWorker'}-${n}`, this.kind, this.id, this.model, this.script, this.init, {
      reply: (w, m) => this.onReply(w, m),
      exit: (w, reason) => this.onExit(w, reason),
    });
    this.workers.add(worker);
  }

  private onReply(w: PoolWorker, m: PoolReply): void {
    switch (m.t) {
      case 'ready':
        w.everReady = true;
        if (w.job) return; // it already has its first task
        w.idle();
        // A closed pool still finishes what was queued before close().
        if (this.state !== 'terminated') this.dispatch();
        if (this.state === 'closed') this.retireIdle();
        return;
      case 'init-error':
        this.startError = m.error;
        this.log.error(`${this.name}: a worker's initializer failed: ${m.error.stack ?? m.error.message}`);
        this.model.touch(this);
        void w.stop();
        return;
      case 'done':
      case 'error': {
        const job = w.job;
        if (!job || job.id !== m.id) return;
        w.tasksDone++;
        if (m.t === 'done') {
          this.tasksDone++;
          job.settle(true, m.value);
        } else {
          this.tasksFailed++;
          job.settle(false, new TaskError(m.error));
        }
        if (this.onTaskEmitter.hasListeners) {
          const ms = Date.now() - (w.jobSince ?? Date.now());
          this.onTaskEmitter.fire({
            phase: m.t === 'done' ? 'done' : 'failed',
            job: job.id,
            task: describeJob(job),
            worker: w.name,
            ident: w.ident,
            ms,
            value: m.t === 'done' ? m.value : undefined,
            error: m.t === 'error' ? `${m.error.type}: ${m.error.message}` : undefined,
          });
        }
        if (this.maxTasks !== null && w.tasksDone >= this.maxTasks) {
          // Python's maxtasksperchild: this worker leaves, a fresh one takes its place.
          w.job = null;
          w.retiring = true;
          void w.stop();
          return;
        }
        const next = this.state === 'terminated' ? undefined : this.queue.shift();
        if (next) this.start(w, next);
        else {
          w.idle();
          if (this.state === 'closed') this.retireIdle();
        }
        this.model.touch(this);
        return;
      }
    }
  }

  private onExit(w: PoolWorker, reason: string): void {
    this.workers.delete(w);
    if (w.job) {
      const cause = !w.everReady && this.startError ? `the pool's workers cannot start: ${this.startError.type}: ${this.startError.message}` : `${reason} while running ${w.job.fn}`;
      this.fail(w.job, new Error(cause));
    }
    this.model.touch(this);
    if (this.state === 'terminated') return;
    if (!w.everReady) {
      // It never started: starting another would fail the same way, in a loop. Say so instead.
      this.startError ??= { type: 'Error', message: reason };
      this.log.error(`${this.name}: a worker failed to start (${reason}); not starting another.`);
      if (this.workers.size === 0) {
        const err = new Error(`the pool's workers cannot start: ${this.startError.type}: ${this.startError.message}`);
        for (const job of this.queue.drain()) this.fail(job, err);
      }
      return;
    }
    if (this.state === 'running' || this.queue.length > 0) {
      if (!w.retiring) {
        this.replaced++;
        this.log.warn(`${this.name}: ${w.name} ${reason}; started another in its place.`);
      }
      this.spawn();
    }
  }

  private fail(job: Job, err: Error): void {
    this.tasksFailed++;
    job.settle(false, err);
  }

  /** After close(): idle workers leave once nothing is queued. */
  private retireIdle(): void {
    if (this.queue.length > 0) return;
    for (const w of this.workers) {
      if (w.state !== 'idle') continue;
      w.retiring = true;
      void w.stop();
    }
  }

  private whenAllExited(): Promise<void> {
    this.allExited ??= (async () => {
      while (this.workers.size) await Promise.all([...this.workers].map((w) => w.exited));
    })();
    return this.allExited;
  }

  private end(): void {
    if (this.endedAt !== null) return;
    this.endedAt = Date.now();
    this.model.end(this);
    this.onTaskEmitter.dispose();
  }

  private assertRunning(): void {
    if (this.state !== 'running') throw new PyError('ValueError', 'Pool not running');
  }

  view(): PoolView {
    let busy = 0;
    for (const w of this.workers) if (w.state === 'busy') busy++;
    const oldest = this.queue.peek();
    return {
      id: this.id,
      kind: 'pool',
      parentId: this.parentId,
      name: this.name,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      poolKind: this.kind,
      size: this.size,
      state: this.state,
      queued: this.queue.length,
      oldestWaitMs: oldest ? Date.now() - oldest.enqueuedAt : 0,
      busy,
      tasksDone: this.tasksDone,
      tasksFailed: this.tasksFailed,
      workersReplaced: this.replaced,
      callbackThread: 'MainThread (the event loop that owns the pool)',
      startError: this.startError,
    };
  }
}
