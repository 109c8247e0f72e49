import { PyError } from '../runtime/pyErrors';
import type { ErrorInfo } from '../../protocol/views';

/** The task's own error, rebuilt in the pool's thread with the worker's stack. */
export class TaskError extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = info.type;
    if (info.stack) this.stack = info.stack;
  }
}

/** `multiprocessing.TimeoutError`: get(timeout) ran out before the result came. */
export class PoolTimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * `multiprocessing.pool.AsyncResult`. Python's get() blocks; here it is a promise (the pool's
 * caller is the extension host's event loop, which must never block).
 */
export class AsyncResult<T = unknown> {
  private state: 'pending' | 'ok' | 'failed' = 'pending';
  private value: T | undefined;
  private error: Error | undefined;
  private readonly settled: Promise<void>;
  private settle!: () => void;

  constructor(
    private readonly callback?: (value: T) => void,
    private readonly errorCallback?: (error: Error) => void,
  ) {
    this.settled = new Promise((r) => (this.settle = r));
  }

  /** Called once by the pool. */
  resolve(value: T): void {
    if (this.state !== 'pending') return;
    this.state = 'ok';
    this.value = value;
    this.settle();
    this.callback?.(value);
  }

  reject(error: Error): void {
    if (this.state !== 'pending') return;
    this.state = 'failed';
    this.error = error;
    this.settle();
    this.errorCallback?.(error);
  }

  ready(): boolean {
    return this.state !== 'pending';
  }

  successful(): boolean {
    if (this.state === 'pending') throw new PyError('ValueError', `${String(this)} not ready`);
    return this.state === 'ok';
  }

  /** Waits at most `timeout` seconds (null: forever); true once ready. */
  async wait(timeout: number | null = null): Promise<boolean> {
    if (this.state !== 'pending') return true;
    if (timeout === null) {
      await this.settled;
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled, new Promise<void>((r) => (timer = setTimeout(r, timeout * 1000)))]);
    clearTimeout(timer);
    return this.state !== 'pending';
  }

  /** The result, or the task's error; TimeoutError if `timeout` seconds pass first. */
  get(timeout: number | null = null): Promise<T> {
    // Without a timeout: one promise hop from the worker's reply to the caller (the hot path).
    if (timeout === null) return this.settled.then(() => this.outcome());
    return this.wait(timeout).then((ready) => {
      if (!ready) throw new PoolTimeoutError(`no result within ${timeout} s`);
      return this.outcome();
    });
  }

  private outcome(): T {
    if (this.state === 'failed') throw this.error!;
    return this.value as T;
  }

  toString(): string {
    return '<AsyncResult>';
  }
}
