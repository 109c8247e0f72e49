import type { ChildProcess } from 'node:child_process';
import type { Worker } from 'node:worker_threads';
import type { StateModel, Tracked } from '../state/model';
import { forkChild, startThread, whenChildEnds } from '../workers/spawn';
import type { PoolWorkerState, PoolWorkerView } from '../../protocol/views';
import type { PoolReply, PoolRequest, PoolWorkerInit } from './poolMessages';

/** One job a worker runs: a call, or a chunk of a map. */
export interface Job {
  readonly id: number;
  readonly fn: string;
  readonly args?: readonly unknown[];
  readonly items?: readonly (readonly unknown[])[];
  readonly enqueuedAt: number;
  settle(ok: boolean, value: unknown): void;
}

export interface WorkerEvents {
  reply(worker: PoolWorker, reply: PoolReply): void;
  exit(worker: PoolWorker, reason: string): void;
}

/** A pool worker: a worker thread or a child process, with one job at a time. */
export class PoolWorker implements Tracked<PoolWorkerView> {
  dirty = false;
  readonly createdAt = Date.now();
  state: PoolWorkerState = 'starting';
  job: Job | null = null;
  jobSince: number | null = null;
  tasksDone = 0;
  everReady = false;
  /** Leaving on purpose (maxtasksperchild, close): not a crash. */
  retiring = false;
  private endedAt: number | null = null;
  private exitReason: string | null = null;
  private readonly thread: Worker | undefined;
  /** Thread workers: a request counter the idle worker parks on (see poolWorker.ts). */
  private readonly signal: Int32Array | undefined;
  private readonly child: ChildProcess | undefined;
  readonly exited: Promise<void>;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: 'thread' | 'process',
    private readonly parentId: string,
    private readonly model: StateModel,
    script: string,
    init: PoolWorkerInit,
    events: WorkerEvents,
  ) {
    const onReply = (m: PoolReply) => events.reply(this, m);
    let exited: (reason: string) => void;
    this.exited = new Promise((resolve) => {
      exited = (reason) => {
        if (this.state === 'exited') return;
        this.state = 'exited';
        this.exitReason = reason;
        this.endedAt = Date.now();
        model.end(this);
        events.exit(this, reason);
        resolve();
      };
    });
    if (kind === 'thread') {
      this.signal = new Int32Array(new SharedArrayBuffer(4));
      this.thread = startThread(script, { workerData: { ...init, signal: this.signal }, name });
      this.thread.on('message', onReply);
      this.thread.on('error', (err) => (this.exitReason ??= `${err.name}: ${err.message}`));
      this.thread.once('exit', (code) => exited(this.exitReason ?? `worker exited with code ${code}`));
    } else {
      this.child = forkChild(script, ['inherit', 'inherit']);
      this.child.on('message', onReply);
      void whenChildEnds(this.child, (err) => (this.exitReason ??= `${err.name}: ${err.message}`)).then(({ exitCode, signal, spawnError }) =>
        exited(spawnError ? `worker could not start: ${spawnError.message}` : signal ? `worker exited with signal ${signal} (${exitCode})` : `worker exited with code ${exitCode}`),
      );
      this.send({ t: 'init', init });
    }
    model.add(this);
  }

  get ident(): number | null {
    return this.thread?.threadId ?? this.child?.pid ?? null;
  }

  send(m: PoolRequest): void {
    if (this.thread) {
      this.thread.postMessage(m);
      Atomics.add(this.signal!, 0, 1);
      Atomics.notify(this.signal!, 0, 1);
    } else if (this.child?.connected) this.child.send(m);
  }

  run(job: Job): void {
    this.job = job;
    this.jobSince = Date.now();
    this.state = 'busy';
    this.model.touch(this);
    this.send(job.items ? { t: 'chunk', id: job.id, fn: job.fn, items: job.items } : { t: 'run', id: job.id, fn: job.fn, args: job.args ?? [] });
  }

  idle(): void {
    this.job = null;
    this.jobSince = null;
    this.state = 'idle';
    this.model.touch(this);
  }

  /** Ends the worker: at once for a thread; SIGTERM then SIGKILL after `graceMs` for a process. */
  async stop(graceMs = 1000): Promise<void> {
    if (this.state === 'exited') return;
    if (this.thread) await this.thread.terminate();
    else if (this.child) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }

  view(): PoolWorkerView {
    const job = this.job;
    return {
      id: this.id,
      kind: 'worker',
      parentId: this.parentId,
      name: this.name,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      workerKind: this.kind,
      ident: this.ident,
      state: this.state,
      task: job ? describeJob(job) : null,
      taskSince: this.jobSince,
      tasksDone: this.tasksDone,
      exitReason: this.exitReason,
    };
  }
}

export function describeJob(job: Job): string {
  if (job.items) return `${job.fn} × ${job.items.length} (a chunk)`;
  const args = (job.args ?? []).map((a) => (typeof a === 'string' ? JSON.stringify(a.length > 20 ? `${a.slice(0, 20)}…` : a) : String(a))).join(', ');
  return `${job.fn}(${args.length > 60 ? `${args.slice(0, 60)}…` : args})`;
}
