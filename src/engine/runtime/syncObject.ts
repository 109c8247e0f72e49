import {
  type Arena,
  nowMs,
  ObjectKind,
  O_ACQUISITIONS,
  O_CONTENDED,
  O_FLAGS,
  O_OWNER,
  OF_ACQUIRED_AT,
  OF_MAX_HOLD,
  OF_MAX_WAIT,
  OF_TOTAL_HOLD,
  OF_TOTAL_WAIT,
  T_ALIVE,
  T_PARK,
  TF_SINCE,
  WakeReason,
  FLAG_OWNER_DEAD,
} from './arena';
import { isMainThread } from 'node:worker_threads';
import { assertMayBlock, currentSlot } from './current';
import { parkAsync, parkSync } from './park';
import { PyError } from './pyErrors';
import { ThreadState } from './threadState';

/** How a sync object travels to a worker: its slot in the shared arena, its kind and its name. */
export interface SyncHandle {
  readonly $sync: number;
  readonly kind: ObjectKind;
  readonly name: string;
}

export function isSyncHandle(value: unknown): value is SyncHandle {
  return typeof value === 'object' && value !== null && typeof (value as SyncHandle).$sync === 'number';
}

/** The first half of a blocking call, run under the guard: done at once, or queue and park. */
export type Begin<T> = { readonly done: T } | { readonly park: ThreadState };

/**
 * A primitive living in one arena slot. Every operation takes the slot's guard, so the same code
 * is correct from any thread; blocking calls park on the caller's own word (FIFO hand-off).
 */
export abstract class SyncObject {
  constructor(
    readonly arena: Arena,
    readonly slot: number,
    readonly name: string,
  ) {}

  abstract readonly kind: ObjectKind;

  get handle(): SyncHandle {
    return { $sync: this.slot, kind: this.kind, name: this.name };
  }

  protected i(field: number): number {
    return this.arena.o(this.slot, field);
  }

  protected f(field: number): number {
    return this.arena.of(this.slot, field);
  }

  protected read(field: number): number {
    return this.arena.i32[this.i(field)]!;
  }

  protected write(field: number, value: number): void {
    this.arena.i32[this.i(field)] = value;
  }

  protected lock(): void {
    this.arena.lockGuard(this.slot);
  }

  protected unlock(): void {
    this.arena.unlockGuard(this.slot);
  }

  /** Runs `fn` under the guard. */
  protected guarded<T>(fn: () => T): T {
    this.lock();
    try {
      return fn();
    } finally {
      this.unlock();
    }
  }

  protected assertOwnerAlive(): void {
    if (this.read(O_FLAGS) & FLAG_OWNER_DEAD) {
      throw new PyError('OwnerDiedError', `${this.name}: its holder ended while holding it; nothing will release it.`);
    }
  }

  /** Marks `thread` as holder (guard held); `waitedSince` > 0 records a contended wait. */
  protected grant(thread: number, waitedSince: number, now = nowMs()): void {
    const a = this.arena;
    Atomics.store(a.i32, this.i(O_OWNER), thread + 1);
    a.i32[this.i(O_ACQUISITIONS)]!++;
    a.f64[this.f(OF_ACQUIRED_AT)] = now;
    if (waitedSince > 0) this.recordWait(now - waitedSince);
    a.bumpObject(this.slot);
  }

  protected recordWait(ms: number): void {
    const a = this.arena;
    a.i32[this.i(O_CONTENDED)]!++;
    a.f64[this.f(OF_TOTAL_WAIT)]! += ms;
    if (ms > a.f64[this.f(OF_MAX_WAIT)]!) a.f64[this.f(OF_MAX_WAIT)] = ms;
  }

  protected recordHold(now = nowMs()): void {
    const a = this.arena;
    const ms = now - a.f64[this.f(OF_ACQUIRED_AT)]!;
    a.f64[this.f(OF_TOTAL_HOLD)]! += ms;
    if (ms > a.f64[this.f(OF_MAX_HOLD)]!) a.f64[this.f(OF_MAX_HOLD)] = ms;
  }

