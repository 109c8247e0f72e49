import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine/engine';
import { findLab } from '../../../src/engine/labs/catalog';
import { paceParams } from '../../../src/engine/labs/lab';
import type { Disposable } from '../../../src/engine/lifecycle';
import { OwnedRows, type OwnedNode, type Redraw } from '../../../src/feeds/ownedRows';
import { syncRows, THREAD_FILTERS, threadRows } from '../../../src/feeds/runtimeRows';
import { StateMirror, type MirrorChange } from '../../../src/feeds/stateMirror';
import type { EntityView, SyncView, ThreadView } from '../../../src/protocol/views';
import { eventually } from '../../support/testClient';
import { workers } from '../support/build';

/** The rows as VS Code would read them: names, depth first. */
function draw<V extends EntityView>(rows: OwnedRows<V>, parent?: OwnedNode, depth = 0): string[] {
  return rows.children(parent).flatMap((n) => {
    const v = rows.get(n.kind === 'ref' ? n.targetId : n.id);
    const label = n.kind === 'ref' ? `${n.role}: ${v?.name ?? '?'}` : (v?.name ?? '?');
    return [`${'  '.repeat(depth)}${label}`, ...draw(rows, n, depth + 1)];
  });
}

describe("OwnedRows: the Threads, Sync and Pools rows against a real engine's state mirror", function () {
  this.timeout(60_000);
  let engine: Engine;
  let mirror: StateMirror;
  let lease: Disposable;

  beforeEach(() => {
    engine = new Engine({ workers, retentionMs: 100, tickMs: 50 });
    mirror = new StateMirror();
    mirror.setEngine(engine);
    lease = mirror.acquire();
  });

  afterEach(async () => {
    lease.dispose();
    mirror.dispose();
    await engine.dispose();
  });

  // Interactive, as in the extension: the deadlocked threads stay until the lab is stopped.
  it("deadlock: the lab owns its threads; each lock lists its holder and its waiter; a thread's row walks up to its lab's", async () => {
    const threads = new OwnedRows(mirror, threadRows);
    const sync = new OwnedRows(mirror, syncRows);
    const run = engine.startLab('deadlock', {}, true);
    await eventually(() => (mirror.get(run.id) as { deadlock?: unknown } | undefined)?.deadlock != null, 'the deadlock to be detected');
    await eventually(() => draw(threads).length >= 4, 'the threads under the lab');
    assert.deepEqual(draw(threads), ['Deadlock', '  MainThread', '  T1', '  T2']);
    const locks = draw(sync).join('\n');
    assert.match(locks, /^ {2}Lock A\n {4}holder: T(1|2)\n {4}waiting: T(1|2)$/m);
    assert.match(locks, /^ {2}Lock B\n {4}holder: T(1|2)\n {4}waiting: T(1|2)$/m);
    const t1 = [...mirror.all()].find((e): e is ThreadView => e.kind === 'thread' && e.name === 'T1')!;
    const row = threads.nodeFor(t1.id)!;
    const [owner] = threads.children();
    assert.equal(threads.parent(row), owner, 'the same node object the tree holds');
    assert.equal(
      threads.children(owner).find((n) => n.id === t1.id),
      row,
    );
  });

  it('a filter lists only what it accepts: waiting for a lock leaves MainThread out', async () => {
    const threads = new OwnedRows(mirror, threadRows);
    const run = engine.startLab('deadlock', {}, true);
    await eventually(() => (mirror.get(run.id) as { deadlock?: unknown } | undefined)?.deadlock != null, 'the deadlock');
    threads.setFilter({ name: 'lock', accepts: THREAD_FILTERS.lock.accepts });
    // (The threads' states may reach the mirror a tick after the lab's deadlock.)
    await eventually(() => draw(threads).length === 3, 'the two lock waiters');
    assert.deepEqual(draw(threads), ['Deadlock', '  T1', '  T2']);
    assert.equal(threads.filterName, 'lock');
    threads.setFilter(undefined);
    assert.deepEqual(draw(threads), ['Deadlock', '  MainThread', '  T1', '  T2']);
  });

  it("a finished run's rows are kept after the engine forgot them, until the same lab runs again", async () => {
    const threads = new OwnedRows(mirror, threadRows);
    const redraws: Redraw[] = [];
    const sub = mirror.onDidChange((c) => redraws.push(threads.apply(c)));
    try {
      const first = engine.startLab('deadlock', {}, true);
      await eventually(() => draw(threads).length === 4, "the first run's rows");
      await engine.stopLab(first.id);
      // Retention is 100 ms: the engine removes the run and its threads; the rows stay.
      await eventually(() => mirror.get(first.id) === undefined && [...mirror.all()].every((e) => e.kind !== 'thread'), 'the engine to forget the run');
      assert.deepEqual(draw(threads), ['Deadlock', '  MainThread', '  T1', '  T2']);
      assert.notEqual(threads.get(first.id)?.endedAt ?? null, null, 'kept as ended');
      const second = engine.startLab('deadlock', {}, true);
      await eventually(() => draw(threads).length === 4 && threads.children()[0]?.id === second.id, "the second run's rows");
      assert.deepEqual(
        threads.children().map((n) => n.id),
        [second.id],
        "the first run's rows went",
      );
      assert.ok(redraws.includes('all'), 'a new run redraws everything');
    } finally {
      sub.dispose();
    }
  });

  it('while a lab runs and no row comes or goes, a change redraws single rows, never the whole tree', async () => {
    const threads = new OwnedRows(mirror, threadRows);
    const seen: { change: MirrorChange; redraw: Redraw }[] = [];
    const run = engine.startLab('race', paceParams(findLab('race')!, 'watch'));
    await eventually(() => draw(threads).length === 6, 'the lab and its five threads');
    const sub = mirror.onDidChange((change) => seen.push({ change, redraw: threads.apply(change) }));
    try {
      await eventually(() => seen.filter((s) => Array.isArray(s.redraw) && s.redraw.length > 0).length >= 5, 'five redraws of single rows', 20_000);
    } finally {
      sub.dispose();
      await engine.stopLab(run.id);
    }
    for (const { change, redraw } of seen) {
      const rowsCameOrWent = [...change.added, ...change.removed].some((e) => e.kind === 'thread' || e.kind === 'lab');
      if (!rowsCameOrWent) assert.notEqual(redraw, 'all', `a change of ${change.changed.map((e) => e.name).join(', ')} redrew everything`);
    }
    const rows = seen.flatMap((s) => (Array.isArray(s.redraw) ? s.redraw : []));
    assert.ok(
      rows.some((n) => n.kind === 'entity'),
      'thread rows were redrawn on their own',
    );
  });

  it('rows whose text moves with time tick: the two lock waiters, not the running MainThread', async () => {
    const threads = new OwnedRows(mirror, threadRows);
    const run = engine.startLab('deadlock', {}, true);
    await eventually(() => (mirror.get(run.id) as { deadlock?: unknown } | undefined)?.deadlock != null, 'the deadlock');
    await eventually(() => draw(threads).length === 4 && threads.ticking().length === 2, 'two ticking rows');
    const ticking = threads
      .ticking()
      .map((n) => mirror.get(n.id)?.name)
      .sort();
    assert.deepEqual(ticking, ['T1', 'T2']);
    const locks = [...mirror.all()].filter((e): e is SyncView => e.kind === 'sync');
    assert.ok(locks.length >= 2);
  });
});
