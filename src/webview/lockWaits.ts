// A primitive's wait figures as the Locks table shows them. The engine adds a wait to its totals
// only when it ends (the waiter got the lock), so a thread stuck for a minute — a deadlock — would
// read "waited 0 / wait 0 ms". Waits in progress are counted here, timed from the moment each
// waiter's lane entered its waiting state.
import type { LockRow } from '../protocol/frames';
import type { LaneRecord } from './store';

export interface LockWaitFigures {
  /** Contended acquisitions that ended, plus the waits going on now. */
  readonly waited: number;
  readonly totalWaitMs: number;
  readonly maxWaitMs: number;
  /** How many of those are still waiting. */
  readonly waitingNow: number;
}

export function lockWaitFigures(lock: LockRow, lanes: ReadonlyMap<string, LaneRecord>, now: number): LockWaitFigures {
  let total = lock.totalWaitMs;
  let max = lock.maxWaitMs;
  for (const w of lock.waiters) {
    const lane = lanes.get(w.id)?.lane;
    // Only a lane that says it waits on this primitive gives the wait's start; without one the
    // wait still counts, its time cannot be known.
    if (!lane || lane.ended || lane.waitingForId !== lock.id) continue;
    const ms = Math.max(0, now - lane.since);
    total += ms;
    max = Math.max(max, ms);
  }
  return { waited: lock.contended + lock.waiters.length, totalWaitMs: total, maxWaitMs: max, waitingNow: lock.waiters.length };
}
