import { type Arena, ObjectKind, O_KIND, O_PARAM } from './arena';
import { Barrier } from './barrier';
import { Condition } from './condition';
import { Event } from './event';
import { Lock, RLock } from './lock';
import { BoundedSemaphore, Semaphore } from './semaphore';
import { isSyncHandle, type SyncObject } from './syncObject';
import { SharedInt } from './value';

/** Rebuilds, in a worker, the object a handle names: same slot, same shared memory. */
export function fromSlot(arena: Arena, slot: number, name: string, names: ReadonlyMap<number, string> = new Map()): SyncObject {
  const kind = arena.i32[arena.o(slot, O_KIND)] as ObjectKind;
  switch (kind) {
    case ObjectKind.Lock:
      return new Lock(arena, slot, name);
    case ObjectKind.RLock:
      return new RLock(arena, slot, name);
    case ObjectKind.Semaphore:
      return new Semaphore(arena, slot, name);
    case ObjectKind.BoundedSemaphore:
      return new BoundedSemaphore(arena, slot, name);
    case ObjectKind.Event:
      return new Event(arena, slot, name);
    case ObjectKind.Barrier:
      return new Barrier(arena, slot, name);
    case ObjectKind.Value:
      return new SharedInt(arena, slot, name);
    case ObjectKind.Condition: {
      const lockSlot = arena.i32[arena.o(slot, O_PARAM)]! - 1;
      const lock = fromSlot(arena, lockSlot, names.get(lockSlot) ?? `lock of ${name}`) as Lock;
      return new Condition(arena, slot, name, lock);
    }
    default:
      throw new Error(`slot ${slot} holds no synchronisation object`);
  }
}

/** Replaces handles in a thread's arguments (top level, and inside plain arrays and objects). */
export function rehydrateArgs(arena: Arena, args: readonly unknown[]): unknown[] {
  const one = (v: unknown): unknown => (isSyncHandle(v) ? fromSlot(arena, v.$sync, v.name) : v);
  return args.map((a) => {
    if (isSyncHandle(a)) return one(a);
    if (Array.isArray(a)) return a.map(one);
    if (a && typeof a === 'object' && Object.getPrototypeOf(a) === Object.prototype) {
      return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, one(v)]));
    }
    return a;
  });
}
