import { type Arena, ObjectKind, O_COUNT, O_FLAGS, O_GEN, O_PARAM, WakeReason, FLAG_BROKEN } from './arena';
import { currentSlot } from './current';
import { checkTimeout, PyError } from './pyErrors';
import { type Begin, SyncObject, secondsToMs } from './syncObject';
import { ThreadState } from './threadState';

/** `threading.Barrier(parties)`: the last arrival releases everyone; a timeout or abort breaks it. */
export class Barrier extends SyncObject {
  readonly kind = ObjectKind.Barrier;

  static create(arena: Arena, name: string, parties: number): Barrier {
    if (!Number.isInteger(parties) || parties < 1) throw new PyError('ValueError', 'parties must be >= 1');
    return new Barrier(arena, arena.allocObject(ObjectKind.Barrier, parties), name);
  }

  get parties(): number {
    return this.read(O_PARAM);
  }

  get n_waiting(): number {
    return this.read(O_COUNT);
  }

  get broken(): boolean {
    return (this.read(O_FLAGS) & FLAG_BROKEN) !== 0;
  }

  /** Returns this thread's arrival index, 0 … parties-1. */
  wait(timeout: number | null = null): number {
    const t = checkTimeout(true, timeout);
    const me = currentSlot();
    let index = -1;
    return this.block(
      me,
      secondsToMs(t),
      () => this.arrive((i) => (index = i), me),
      (r) => this.end(r, index),
    );
  }

  async waitAsync(timeout: number | null = null, me = currentSlot()): Promise<number> {
    const t = checkTimeout(true, timeout);
    let index = -1;
    return this.blockAsync(
      me,
      secondsToMs(t),
      () => this.arrive((i) => (index = i), me),
      (r) => this.end(r, index),
    );
  }

  abort(): void {
    this.guarded(() => this.breakAll());
  }

  reset(): void {
    this.guarded(() => {
      this.breakAll();
      this.write(O_FLAGS, this.read(O_FLAGS) & ~FLAG_BROKEN);
      this.write(O_COUNT, 0);
    });
  }

  /** `me`: the arriving thread; the last to arrive wakes the others. */
  private arrive(setIndex: (i: number) => void, me: number): Begin<number> {
    if (this.broken) throw new PyError('BrokenBarrierError', `${this.name} is broken`);
    const index = this.read(O_COUNT);
    setIndex(index);
    if (index + 1 < this.parties) {
      this.write(O_COUNT, index + 1);
      this.arena.bumpObject(this.slot);
      return { park: ThreadState.WaitBarrier };
    }
    this.write(O_COUNT, 0);
    this.write(O_GEN, this.read(O_GEN) + 1);
    this.wakeAll(WakeReason.Granted, me);
    this.arena.bumpObject(this.slot);
    return { done: index };
  }

  private end(reason: WakeReason, index: number): number {
    if (reason === WakeReason.Granted) return index;
    // Timed out (Waiting) or woken as broken: either way the barrier is broken for everyone.
    if (reason === WakeReason.Waiting) this.abort();
    throw new PyError('BrokenBarrierError', `${this.name} is broken`);
  }

  private breakAll(): void {
    this.write(O_FLAGS, this.read(O_FLAGS) | FLAG_BROKEN);
    this.wakeAll(WakeReason.Broken);
    this.arena.bumpObject(this.slot);
  }
}
