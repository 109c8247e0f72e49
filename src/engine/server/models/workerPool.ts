import type { Runtime } from '../../runtime/runtime';
import type { WorkerCapacity } from '../../../protocol/views';
import type { Connection } from '../connection';
import { ConnectionProcess, type Prefork } from './connectionProcess';
import { ConnectionThread } from './connectionThread';
import type { DatagramRequest, Dispatcher, HandlerChoice } from './dispatcher';
import type { ServiceWorker, WorkerEvents } from './serviceWorker';
import { BELL_SEQ, BELL_SLEEPING } from '../workers/channel';

export interface WorkerPoolOptions {
  readonly kind: 'thread' | 'process';
  /** Most workers alive at once; more connections wait. */
  readonly cap: number;
  /** Idle workers started ahead of demand. */
  readonly spares: number;
  /** Idle workers kept when a job ends; more retire (threads and children do not pile up). */
  readonly keepIdle: number;
  readonly script: string;
  /** `thread cap`, `max children`, `pool size`: how the UI names the cap. */
  readonly capName: string;
  /** Children accept from the shared listening socket themselves (process-per-connection over streams). */
  readonly prefork?: Prefork;
}

type Item = Connection | DatagramRequest;
const isConnection = (i: Item): i is Connection => 'serve' in i;

/**
 * After a worker dies before saying ready (out of descriptors, memory, a broken entry), the next
 * start waits this long, doubling up to the maximum: no respawn loop, and recovery on its own
 * once descriptors free up.
 */
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 5000;
const REPORT_EVERY_MS = 30_000;
const OUT_OF_DESCRIPTORS = /EMFILE|ENFILE|too many open files/i;
/** Start failures that pass once something is freed, unlike a broken entry. */
const OUT_OF_RESOURCES = /EMFILE|ENFILE|too many open files|EAGAIN|ENOMEM|ERR_WORKER_INIT_FAILED|Worker initialization failure|ERR_WORKER_OUT_OF_MEMORY/i;
/** Two starts in a row that fail for another reason: the entry is broken; stop (no respawn loop). */
const MAX_START_FAILURES = 2;
/** Waiting connections refused per start that failed for lack of descriptors (a worker needs several). */
const REFUSE_PER_FAILURE = 8;
/**
 * Workers starting at once. Starting one costs ~25 ms of CPU (a thread) or ~50 ms (a child): a
 * burst of 500 connections must not start 100 at once and starve those already serving.
 */
const MAX_STARTING = 2;
/** Idle workers beyond `keepIdle` retire after this long without work (a burst leaves no crowd). */
export const IDLE_RETIRE_MS = 10_000;
/** Datagrams waiting for a worker, at most (a flood must not grow memory without bound). */
const MAX_QUEUED_DATAGRAMS = 10_000;

/**
 * thread-per-connection, thread-pool and process-per-connection: connections (and datagrams)
 * go to idle workers; when none is idle a new one starts, up to the cap; beyond it they queue,
 * and the UI says so. Workers are reused: a thread costs ~20 ms and 8 MB here, a child ~50 ms
 * and 40 MB, and the latency targets cannot be met by starting one per connection.
 */