  /** When the waiter began waiting (its state's start time): the waker records the wait. */
  protected waitingSince(thread: number): number {
    return this.arena.f64[this.arena.tf(thread, TF_SINCE)]!;
  }

  /** Guard held: queue `me` and mark its state; the caller then parks. */
  protected queue(me: number, state: ThreadState): void {
    this.arena.enqueue(this.slot, me);
    this.arena.setState(me, state, this.slot + 1);
  }

  /**
   * After parking: a timed-out waiter takes the guard once more, because a waker may have
   * granted it in between; otherwise it leaves the queue.
   */
  protected settle(me: number, reason: WakeReason): WakeReason {
    if (reason === WakeReason.Waiting) {
      this.lock();
      reason = Atomics.load(this.arena.i32, this.arena.t(me, T_PARK)) as WakeReason;
      if (reason === WakeReason.Waiting) this.arena.unlink(this.slot, me);
      this.unlock();
    }
    // An actor that ended while parked (the broker waits for processes) keeps its final state.
    if (Atomics.load(this.arena.i32, this.arena.t(me, T_ALIVE))) this.arena.setState(me, ThreadState.Running);
    return reason;
  }

  /** The first half of any blocking call, under the guard: done at once, or queued to park. */
  private finishOrQueue<T>(me: number, begin: () => Begin<T>, mayPark = true): Begin<T> {
    this.lock();
    try {
      const first = begin();
      if ('park' in first) {
        // Checked before queueing: a caller that cannot wait must leave no trace in the queue.
        if (!mayPark) assertMayBlock(`${this.name}: a blocking wait`);
        this.queue(me, first.park);
      }
      return first;
    } finally {
      this.unlock();
    }
  }

  /** A blocking call from a worker thread. */
  protected block<T>(me: number, timeoutMs: number, begin: () => Begin<T>, end: (reason: WakeReason) => T): T {
    const first = this.finishOrQueue(me, begin, !isMainThread);
    if ('done' in first) return first.done;
    return end(this.settle(me, parkSync(this.arena, me, timeoutMs)));
  }

  /** The same call from the main thread (or the broker on a process's behalf): never blocks. */
  protected async blockAsync<T>(me: number, timeoutMs: number, begin: () => Begin<T>, end: (reason: WakeReason) => T): Promise<T> {
    const first = this.finishOrQueue(me, begin);
    if ('done' in first) return first.done;
    return end(this.settle(me, await parkAsync(this.arena, me, timeoutMs)));
  }

  /** Guard held: wakes every waiter with `reason`; `by`: who, when known. */
  protected wakeAll(reason: WakeReason, by = -1): void {
    for (let w = this.arena.dequeue(this.slot); w >= 0; w = this.arena.dequeue(this.slot)) this.arena.wake(w, reason, by);
  }

  /** Thread `thread` ended: leave every queue; a lock it held is marked so its waiters are told. */
  ownerEnded(thread: number): void {
    this.guarded(() => {
      if (this.arena.unlink(this.slot, thread)) this.arena.wake(thread, WakeReason.OwnerDied);
      if ((this.kind === ObjectKind.Lock || this.kind === ObjectKind.RLock) && this.arena.owner(this.slot) === thread + 1) {
        this.write(O_FLAGS, this.read(O_FLAGS) | FLAG_OWNER_DEAD);
        this.arena.bumpObject(this.slot);
        this.wakeAll(WakeReason.OwnerDied);
      }
    });
  }
}

export function secondsToMs(timeout: number): number {
  return timeout < 0 ? -1 : timeout * 1000;
}

/**
 * The calling thread's slot when it is certainly the actor acting: a worker thread. On the main
 * thread a call may be the broker acting for a process, so the waker is not known (−1).
 */
export function wakerSlot(): number {
  return isMainThread ? -1 : currentSlot();
}
