import { type Arena, nowMs, ObjectKind, O_ACQUISITIONS, O_COUNT, O_PARAM, WakeReason } from './arena';
import { currentSlot } from './current';
import { checkTimeout, PyError } from './pyErrors';
import { type Begin, SyncObject, secondsToMs, wakerSlot } from './syncObject';
import { ThreadState } from './threadState';

/** `threading.Semaphore` / `BoundedSemaphore`: a release hands the unit straight to the first waiter. */
export class Semaphore extends SyncObject {
  readonly kind: ObjectKind = ObjectKind.Semaphore;

  static create(arena: Arena, name: string, value = 1): Semaphore {
    if (value < 0) throw new PyError('ValueError', 'semaphore initial value must be >= 0');
    return new Semaphore(arena, arena.allocObject(ObjectKind.Semaphore, value, value), name);
  }

  get value(): number {
    return Atomics.load(this.arena.i32, this.i(O_COUNT));
  }

  acquire(blocking = true, timeout: number | null = -1): boolean {
    const t = checkTimeout(blocking, timeout);
    const me = currentSlot();
    return this.block(
      me,
      secondsToMs(t),
      () => this.begin(blocking),
      (r) => r === WakeReason.Granted,
    );
  }

  async acquireAsync(blocking = true, timeout: number | null = -1, me = currentSlot()): Promise<boolean> {
    const t = checkTimeout(blocking, timeout);
    return this.blockAsync(
      me,
      secondsToMs(t),
      () => this.begin(blocking),
      (r) => r === WakeReason.Granted,
    );
  }

  release(n = 1): void {
    if (n < 1) throw new PyError('ValueError', 'n must be one or more');
    this.guarded(() => {
      if (this.kind === ObjectKind.BoundedSemaphore && this.read(O_COUNT) + n > this.read(O_PARAM)) {
        throw new PyError('ValueError', 'Semaphore released too many times');
      }
      for (let k = 0; k < n; k++) {
        const next = this.arena.dequeue(this.slot);
        if (next < 0) this.write(O_COUNT, this.read(O_COUNT) + 1);
        else {
          this.arena.i32[this.i(O_ACQUISITIONS)]!++;
          this.recordWait(nowMs() - this.waitingSince(next));
          this.arena.wake(next, WakeReason.Granted, wakerSlot());
        }
      }
      this.arena.bumpObject(this.slot);
    });
  }

  private begin(blocking: boolean): Begin<boolean> {
    const v = this.read(O_COUNT);
    if (v > 0) {
      this.write(O_COUNT, v - 1);
      this.arena.i32[this.i(O_ACQUISITIONS)]!++;
      this.arena.bumpObject(this.slot);
      return { done: true };
    }
    return blocking ? { park: ThreadState.WaitSemaphore } : { done: false };
  }
}

export class BoundedSemaphore extends Semaphore {
  override readonly kind: ObjectKind = ObjectKind.BoundedSemaphore;

  static override create(arena: Arena, name: string, value = 1): BoundedSemaphore {
    if (value < 0) throw new PyError('ValueError', 'semaphore initial value must be >= 0');
    return new BoundedSemaphore(arena, arena.allocObject(ObjectKind.BoundedSemaphore, value, value), name);
  }
}