export class WorkerPool implements Dispatcher, WorkerEvents {
  private readonly workers = new Set<ServiceWorker>();
  private readonly idleWorkers: ServiceWorker[] = [];
  private readonly idleSince = new Map<ServiceWorker, number>();
  private readonly retireTimer: NodeJS.Timeout;
  /** Threads ring it after writing output; one Atomics.waitAsync here serves them all. */
  private readonly bell = new Int32Array(new SharedArrayBuffer(8));
  private starting = 0;
  private readonly queue: Item[] = [];
  private startFailures = 0;
  private startError: string | null = null;
  /** No start before this (Date.now()); 0: start at will. */
  private retryAt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private reportedAt = -Infinity;
  private stopped = false;
  private readonly removeSampler: () => void;
  private readonly seenVersions = new WeakMap<ServiceWorker, number>();
  /** Prefork: set once the server stops listening (children still serve their connections). */
  private acceptingStopped = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly choice: HandlerChoice,
    private readonly options: WorkerPoolOptions,
  ) {
    // A connection's row shows its thread's state: republish it when the thread's state moved.
    this.removeSampler = runtime.model.addSampler(() => {
      for (const w of this.workers) {
        const conn = w.current;
        if (!conn) continue;
        const v = w.actor.version;
        if (this.seenVersions.get(w) !== v) {
          this.seenVersions.set(w, v);
          conn.touch();
        }
      }
    });
    this.retireTimer = setInterval(() => this.retireIdle(), IDLE_RETIRE_MS / 4);
    this.retireTimer.unref();
    if (options.kind === 'thread') this.listenForBell();
    this.pump();
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** The worker entities alive now (for the inspector's kill action). */
  get live(): readonly ServiceWorker[] {
    return [...this.workers];
  }

  assign(conn: Connection): void {
    // Prefork: the child that accepted it serves it already.
    if (this.options.prefork) return;
    this.queue.push(conn);
    this.pump();
  }

  /** Prefork: warm children close their listeners and retire; resolves once they have exited (bounded). */
  async stopAccepting(deadlineMs: number): Promise<void> {
    this.acceptingStopped = true;
    const warm = this.idleWorkers.splice(0);
    for (const w of warm) {
      this.idleSince.delete(w);
      w.retire();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(warm.map((w) => w.whenExited())), new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(timer);
  }

  connectionClosed(conn: Connection): void {
    // Closed while queued (by the user, by the server stopping): it must not wait for a worker.
    const i = this.queue.indexOf(conn);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.touchServer();
    }
  }

  datagram(request: DatagramRequest): void {
    // The kernel drops datagrams a busy server cannot take; so do we, past a bound, and count it.
    if (this.queue.length >= MAX_QUEUED_DATAGRAMS) {
      this.droppedDatagrams++;
      request.done('— (dropped: queue full)', null);
      return;
    }
    this.queue.push(request);
    this.pump();
  }

  /** Datagrams dropped because the queue was full. */
  droppedDatagrams = 0;

  capacity(): WorkerCapacity {
    const live = this.workers.size;
    const busy = live - this.idleWorkers.length - this.starting;
    return {
      kind: this.options.kind,
      live,
      busy: Math.max(0, busy),
      idle: this.idleWorkers.length,
      cap: this.options.cap,
      queued: this.queue.length,
      capNote:
        (this.startError && this.refusedForDescriptors > 0 ? `${this.startError}; ${this.refusedForDescriptors} newest waiting connections refused to free descriptors` : this.startError) ??
        (this.queue.length > 0 && live >= this.options.cap
          ? `${this.options.capName} (${this.options.cap}) reached: ${this.queue.length} waiting`
          : this.options.prefork && live >= this.options.cap && this.idleWorkers.length === 0
            ? `${this.options.capName} (${this.options.cap}) reached: new clients wait in the listen queue (backlog)`
            : this.droppedDatagrams > 0
              ? `${this.droppedDatagrams} datagrams dropped: more than ${MAX_QUEUED_DATAGRAMS} waited for a ${this.options.kind}`
              : null),
    };
  }

  async stop(deadlineMs: number): Promise<void> {
    this.stopped = true;
    this.removeSampler();
    clearInterval(this.retireTimer);
    clearTimeout(this.retryTimer);
    // Releases the pending waitAsync.
    Atomics.add(this.bell, BELL_SEQ, 1);
    Atomics.notify(this.bell, BELL_SEQ);
    for (const item of this.queue.splice(0)) if (!isConnection(item)) item.done('—', null);
    const all = [...this.workers];
    for (const w of all) w.retire();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
    await Promise.race([Promise.all(all.map((w) => w.whenExited())), deadline]);
    clearTimeout(timer);
    await Promise.all(all.map((w) => w.kill()));
  }

  /**
   * Serves the doorbell: note the count, look at every thread's rings, wait for the count to move.
   * A thread that writes after the look has moved it, so the wait returns at once.
   */
  private listenForBell(): void {
    const bell = this.bell;
    const loop = (): void => {
      if (this.stopped) return;
      const seen = Atomics.load(bell, BELL_SEQ);
      try {
        for (const w of this.workers) (w as ConnectionThread).pump();
      } catch (err) {
        // The loop must go on whatever one connection does, or every thread's output stalls.
        this.runtime.log.error(`serving thread output failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
      // A ring after `seen` was read has moved the count: the wait returns at once, notify or not.
      Atomics.store(bell, BELL_SLEEPING, 1);
      const wait = Atomics.waitAsync(bell, BELL_SEQ, seen);
      if (wait.async) {
        void wait.value.then(() => {
          Atomics.store(bell, BELL_SLEEPING, 0);
          loop();
        });
      } else {
        Atomics.store(bell, BELL_SLEEPING, 0);
        setImmediate(loop); // rang meanwhile: go round again, but let I/O in first
      }
    };
    loop();
  }

  // --- WorkerEvents

  ready(w: ServiceWorker): void {
    this.starting--;
    if (this.startError) this.runtime.log.info(`a ${this.options.kind} started again: connections waiting for one are served`);
    this.startFailures = 0;
    this.startError = null;
    this.retryAt = 0;
    this.becomeIdle(w);
  }

  idle(w: ServiceWorker): void {
    if (!this.workers.has(w)) return;
    this.becomeIdle(w);
  }

  busy(w: ServiceWorker): void {
    const i = this.idleWorkers.indexOf(w);
    if (i >= 0) this.idleWorkers.splice(i, 1);
    this.idleSince.delete(w);
    // A warm child fewer: fork its replacement now, ahead of the next client.
    this.pump();
  }

  /**
   * Python's threads end with their connection; ours are kept a while, because starting one
   * costs ~100× more here. The ones idle longest beyond `keepIdle` retire.
   */
  private retireIdle(): void {
    const cutoff = Date.now() - IDLE_RETIRE_MS;
    // idleWorkers is a stack (most recently idle last): the oldest are first.
    while (this.idleWorkers.length > this.options.keepIdle) {
      const w = this.idleWorkers[0]!;
      if ((this.idleSince.get(w) ?? 0) > cutoff) break;
      this.idleWorkers.shift();
      this.idleSince.delete(w);
      w.retire();
    }
    this.touchServer();
  }

  exited(w: ServiceWorker, reason: string, beforeReady: boolean): void {
    this.workers.delete(w);
    this.idleSince.delete(w);
    const i = this.idleWorkers.indexOf(w);
    if (i >= 0) this.idleWorkers.splice(i, 1);
    if (beforeReady) {
      this.starting--;
      // One that was starting while the server stopped is no failure.
      if (!this.stopped && !this.acceptingStopped) this.startFailed(reason);
    }
    // The slot may serve another worker once the entity has expired from the views.
    setTimeout(() => this.runtime.releaseSlot(w.actor), this.runtime.model.retentionMs + 1000).unref();
    this.pump();
  }

  /**
   * A worker could not start. For lack of a resource (descriptors, processes, memory), the
   * connections already accepted keep waiting (shown with the reason) for a worker to free up or
   * start later, retried with back-off. An entry that is broken fails the same way every time:
   * after two failures in a row the waiting connections are closed with the reason and nothing
   * starts again until a connection needs it (no respawn loop). Said once per episode.
   */
  private startFailed(reason: string): void {
    const first = this.startError === null;
    this.startFailures++;
    this.startError = `could not start a ${this.options.kind}: ${reason}`;
    const transient = OUT_OF_RESOURCES.test(reason);
    if (transient) {
      this.retryAt = Date.now() + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.startFailures - 1));
      if (OUT_OF_DESCRIPTORS.test(reason) && this.refuseNewest(`out of file descriptors: no ${this.options.kind} could start to serve it (${reason})`)) {
        // Descriptors were freed: the next start may well succeed.
        this.retryAt = Date.now() + RETRY_FIRST_MS;
      }
    } else if (this.startFailures >= MAX_START_FAILURES) this.failQueue(this.startError);
    // Once per episode, and episodes that flap (a start, a failure) at most every 30 s.
    if ((transient ? first : this.startFailures === MAX_START_FAILURES) && Date.now() - this.reportedAt >= REPORT_EVERY_MS) {
      this.reportedAt = Date.now();
      this.runtime.log.error(
        transient
          ? `${this.startError}; connections wait for a ${this.options.kind} to free up or to start (trying again with back-off)`
          : `${this.startError}; not trying again until a connection needs one`,
      );
    }
  }

  private failQueue(reason: string): void {
    for (const item of this.queue.splice(0)) {
      if (isConnection(item)) item.destroy(reason);
      else item.done('—', null);
    }
  }

  /**
   * Accepted connections hold the descriptors a new thread or child needs: when every one is
   * taken, the newest waiting connections are refused (with the reason) so the oldest can be
   * served. Connections already served are never touched.
   */
  private refuseNewest(reason: string): boolean {
    let refused = 0;
    for (let i = this.queue.length - 1; i >= 0 && refused < REFUSE_PER_FAILURE; i--) {
      const item = this.queue[i]!;
      if (!isConnection(item)) continue;
      this.queue.splice(i, 1);
      item.destroy(`refused: ${reason}`);
      refused++;
    }
    this.refusedForDescriptors += refused;
    return refused > 0;
  }

  /** Waiting connections refused so that a worker could start (out of descriptors). */
  refusedForDescriptors = 0;

  // ---

  private becomeIdle(w: ServiceWorker): void {
    if (this.stopped) {
      w.retire();
      return;
    }
    this.idleWorkers.push(w);
    this.idleSince.set(w, Date.now());
    this.pump();
  }

  private pump(): void {
    if (this.stopped) return;
    while (this.queue.length > 0 && this.idleWorkers.length > 0) {
      const item = this.queue.shift()!;
      // A connection closing or closed while it waited is not served.
      if (isConnection(item) && !item.isWaiting) continue;
      const w = this.idleWorkers.pop()!;
      this.idleSince.delete(w);
      if (isConnection(item)) w.serveStream(item, this.choice);
      else w.serveDatagram(item, this.choice);
    }
    // Keep `spares` idle workers ahead of demand, and start one per waiting item, within the cap.
    // Once a start failed, no spares and one attempt at a time, only for a waiting connection,
    // until a start succeeds: a broken entry must not turn into a respawn loop.
    const want = this.startFailures > 0 ? Math.min(this.queue.length, 1) : this.queue.length + this.options.spares - this.idleWorkers.length;
    const wait = this.retryAt - Date.now();
    if (wait > 0) {
      if (want > 0 && !this.retryTimer) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.pump();
        }, wait);
        this.retryTimer.unref();
      }
    } else {
      while (this.starting < Math.min(want, MAX_STARTING) && this.workers.size < this.options.cap && this.spawn());
    }
    this.noteWaiting();
    this.touchServer();
  }

  /** Starts one worker; false when it could not even begin (it is then counted as a failed start). */
  private spawn(): boolean {
    let w: ServiceWorker | undefined;
    try {
      w =
        this.options.kind === 'thread'
          ? this.runtime.adopt('Thread', (slot, id, name) => new ConnectionThread(this.runtime, id, slot, name, this.options.script, this, this.bell))
          : this.runtime.adopt('Process', (slot, id, name) => new ConnectionProcess(this.runtime, id, slot, name, this.options.script, this, this.options.prefork));
      this.workers.add(w);
      this.starting++;
      w.start();
      return true;
    } catch (err) {
      // new Worker() and fork() can throw at once (no descriptor for their pipes, no memory).
      if (w) {
        this.workers.delete(w);
        this.starting--;
      }
      this.startFailed(err instanceof Error ? err.message : String(err));
      return false;
    }
  }

  private noteWaiting(): void {
    if (this.queue.length === 0) return;
    const full = this.workers.size >= this.options.cap;
    const reason = this.startError
      ? `waiting: ${this.startError}`
      : full
        ? `waiting for a ${this.options.kind}: all ${this.options.cap} are busy (${this.options.capName})`
        : `waiting for a ${this.options.kind} to start`;
    for (const item of this.queue) if (isConnection(item)) item.wait(reason);
  }

  private touchServer(): void {
    this.onChange?.();
  }

  /** The server republishes its capacity row when this fires. */
  onChange: (() => void) | undefined;
}
