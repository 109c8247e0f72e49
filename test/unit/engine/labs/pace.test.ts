import assert from 'node:assert/strict';
import { Engine } from '../../../../src/engine/engine';
import { LABS, findLab } from '../../../../src/engine/labs/catalog';
import { LAB_GROUPS, paceParams } from '../../../../src/engine/labs/lab';
import type { LabView, SyncView } from '../../../../src/protocol/views';
import { workers } from '../../support/build';

describe('labs at a pace a learner can watch', function () {
  this.timeout(60_000);
  let engine: Engine;
  beforeEach(() => (engine = new Engine({ workers, retentionMs: 60_000 })));
  afterEach(() => engine.dispose());

  it('every lab is in one of the Labs view groups', () => {
    for (const l of LABS) assert.ok(LAB_GROUPS.includes(l.group), `${l.name}: ${l.group}`);
  });

  it('race: the watch pace slows the critical section; the fast pace is the thousands of increments', () => {
    const race = findLab('race')!;
    assert.deepEqual(paceParams(race, 'fast'), { threads: 4, increments: 2000, hold: 0 });
    assert.deepEqual(paceParams(race, 'watch'), { threads: 4, increments: 10, hold: 0.15 });
    assert.deepEqual(paceParams(race, 'watch', { threads: 3 }), { threads: 3, increments: 10, hold: 0.15 });
  });

  it('race at the watch pace: the lock has waiters for seconds while one thread holds it, and the outcome still holds', async () => {
    const run = engine.startLab('race', paceParams(findLab('race')!, 'watch'), true);
    const lockWithWaiters: number[] = [];
    const progress: NonNullable<LabView['progress']>[] = [];
    const sample = setInterval(() => {
      const lock = engine.model.snapshot().find((e): e is SyncView => e.kind === 'sync' && e.name === 'counter lock');
      if (lock?.holderName && lock.waiters.length > 0) lockWithWaiters.push(Date.now());
      const p = run.view().progress;
      if (p) progress.push(p);
    }, 100);
    await run.finished;
    clearInterval(sample);
    assert.equal(run.view().state, 'done', run.view().output.join('\n'));
    const f = run.result!.figures;
    assert.equal(f.withLock, 40);
    assert.ok((f.withoutLock as number) < 40, `without a lock: ${String(f.withoutLock)}`);
    // 4 threads × 10 increments × 0.15 s, one at a time: about 6 s with the lock held and waited for.
    const span = lockWithWaiters.length ? lockWithWaiters.at(-1)! - lockWithWaiters[0]! : 0;
    assert.ok(span >= 4000, `the lock had waiters for ${span} ms`);
    // Progress moves forward, with a time left once something is done; none after the end.
    assert.ok(progress.length > 10);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.fraction >= progress[i - 1]!.fraction, 'progress never goes back');
    assert.ok(
      progress.some((p) => p.leftMs !== null && p.leftMs > 1000 && p.fraction > 0.1 && p.fraction < 0.9),
      JSON.stringify(progress.slice(0, 5)),
    );
    assert.equal(run.view().progress, null);
  });

  it('labs that mostly sleep follow the clock: threads-join at the watch pace reports its time left from the start', async () => {
    const run = engine.startLab('threads-join', paceParams(findLab('threads-join')!, 'watch'), true);
    let first: NonNullable<LabView['progress']> | null = null;
    while (!first && run.isRunning) {
      first = run.view().progress ?? null;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(first && first.leftMs !== null && first.leftMs > 4000, JSON.stringify(first));
    await run.stop();
  });
});
