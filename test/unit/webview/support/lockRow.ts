import type { LockRow } from '../../../../src/protocol/frames';

/** A free Lock with no history; `over` sets what a test is about. */
export function lockRow(over: Partial<LockRow> = {}): LockRow {
  return {
    id: 'sync-a',
    name: 'Lock A',
    primitive: 'Lock',
    group: 'lab',
    holderId: null,
    holderName: null,
    depth: 0,
    value: 0,
    waiters: [],
    acquisitions: 1,
    contended: 0,
    totalWaitMs: 0,
    maxWaitMs: 0,
    totalHoldMs: 0,
    maxHoldMs: 0,
    deadlocked: false,
    ...over,
  };
}
