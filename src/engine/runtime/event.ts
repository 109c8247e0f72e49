import { type Arena, ObjectKind, O_COUNT, WakeReason } from './arena';
import { currentSlot } from './current';
import { checkTimeout } from './pyErrors';
import { type Begin, SyncObject, secondsToMs, wakerSlot } from './syncObject';
import { ThreadState } from './threadState';

/** `threading.Event`: set wakes every waiter; clear makes later waiters block again. */
export class Event extends SyncObject {
  readonly kind = ObjectKind.Event;

  static create(arena: Arena, name: string): Event {
    return new Event(arena, arena.allocObject(ObjectKind.Event), name);
  }

  is_set(): boolean {
    return Atomics.load(this.arena.i32, this.i(O_COUNT)) !== 0;
  }

  set(): void {
    this.guarded(() => {
      this.arena.i32[this.i(O_COUNT)] = 1;
      this.wakeAll(WakeReason.Granted, wakerSlot());
      this.arena.bumpObject(this.slot);
    });
  }

  clear(): void {
    this.guarded(() => {
      this.arena.i32[this.i(O_COUNT)] = 0;
      this.arena.bumpObject(this.slot);
    });
  }

  /** Returns the flag on exit: false only when the timeout (seconds) passed first. */
  wait(timeout: number | null = null): boolean {
    const t = checkTimeout(true, timeout);
    return this.block(
      currentSlot(),
      secondsToMs(t),
      () => this.begin(),
      (r) => r === WakeReason.Granted,
    );
  }

  async waitAsync(timeout: number | null = null, me = currentSlot()): Promise<boolean> {
    const t = checkTimeout(true, timeout);
    return this.blockAsync(
      me,
      secondsToMs(t),
      () => this.begin(),
      (r) => r === WakeReason.Granted,
    );
  }

  private begin(): Begin<boolean> {
    return this.arena.i32[this.i(O_COUNT)] ? { done: true } : { park: ThreadState.WaitEvent };
  }
}
