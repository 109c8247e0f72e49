import { type Arena, nowMs, ObjectKind, O_ACQUISITIONS, O_COUNT, O_OWNER, O_WAITERS, OF_ACQUIRED_AT, OF_MAX_HOLD, OF_TOTAL_HOLD, OWNER_MASK, OWNER_WAITERS, WakeReason } from './arena';
import { currentSlot } from './current';
import { checkTimeout, PyError } from './pyErrors';
import { type Begin, SyncObject, secondsToMs } from './syncObject';
import { ThreadState } from './threadState';

/**
 * `threading.Lock` and `threading.RLock`: FIFO waiters, direct hand-off on release (a woken
 * waiter already owns the lock), holder and depth visible to the inspector.
 *
 * Uncontended, acquire and release are one compare-and-swap each on the owner word. A waiter
 * sets OWNER_WAITERS in that word (under the guard) before it queues, so the holder's release
 * CAS fails and takes the guarded path that hands the lock over: no wake-up is ever lost.
 */
export class Lock extends SyncObject {
  readonly kind: ObjectKind = ObjectKind.Lock;
  // Field indices and arrays, looked up once: acquire and release are on the hot path.
  private readonly i32 = this.arena.i32;
  private readonly f64 = this.arena.f64;
  private readonly iOwner = this.i(O_OWNER);
  private readonly iCount = this.i(O_COUNT);
  private readonly iAcquisitions = this.i(O_ACQUISITIONS);
  private readonly fAcquiredAt = this.f(OF_ACQUIRED_AT);
  private readonly fTotalHold = this.f(OF_TOTAL_HOLD);
  private readonly fMaxHold = this.f(OF_MAX_HOLD);

  static create(arena: Arena, name: string): Lock {
    return new Lock(arena, arena.allocObject(ObjectKind.Lock), name);
  }

  get reentrant(): boolean {
    return this.kind === ObjectKind.RLock;
  }

  /** 1 + holder's thread slot, 0 when free. */
  get owner(): number {
    return this.arena.owner(this.slot);
  }

  /** RLock recursion depth (a held Lock reports 1). */
  get depth(): number {
    return this.read(O_COUNT);
  }

  /** How many threads wait for it (not in Python; for tests and benchmarks). */
  get waiting(): number {
    return Atomics.load(this.arena.i32, this.i(O_WAITERS));
  }

  locked(): boolean {
    return this.owner !== 0;
  }

  /** Worker threads: `acquire(blocking=True, timeout=-1)` as in Python (timeout in seconds). */
  acquire(blocking = true, timeout: number | null = -1): boolean {
    const me = currentSlot();
    if (this.tryFast(me)) return true;
    const t = checkTimeout(blocking, timeout);
    return this.block(
      me,
      secondsToMs(t),
      () => this.begin(me, blocking),
      (r) => this.end(r),
    );
  }

  /**
   * The main thread's (and the broker's) form; `me` is the slot acting, the main thread by
   * default. Slot 0 is one waiter: two concurrent waits by the main thread on one object are not
   * supported (the labs' main code awaits one thing at a time; the broker passes each process's slot).
   */
  async acquireAsync(blocking = true, timeout: number | null = -1, me = currentSlot()): Promise<boolean> {
    const t = checkTimeout(blocking, timeout);
    if (this.tryFast(me)) return true;
    return this.blockAsync(
      me,
      secondsToMs(t),
      () => this.begin(me, blocking),
      (r) => this.end(r),
    );
  }

  release(me = currentSlot()): void {
    const i32 = this.i32;
    let accounted = false;
    // Fast path: we hold it (the owner word is exactly ours: no waiters bit) at depth 1.
    if (Atomics.load(i32, this.iOwner) === me + 1 && (this.kind === ObjectKind.Lock || i32[this.iCount] === 1)) {
      // Everything is written while we still hold the lock: once the CAS lands, the next owner
      // may write these same fields.
      const f64 = this.f64;
      const held = nowMs() - f64[this.fAcquiredAt]!;
      f64[this.fTotalHold]! += held;
      if (held > f64[this.fMaxHold]!) f64[this.fMaxHold] = held;
      i32[this.iCount] = 0;
      if (Atomics.compareExchange(i32, this.iOwner, me + 1, 0) === me + 1) return;
      // A waiter queued meanwhile: hand off under the guard (the hold is already counted).
      i32[this.iCount] = 1;
      accounted = true;
    }
    this.guarded(() => {
      const owner = this.arena.owner(this.slot);
      if (this.reentrant) {
        if (owner !== me + 1) throw new PyError('RuntimeError', 'cannot release un-acquired lock');
        const depth = this.read(O_COUNT) - 1;
        this.write(O_COUNT, depth);
        if (depth > 0) {
          this.arena.bumpObject(this.slot);
          return;
        }
      } else if (owner === 0) {
        throw new PyError('RuntimeError', 'release unlocked lock');
      }
      this.handOff(accounted);
    });
  }

