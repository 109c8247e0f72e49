import { type Arena, ObjectKind, O_PARAM, WakeReason, nowMs } from './arena';
import { assertMayBlock, currentSlot } from './current';
import { parkAsync, parkSync } from './park';
import type { Lock } from './lock';
import { checkTimeout, PyError } from './pyErrors';
import { SyncObject, secondsToMs } from './syncObject';
import { ThreadState } from './threadState';

/** `threading.Condition(lock)`: wait releases the lock, parks, then takes the lock back. */
export class Condition extends SyncObject {
  readonly kind = ObjectKind.Condition;

  constructor(
    arena: Arena,
    slot: number,
    name: string,
    readonly lockObject: Lock,
  ) {
    super(arena, slot, name);
  }

  static create(arena: Arena, name: string, lock: Lock): Condition {
    return new Condition(arena, arena.allocObject(ObjectKind.Condition, lock.slot + 1), name, lock);
  }

  /** The slot of the lock this condition uses (for rebuilding it in a worker). */
  get lockSlot(): number {
    return this.read(O_PARAM) - 1;
  }

  acquire(blocking = true, timeout: number | null = -1): boolean {
    return this.lockObject.acquire(blocking, timeout);
  }

  acquireAsync(blocking = true, timeout: number | null = -1, me = currentSlot()): Promise<boolean> {
    return this.lockObject.acquireAsync(blocking, timeout, me);
  }

  release(me = currentSlot()): void {
    this.lockObject.release(me);
  }

  /** Returns false when the timeout (seconds) passed without a notify. */
  wait(timeout: number | null = null): boolean {
    assertMayBlock(`${this.name}.wait()`);
    const me = currentSlot();
    const t = checkTimeout(true, timeout);
    const depth = this.enter(me);
    const woken = this.settle(me, parkSync(this.arena, me, secondsToMs(t))) === WakeReason.Granted;
    this.lockObject.acquire();
    this.lockObject.restoreDepth(depth);
    return woken;
  }

  async waitAsync(timeout: number | null = null, me = currentSlot()): Promise<boolean> {
    const t = checkTimeout(true, timeout);
    const depth = this.enter(me);
    const woken = this.settle(me, await parkAsync(this.arena, me, secondsToMs(t))) === WakeReason.Granted;
    await this.lockObject.acquireAsync(true, -1, me);
    this.lockObject.restoreDepth(depth);
    return woken;
  }

  /** Python's `wait_for`: re-checks the predicate after every wake, within one overall timeout. */
  wait_for(predicate: () => boolean, timeout: number | null = null): boolean {
    const deadline = timeout === null ? Infinity : nowMs() + timeout * 1000;
    let result = predicate();
    while (!result) {
      const left = deadline - nowMs();
      if (left <= 0) break;
      this.wait(left === Infinity ? null : left / 1000);
      result = predicate();
    }
    return result;
  }

  notify(n = 1, me = currentSlot()): void {
    if (!this.lockObject.isOwnedBy(me)) throw new PyError('RuntimeError', 'cannot notify on un-acquired lock');
    this.guarded(() => {
      for (let k = 0; k < n; k++) {
        const w = this.arena.dequeue(this.slot);
        if (w < 0) break;
        this.arena.wake(w, WakeReason.Granted, me);
      }
      this.arena.bumpObject(this.slot);
    });
  }

  notify_all(me = currentSlot()): void {
    this.notify(Number.MAX_SAFE_INTEGER, me);
  }

  /**
   * Queue on the condition while still holding the lock (so no notify can slip in between),
   * then let the lock go.
   */
  private enter(me: number): number {
    if (!this.lockObject.isOwnedBy(me)) throw new PyError('RuntimeError', 'cannot wait on un-acquired lock');
    this.guarded(() => this.queue(me, ThreadState.WaitCondition));
    return this.lockObject.releaseAll(me);
  }
}
