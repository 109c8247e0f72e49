import { type Arena, O_KIND, ObjectKind, T_STATE, T_WAIT_ON } from './arena';
import { ThreadState } from './threadState';

/** A cycle in the wait-for graph: thread[i] waits for lock[i], held by thread[i+1] (mod n). */
export interface Cycle {
  readonly threads: readonly number[];
  readonly locks: readonly number[];
}

/**
 * Finds every cycle of threads waiting for locks held by each other. A racy read is fine:
 * threads in a real deadlock never move, so the cycle is the same on every sample.
 */
export function findDeadlocks(arena: Arena, liveSlots: Iterable<number>): Cycle[] {
  const waitsFor = new Map<number, { lock: number; holder: number }>();
  for (const t of liveSlots) {
    if (Atomics.load(arena.i32, arena.t(t, T_STATE)) !== ThreadState.WaitLock) continue;
    const on = arena.i32[arena.t(t, T_WAIT_ON)]!;
    if (on <= 0) continue;
    const lock = on - 1;
    const kind = arena.i32[arena.o(lock, O_KIND)];
    if (kind !== ObjectKind.Lock && kind !== ObjectKind.RLock) continue;
    const owner = arena.owner(lock);
    if (owner > 0) waitsFor.set(t, { lock, holder: owner - 1 });
  }
  const cycles: Cycle[] = [];
  const done = new Set<number>();
  for (const start of waitsFor.keys()) {
    if (done.has(start)) continue;
    const path: number[] = [];
    const onPath = new Map<number, number>();
    let t: number | undefined = start;
    while (t !== undefined && !done.has(t) && !onPath.has(t)) {
      onPath.set(t, path.length);
      path.push(t);
      t = waitsFor.get(t)?.holder;
    }
    if (t !== undefined && onPath.has(t)) {
      const threads = path.slice(onPath.get(t));
      cycles.push({ threads, locks: threads.map((x) => waitsFor.get(x)!.lock) });
    }
    for (const x of path) done.add(x);
  }
  return cycles;
}
