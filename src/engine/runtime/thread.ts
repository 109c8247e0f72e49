import { translateSaid } from '../../protocol/l10n';
import type { Worker } from 'node:worker_threads';
import { Emitter } from '../lifecycle';
import type { ErrorInfo } from '../../protocol/views';
import { Actor } from './actor';
import { T_ALIVE, T_KILLED, nowMs } from './arena';
import { PyError } from './pyErrors';
import type { RuntimeHost } from './runtimeHost';
import { isSyncHandle, SyncObject } from './syncObject';
import type { ThreadMessage, ThreadStart } from './threadMessages';
import { ThreadState } from './threadState';
import { startThread, workerScript } from '../workers/spawn';

export interface ThreadOptions {
  /** A registered program (see labs/threadPrograms.ts) or `path/to/module.js#export`. */
  readonly target: string;
  readonly args?: readonly unknown[];
  readonly name?: string;
  readonly daemon?: boolean;
}

/** An uncaught exception in a thread, reported like `threading.excepthook`. */
export interface ThreadFailure {
  readonly thread: Thread;
  readonly error: ErrorInfo;
}

/** `threading.Thread` over a real worker thread. Its body runs blocking-style in the worker. */
export class Thread extends Actor {
  readonly kind = 'thread';
  private worker: Worker | undefined;
  private started = false;
  private exited: Promise<void> | undefined;
  private alive = false;
  /** What the body returned (Python threads have no result; labs use it for figures). */
  result: unknown = undefined;
  private readonly onFailEmitter = new Emitter<ThreadFailure>();
  readonly onFail = this.onFailEmitter.event;

  constructor(
    host: RuntimeHost,
    id: string,
    slot: number,
    name: string,
    private readonly options: ThreadOptions,
  ) {
    super(host, id, slot, name, options.daemon ?? false);
    host.arena.setState(slot, ThreadState.New);
  }

  get ident(): number | null {
    return this.worker?.threadId ?? null;
  }

  is_alive(): boolean {
    return this.alive;
  }

  start(): void {
    if (this.started) throw new PyError('RuntimeError', 'threads can only be started once');
    this.started = true;
    const start: ThreadStart = {
      buffer: this.host.arena.buffer,
      slot: this.slot,
      name: this.name,
      target: this.options.target,
      args: (this.options.args ?? []).map(toTransferable),
    };
    const warm = this.host.warmThread();
    const worker = warm ?? startThread(workerScript('thread-worker', this.host.workers), { workerData: start, name: this.name, stdout: false, stderr: false });
    if (warm) warm.postMessage(start);
    this.worker = worker;
    this.alive = true;
    worker.on('message', (m: ThreadMessage) => this.onMessage(m));
    // A crash outside the body (out of memory, a bad program name at load): reported the same way.
    worker.on('error', (err) => this.fail({ type: err.name, message: err.message, stack: err.stack }));
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        this.alive = false;
        this.endedAt = nowMs();
        const a = this.host.arena;
        const state = this.state;
        if (state !== ThreadState.Done && state !== ThreadState.Failed) a.setState(this.slot, this.error ? ThreadState.Failed : ThreadState.Done);
        Atomics.store(a.i32, a.t(this.slot, T_ALIVE), 0);
        Atomics.notify(a.i32, a.t(this.slot, T_ALIVE));
        this.host.actorEnded(this.slot);
        this.host.model.end(this);
        this.onFailEmitter.dispose();
        resolve();
      }),
    );
    this.host.model.touch(this);
  }

  /**
   * Waits for the thread to end, at most `timeout` seconds (null = forever). Like Python it
   * returns nothing: ask `is_alive()` afterwards. The caller's slot shows "joining".
   */
  async join(timeout: number | null = null, callerSlot = 0): Promise<void> {
    if (!this.started) throw new PyError('RuntimeError', 'cannot join thread before it is started');
    if (!this.alive) return;
    await this.joinExit(this.exited!, timeout, callerSlot);
  }

  /** Not in Python (threads cannot be killed there): the inspector's "kill thread" action. */
  async kill(): Promise<void> {
    if (!this.worker || !this.alive) return;
    this.error ??= { type: 'Killed', message: `${this.name} was killed` };
    const a = this.host.arena;
    Atomics.store(a.i32, a.t(this.slot, T_KILLED), 1);
    await this.worker.terminate();
    await this.exited;
  }

  whenExited(): Promise<void> {
    return this.exited ?? Promise.resolve();
  }

  private onMessage(m: ThreadMessage): void {
    switch (m.type) {
      case 'print':
        this.host.output(this.name, m.said ? translateSaid(m.said.message, m.said.args) : m.text);
        break;
      case 'result':
        this.result = m.value;
        break;
      case 'error':
        this.fail(m.error);
        break;
    }
  }

  private fail(error: ErrorInfo): void {
    this.error = error;
    this.host.log.warn(`Exception in thread ${this.name}:\n${error.stack ?? `${error.type}: ${error.message}`}`);
    this.host.model.touch(this);
    this.onFailEmitter.fire({ thread: this, error });
  }
}

/** The lab's own main thread (the extension host's event loop): slot 0, never a worker. */
export class MainThread extends Actor {
  readonly kind = 'thread';
  get ident(): number | null {
    return 0;
  }
  is_alive(): boolean {
    return this.endedAt === null;
  }
  end(): void {
    if (this.endedAt !== null) return;
    this.host.arena.setState(this.slot, ThreadState.Done);
    this.endedAt = nowMs();
    this.host.model.end(this);
  }
}

function toTransferable(arg: unknown): unknown {
  if (arg instanceof SyncObject) return arg.handle;
  if (Array.isArray(arg)) return arg.map((a: unknown) => (a instanceof SyncObject ? a.handle : a));
  if (arg && typeof arg === 'object' && !isSyncHandle(arg) && Object.getPrototypeOf(arg) === Object.prototype) {
    return Object.fromEntries(Object.entries(arg).map(([k, v]) => [k, v instanceof SyncObject ? v.handle : v]));
  }
  return arg;
}
