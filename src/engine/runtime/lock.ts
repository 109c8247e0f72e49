import { type Arena, ObjectKind, O_COUNT, O_OWNER, WakeReason } from './arena';
import { currentSlot } from './current';
import { checkTimeout, PyError } from './pyErrors';
import { type Begin, SyncObject, secondsToMs } from './syncObject';
import { ThreadState } from './threadState';

/**
 * `threading.Lock` and `threading.RLock`: FIFO waiters, direct hand-off on release (a woken
 * waiter already owns the lock), holder and depth visible to the inspector.
 */
export class Lock extends SyncObject {
  readonly kind: ObjectKind = ObjectKind.Lock;

  static create(arena: Arena, name: string): Lock {
    return new Lock(arena, arena.allocObject(ObjectKind.Lock), name);
  }

  get reentrant(): boolean {
    return this.kind === ObjectKind.RLock;
  }

  /** 1 + holder's thread slot, 0 when free. */
  get owner(): number {
    return Atomics.load(this.arena.i32, this.i(O_OWNER));
  }

  get depth(): number {
    return this.read(O_COUNT);
  }

  locked(): boolean {
    return this.owner !== 0;
  }

  /** Worker threads: `acquire(blocking=True, timeout=-1)` as in Python (timeout in seconds). */
  acquire(blocking = true, timeout: number | null = -1): boolean {
    const t = checkTimeout(blocking, timeout);
    const me = currentSlot();
    return this.block(me, secondsToMs(t), () => this.begin(me, blocking), (r) => this.end(r));
  }

  /** The main thread's (and the broker's) form; `me` is the slot acting, the main thread by default. */
  async acquireAsync(blocking = true, timeout: number | null = -1, me = currentSlot()): Promise<boolean> {
    const t = checkTimeout(blocking, timeout);
    return this.blockAsync(me, secondsToMs(t), () => this.begin(me, blocking), (r) => this.end(r));
  }

  release(me = currentSlot()): void {
    this.guarded(() => {
      const owner = this.read(O_OWNER);
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
      this.handOff();
    });
  }

  /** Guard held: the holder lets go; the first waiter, if any, becomes the holder. */
  protected handOff(): void {
    this.recordHold();
    const next = this.arena.dequeue(this.slot);
    if (next < 0) {
      this.write(O_OWNER, 0);
      this.arena.bumpObject(this.slot);
      return;
    }
    if (this.reentrant) this.write(O_COUNT, 1);
    this.grant(next, this.waitingSince(next));
    this.arena.wake(next, WakeReason.Granted);
  }

  private begin(me: number, blocking: boolean): Begin<boolean> {
    this.assertOwnerAlive();
    const owner = this.read(O_OWNER);
    if (owner === 0) {
      if (this.reentrant) this.write(O_COUNT, 1);
      this.grant(me, 0);
      return { done: true };
    }
    if (this.reentrant && owner === me + 1) {
      this.write(O_COUNT, this.read(O_COUNT) + 1);
      this.arena.bumpObject(this.slot);
      return { done: true };
    }
    if (!blocking) return { done: false };
    return { park: ThreadState.WaitLock };
  }

  private end(reason: WakeReason): boolean {
    if (reason === WakeReason.OwnerDied) this.assertOwnerAlive();
    return reason === WakeReason.Granted;
  }

  /** For Condition.wait: let go entirely, whatever the depth; returns what to restore. */
  releaseAll(me: number): number {
    return this.guarded(() => {
      if (this.read(O_OWNER) !== me + 1) throw new PyError('RuntimeError', 'cannot wait on un-acquired lock');
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
