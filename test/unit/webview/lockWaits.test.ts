import assert from 'node:assert/strict';
import type { Lane, LockRow } from '../../../src/protocol/frames';
import { lockWaitFigures } from '../../../src/webview/lockWaits';
import type { LaneRecord } from '../../../src/webview/store';
import { lockRow } from './support/lockRow';

function lock(over: Partial<LockRow>): LockRow {
  return lockRow({ group: 'deadlock', holderId: 'thread-1', holderName: 'T1', depth: 1, ...over });
}

function lanes(...list: Partial<Lane>[]): Map<string, LaneRecord> {
  const out = new Map<string, LaneRecord>();
  for (const over of list) {
    const lane: Lane = {
      id: 'thread-2',
      kind: 'thread',
      name: 'T2',
      groupId: 'lab-1',
      group: 'deadlock',
      state: 'lock',
      label: 'waiting for Lock A',
      since: 1000,
      holding: [],
      waitingForId: 'sync-a',
      linkId: null,
      woken: null,
      ended: false,
      ...over,
    };
    out.set(lane.id, { lane, spans: [], wakes: [] });
  }
  return out;
}

describe('webview: lock wait figures', () => {
  it('a thread stuck waiting counts as a wait, timed from when it began (a deadlock reads 40 s, not 0)', () => {
    const f = lockWaitFigures(lock({ waiters: [{ id: 'thread-2', name: 'T2' }] }), lanes({}), 41_000);
    assert.deepEqual(f, { waited: 1, totalWaitMs: 40_000, maxWaitMs: 40_000, waitingNow: 1 });
  });

  it('adds waits in progress to the ended ones; the longest of either is the max', () => {
    const l = lock({
      contended: 3,
      totalWaitMs: 900,
      maxWaitMs: 500,
      waiters: [
        { id: 'thread-2', name: 'T2' },
        { id: 'thread-3', name: 'T3' },
      ],
    });
    const f = lockWaitFigures(l, lanes({ since: 9_800 }, { id: 'thread-3', since: 9_000 }), 10_000);
    assert.deepEqual(f, { waited: 5, totalWaitMs: 900 + 200 + 1000, maxWaitMs: 1000, waitingNow: 2 });
  });

  it('a waiter whose lane is unknown, ended or waits on something else counts, but adds no time', () => {
    const l = lock({
      waiters: [
        { id: 'thread-2', name: 'T2' },
        { id: 'thread-3', name: 'T3' },
        { id: 'thread-9', name: 'T9' },
      ],
    });
    const f = lockWaitFigures(l, lanes({ waitingForId: 'sync-b' }, { id: 'thread-3', ended: true }), 10_000);
    assert.deepEqual(f, { waited: 3, totalWaitMs: 0, maxWaitMs: 0, waitingNow: 3 });
  });

  it("nobody waiting: the engine's figures unchanged", () => {
    assert.deepEqual(lockWaitFigures(lock({ contended: 2, totalWaitMs: 30, maxWaitMs: 20 }), new Map(), 5_000), { waited: 2, totalWaitMs: 30, maxWaitMs: 20, waitingNow: 0 });
  });
});