  /** One CAS when the lock is free (or, for an RLock, already ours). */
  private tryFast(me: number): boolean {
    const i32 = this.i32;
    const cur = Atomics.compareExchange(i32, this.iOwner, 0, me + 1);
    if (cur === 0) {
      i32[this.iCount] = 1;
      this.acquiredFast();
      return true;
    }
    if (this.kind === ObjectKind.RLock && (cur & OWNER_MASK) === me + 1) {
      i32[this.iCount]!++;
      this.arena.bumpObject(this.slot);
      return true;
    }
    return false;
  }

  /**
   * Records an acquisition by the new owner (only the owner writes these, so no guard). The
   * inspector's sampler sees it through the acquisitions count, not a version bump.
   */
  private acquiredFast(): void {
    this.i32[this.iAcquisitions]!++;
    this.f64[this.fAcquiredAt] = nowMs();
  }

  /** Guard held: the holder lets go; the first waiter, if any, becomes the holder. */
  protected handOff(holdRecorded = false): void {
    if (!holdRecorded) this.recordHold();
    // Still the releaser's until handed over: it is who wakes the next holder.
    const by = this.arena.owner(this.slot) - 1;
    const next = this.arena.dequeue(this.slot);
    if (next < 0) {
      Atomics.store(this.arena.i32, this.i(O_OWNER), 0);
      this.arena.bumpObject(this.slot);
      return;
    }
    this.write(O_COUNT, 1);
    this.grant(next, this.waitingSince(next));
    if (this.read(O_WAITERS) > 0) Atomics.or(this.arena.i32, this.i(O_OWNER), OWNER_WAITERS);
    this.arena.wake(next, WakeReason.Granted, by);
  }

  /** Guard held. */
  private begin(me: number, blocking: boolean): Begin<boolean> {
    this.assertOwnerAlive();
    const a = this.arena;
    const i = this.i(O_OWNER);
    for (;;) {
      const cur = Atomics.load(a.i32, i);
      if (cur === 0) {
        if (Atomics.compareExchange(a.i32, i, 0, me + 1) !== 0) continue;
        this.write(O_COUNT, 1);
        this.acquiredFast();
        return { done: true };
      }
      if (this.reentrant && (cur & OWNER_MASK) === me + 1) {
        this.write(O_COUNT, this.read(O_COUNT) + 1);
        this.arena.bumpObject(this.slot);
        return { done: true };
      }
      if (!blocking) return { done: false };
      // Announce a waiter; if the holder released meanwhile, the CAS fails and we look again.
      if ((cur & OWNER_WAITERS) !== 0 || Atomics.compareExchange(a.i32, i, cur, cur | OWNER_WAITERS) === cur) {
        return { park: ThreadState.WaitLock };
      }
    }
  }

  private end(reason: WakeReason): boolean {
    if (reason === WakeReason.OwnerDied) this.assertOwnerAlive();
    return reason === WakeReason.Granted;
  }

  /** For Condition.wait: let go entirely, whatever the depth; returns what to restore. */
  releaseAll(me: number): number {
    return this.guarded(() => {
      if (this.arena.owner(this.slot) !== me + 1) throw new PyError('RuntimeError', 'cannot wait on un-acquired lock');
      const depth = this.reentrant ? this.read(O_COUNT) : 1;
      this.handOff();
      return depth;
    });
  }

  restoreDepth(depth: number): void {
    if (this.reentrant) this.guarded(() => this.write(O_COUNT, depth));
  }

  isOwnedBy(me: number): boolean {
    return this.owner === me + 1;
  }
}

export class RLock extends Lock {
  override readonly kind: ObjectKind = ObjectKind.RLock;

  static override create(arena: Arena, name: string): RLock {
    return new RLock(arena, arena.allocObject(ObjectKind.RLock), name);
  }
}
