import type { Worker } from 'node:worker_threads';
import { startThread } from '../workers/spawn';
import type { ThreadMessage } from './threadMessages';

/** Never more idle workers than this (each holds an isolate: ~8 MB). */
export const MAX_WARM = 200;

/**
 * Thread workers started ahead of time and idle until a Thread takes one. A worker thread costs
 * ~25 ms and its own isolate to start where CPython's thread costs ~0.1 ms, so a lab whose point
 * is timing (join after the loop ≈ one sleep) warms its threads first and reports that apart;
 * `Thread.start()` on a warm worker is one message. Each worker runs one thread and ends with it,
 * as a Python thread does: nothing of one thread's run is left for the next.
 */
export class WarmThreads {
  private readonly idle: Worker[] = [];
  private readonly starting = new Set<Worker>();
  private disposed = false;

  constructor(private readonly script: string) {}

  /**
   * Starts workers until `n` are idle (at most MAX_WARM) and resolves once they are all ready to
   * run a thread; a worker that fails to start is left out (the thread starts cold instead).
   */
  async fill(n: number): Promise<void> {
    const want = Math.min(MAX_WARM, Math.max(0, Math.floor(n))) - this.idle.length - this.starting.size;
    const ready: Promise<void>[] = [];
    for (let i = 0; i < want && !this.disposed; i++) ready.push(this.startOne());
    await Promise.all(ready);
  }

  /** An idle worker for a thread that starts now, or undefined (start one cold). */
  take(): Worker | undefined {
    const w = this.idle.shift();
    if (w) w.removeAllListeners();
    return w;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.idle, ...this.starting];
    this.idle.length = 0;
    this.starting.clear();
    await Promise.all(all.map((w) => w.terminate().catch(() => undefined)));
  }

  private startOne(): Promise<void> {
    const worker = startThread(this.script, { workerData: { warm: true }, name: 'warm thread', stdout: false, stderr: false });
    this.starting.add(worker);
    return new Promise<void>((resolve) => {
      const done = (ok: boolean) => {
        worker.removeAllListeners();
        if (!this.starting.delete(worker)) return resolve();
        if (ok && !this.disposed) {
          this.idle.push(worker);
          // One that ends while idle (out of memory) is not handed out.
          worker.once('exit', () => {
            const i = this.idle.indexOf(worker);
            if (i >= 0) this.idle.splice(i, 1);
          });
        } else void worker.terminate().catch(() => undefined);
        resolve();
      };
      worker.on('message', (m: ThreadMessage) => m.type === 'warm' && done(true));
      worker.once('error', () => done(false));
      worker.once('exit', () => done(false));
    });
  }
}
