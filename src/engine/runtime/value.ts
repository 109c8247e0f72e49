import { type Arena, ObjectKind, O_COUNT } from './arena';
import { SyncObject } from './syncObject';

/**
 * An integer in shared memory, as a global is shared between Python threads. `value` reads and
 * writes are separate steps on purpose: `v.value = v.value + 1` is a race, as in Python.
 */
export class SharedInt extends SyncObject {
  readonly kind = ObjectKind.Value;

  static create(arena: Arena, name: string, initial = 0): SharedInt {
    return new SharedInt(arena, arena.allocObject(ObjectKind.Value, 0, initial), name);
  }

  get value(): number {
    return Atomics.load(this.arena.i32, this.i(O_COUNT));
  }

  set value(v: number) {
    Atomics.store(this.arena.i32, this.i(O_COUNT), v);
    this.arena.bumpObject(this.slot);
  }
}
