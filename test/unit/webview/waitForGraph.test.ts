import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LockRow } from '../../../src/protocol/frames';
import { buildWaitForGraph } from '../../../src/webview/waitForGraph';
import { lockRow } from './support/lockRow';

function lock(id: string, holder: string | null, waiters: string[]): LockRow {
  return lockRow({ id, name: id, holderId: holder, holderName: holder, depth: holder ? 1 : 0, waiters: waiters.map((w) => ({ id: w, name: w })) });
}

describe('webview: wait-for graph', () => {
  it('finds the classic two-lock deadlock as one cycle of four nodes', () => {
    const g = buildWaitForGraph([lock('sync-1', 'thread-1', ['thread-2']), lock('sync-2', 'thread-2', ['thread-1'])]);
    assert.equal(g.cycles.length, 1);
    assert.deepEqual([...g.cycles[0]!].sort(), ['sync-1', 'sync-2', 'thread-1', 'thread-2']);
    assert.equal(g.edges.length, 4);
  });

  it('no cycle for plain contention, and idle locks are left out', () => {
    const g = buildWaitForGraph([lock('sync-1', 'thread-1', ['thread-2', 'thread-3']), lock('sync-2', null, [])]);
    assert.deepEqual(g.cycles, []);
    assert.equal(g.nodes.length, 4);
    assert.ok(!g.nodes.some((n) => n.id === 'sync-2'));
  });

  it('a thread waiting for a lock it holds itself (Lock re-acquired) is a cycle', () => {
    const g = buildWaitForGraph([lock('sync-1', 'thread-1', ['thread-1'])]);
    assert.equal(g.cycles.length, 1);
  });

  it('a cycle is reported exactly when following waits-for/held-by from some thread returns to it', () => {
    // Random ownership: each lock held by at most one of 5 threads, each thread waits for at most one lock.
    const arb = fc.record({
      holders: fc.array(fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }), { minLength: 1, maxLength: 5 }),
      waits: fc.array(fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }), { minLength: 5, maxLength: 5 }),
    });
    fc.assert(
      fc.property(arb, ({ holders, waits }) => {
        const locks = holders.map((h, i) =>
          lock(
            `sync-${i}`,
            h === null ? null : `thread-${h}`,
            waits.flatMap((w, t) => (w === i ? [`thread-${t + 1}`] : [])),
          ),
        );
        const g = buildWaitForGraph(locks);
        // Reference: walk from each thread (each has at most one outgoing wait, each lock one holder).
        const expected = new Set<string>();
        for (let t = 1; t <= 5; t++) {
          const path: string[] = [];
          let cur: string | null = `thread-${t}`;
          while (cur && !path.includes(cur)) {
            path.push(cur);
            const w: number | null | undefined = waits[Number(cur.slice(7)) - 1];
            const l: LockRow | null = w === null || w === undefined || w >= locks.length ? null : locks[w]!;
            cur = l && l.holderId ? l.holderId : null;
            if (l && cur) path.push(l.id);
          }
          if (cur && path.includes(cur)) for (const id of path.slice(path.indexOf(cur))) expected.add(id);
        }
        assert.deepEqual([...g.inCycle].sort(), [...expected].sort());
      }),
      { numRuns: 500 },
    );
  });
});
