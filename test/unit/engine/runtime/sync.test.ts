import assert from 'node:assert/strict';
import { PyError } from '../../../../src/engine/runtime/pyErrors';
import type { Runtime } from '../../../../src/engine/runtime/runtime';
import type { Thread } from '../../../../src/engine/runtime/thread';
import { newRuntime, target, until } from './support';

describe('runtime: sync primitives across real worker threads', function () {
  let rt: Runtime;
  beforeEach(() => (rt = newRuntime()));
  afterEach(() => rt.dispose());

  const run = async (name: string, args: unknown[], threadName?: string): Promise<Thread> => {
    const t = rt.Thread({ target: target(name), args, name: threadName });
    t.start();
    await t.join();
    return t;
  };
  const state = (t: Thread) => t.view().state;

  it('Lock: Python errors and non-blocking / timeout acquire', async () => {
    const lock = rt.Lock();
    assert.throws(
      () => lock.release(),
      (e: PyError) => e.type === 'RuntimeError' && e.message === 'release unlocked lock',
    );
    await assert.rejects(lock.acquireAsync(false, 1), /can't specify a timeout for a non-blocking call/);
    assert.equal(await lock.acquireAsync(), true);
    assert.equal((await run('tryAcquire', [lock, false, -1])).result, false);
    const t0 = Date.now();
    assert.equal((await run('tryAcquire', [lock, true, 0.2])).result, false);
    assert.ok(Date.now() - t0 >= 200, 'the timed acquire waited its timeout');
    lock.release();
    assert.equal((await run('tryAcquire', [lock, true, 0.2])).result, true);
  });

  it('Lock: waiters are served first come, first served, and the inspector sees them', async () => {
    const lock = rt.Lock('L');
    const order = rt.Value(0);
    await lock.acquireAsync();
    const threads: Thread[] = [];
    for (const n of [1, 2, 3]) {
      const t = rt.Thread({ target: target('acquireOnce'), args: [lock, order, 0], name: `T${n}` });
      t.start();
      threads.push(t);
      await until(`T${n} to wait`, () => state(t) === 'waiting for lock');
    }
    const view = rt.syncEntity(lock)!.view();
    assert.deepEqual(
      view.waiters.map((w) => w.name),
      ['T1', 'T2', 'T3'],
    );
    assert.equal(view.holderName, 'MainThread');
    assert.deepEqual(threads[0]!.view().waitingFor, { id: view.id, name: 'L', holderId: rt.mainThread.id, holderName: 'MainThread' });
    lock.release();
    await Promise.all(threads.map((t) => t.join()));
    assert.equal(order.value, 123);
    const after = rt.syncEntity(lock)!.view();
    assert.equal(after.acquisitions, 4);
    assert.equal(after.contended, 3);
    assert.ok(after.maxWaitMs > 0 && after.totalWaitMs >= after.maxWaitMs);
    assert.equal(after.holderId, null);
  });

  it('RLock: re-entry counts depth; a non-owner cannot release', async () => {
    const r = rt.RLock();
    await r.acquireAsync();
    await r.acquireAsync();
    assert.equal(rt.syncEntity(r)!.view().depth, 2);
    assert.equal((await run('releaseOther', [r])).result, 'RuntimeError: cannot release un-acquired lock');
    r.release();
    r.release();
    assert.throws(() => r.release(), /cannot release un-acquired lock/);
  });

  it('RLock keeps mutual exclusion under contention with re-entry (no update lost)', async () => {
    const r = rt.RLock();
    const counter = rt.Value(0);
    const go = rt.Event();
    const ts = [1, 2, 3, 4].map(() => rt.Thread({ target: target('rlockIncrement'), args: [r, counter, 1500, go] }));
    ts.forEach((t) => t.start());
    await until('four threads at the gate', () => rt.syncEntity(go)!.view().waiters.length === 4);
    go.set();
    await Promise.all(ts.map((t) => t.join()));
    assert.deepEqual(
      ts.map((t) => t.view().error),
      [null, null, null, null],
    );
    assert.equal(counter.value, 6000);
    assert.equal(rt.syncEntity(r)!.view().holderId, null);
  });

  it('a blocking acquire on the main thread is refused and leaves no waiter behind', async () => {
    const lock = rt.Lock('L');
    await lock.acquireAsync();
    assert.throws(() => lock.acquire(), /would block the main thread/);
    assert.equal(rt.syncEntity(lock)!.view().waiters.length, 0);
    lock.release();
    assert.equal((await run('tryAcquire', [lock, true, 1])).result, true);
  });

  it('BoundedSemaphore refuses over-release; Semaphore(2) lets two in at a time', async () => {
    const b = rt.BoundedSemaphore(1);
    assert.throws(
      () => b.release(),
      (e: PyError) => e.type === 'ValueError' && e.message === 'Semaphore released too many times',
    );
    const sem = rt.Semaphore(2);
    const inside = rt.Value(0);
    const max = rt.Value(0);
    const threads = [1, 2, 3, 4, 5].map(() => rt.Thread({ target: target('semaphoreHold'), args: [sem, inside, max] }));
    threads.forEach((t) => t.start());
    await Promise.all(threads.map((t) => t.join()));
    assert.equal(max.value, 2);
    assert.equal(sem.value, 2);
    assert.equal(rt.syncEntity(sem)!.view().acquisitions, 5);
  });

  it('Event: wait times out while clear; set wakes every waiter', async () => {
    const ev = rt.Event();
    assert.equal((await run('waitEvent', [ev, 0.05])).result, false);
    const waiters = [1, 2, 3].map(() => rt.Thread({ target: target('waitEvent'), args: [ev, null] }));
    waiters.forEach((t) => t.start());
    await until('three waiters', () => rt.syncEntity(ev)!.view().waiters.length === 3);
    ev.set();
    await Promise.all(waiters.map((t) => t.join()));
    assert.deepEqual(
      waiters.map((t) => t.result),
      [true, true, true],
    );
    ev.clear();
    assert.equal(ev.is_set(), false);
  });

  it('Condition: notify needs the lock; wait_for wakes a consumer when an item arrives', async () => {
    const cond = rt.Condition();
    const items = rt.Value(0);
    assert.throws(() => cond.notify(), /cannot notify on un-acquired lock/);
    await assert.rejects(cond.waitAsync(0.01), /cannot wait on un-acquired lock/);
    const consumer = rt.Thread({ target: target('consumer'), args: [cond, items] });
    consumer.start();
    await until('the consumer to wait', () => consumer.view().state === 'waiting on condition');
    await cond.acquireAsync();
    items.value = 1;
    cond.notify();
    cond.release();
    await consumer.join();
    assert.equal(consumer.result, 1);
    assert.equal(items.value, 0);
  });

  it('Barrier: releases all parties together; a timeout breaks it for everyone', async () => {
    const barrier = rt.Barrier(3);
    const ts = [1, 2, 3].map(() => rt.Thread({ target: target('barrierWait'), args: [barrier, null] }));
    ts.forEach((t) => t.start());
    await Promise.all(ts.map((t) => t.join()));
    assert.deepEqual(ts.map((t) => t.result as number).sort(), [0, 1, 2]);
    const b2 = rt.Barrier(3);
    const lone = [1, 2].map(() => rt.Thread({ target: target('barrierWait'), args: [b2, 0.1] }));
    lone.forEach((t) => t.start());
    await Promise.all(lone.map((t) => t.join()));
    assert.deepEqual(
      lone.map((t) => t.result),
      ['BrokenBarrierError', 'BrokenBarrierError'],
    );
    assert.equal(b2.broken, true);
  });
});

describe('runtime: threads', function () {
  let rt: Runtime;
  beforeEach(() => (rt = newRuntime()));
  afterEach(() => rt.dispose());

  it('reports an uncaught exception like threading.excepthook; the other threads keep running', async () => {
    const bad = rt.Thread({ target: target('throwAfter'), args: [0.01] });
    const good = rt.Thread({ target: target('sleep'), args: [0.2] });
    const failures: string[] = [];
    bad.onFail((f) => failures.push(`${f.thread.name}: ${f.error.type}: ${f.error.message}`));
    good.start();
    bad.start();
    await bad.join();
    assert.equal(good.is_alive(), true);
    await good.join();
    assert.equal(good.result, 'slept');
    assert.deepEqual(failures, [`${bad.name}: TypeError: boom in a thread`]);
    assert.match(bad.view().error!.stack!, /programs\.cjs/);
    assert.equal(bad.view().state, 'failed');
  });

  it('join(timeout) returns while the thread lives on; start twice is an error', async () => {
    const t = rt.Thread({ target: target('sleep'), args: [0.5] });
    await assert.rejects(t.join(), /cannot join thread before it is started/);
    t.start();
    assert.throws(() => t.start(), /threads can only be started once/);
    await t.join(0.05);
    assert.equal(t.is_alive(), true);
    assert.ok(t.ident! > 0);
    assert.equal(rt.active_count(), 2);
    await t.join();
    assert.equal(t.is_alive(), false);
    assert.equal(rt.active_count(), 1);
  });

  it('detects a two-thread deadlock within 1 s, naming both threads and locks', async () => {
    const a = rt.Lock('A');
    const b = rt.Lock('B');
    const t0 = Date.now();
    const detected = new Promise<{ threads: readonly string[]; locks: readonly string[] }>((r) => rt.onDeadlock(r));
    const both = rt.Barrier(2);
    rt.Thread({ target: 'twoLocks', args: [a, b, 0, both], name: 'T1' }).start();
    rt.Thread({ target: 'twoLocks', args: [b, a, 0, both], name: 'T2' }).start();
    const report = await detected;
    assert.ok(Date.now() - t0 < 1000 + 100, 'reported within a second of the cycle forming');
    assert.deepEqual([...report.threads].sort(), ['T1', 'T2']);
    assert.deepEqual([...report.locks].sort(), ['A', 'B']);
    assert.equal(rt.syncEntity(a)!.view().deadlocked, true);
  });

  it('never reports a deadlock for a busy, contended lock', async () => {
    const lock = rt.Lock();
    const counter = rt.Value(0);
    const go = rt.Event();
    const reports: unknown[] = [];
    rt.onDeadlock((r) => reports.push(r));
    const ts = [1, 2, 3, 4].map(() => rt.Thread({ target: 'increment', args: [counter, 3000, lock, go] }));
    ts.forEach((t) => t.start());
    await until('four threads at the start gate', () => rt.syncEntity(go)!.view().waiters.length === 4);
    go.set();
    await Promise.all(ts.map((t) => t.join()));
    assert.equal(counter.value, 12000);
    assert.deepEqual(reports, []);
  });

  it('a thread that ends holding a lock: its waiters are told, not stuck forever', async () => {
    const lock = rt.Lock('L');
    const holder = rt.Thread({ target: target('holdForever'), args: [lock] });
    holder.start();
    await until('the holder to hold', () => lock.locked());
    const waiter = rt.Thread({ target: target('acquireExpectingError'), args: [lock] });
    waiter.start();
    await until('the waiter to wait', () => waiter.view().state === 'waiting for lock');
    await holder.kill();
    await waiter.join();
    assert.match(String(waiter.result), /^OwnerDiedError: L: its holder ended while holding it/);
    assert.equal(rt.syncEntity(lock)!.view().ownerDead, true);
    const exitHolder = rt.Lock('M');
    await (async () => {
      const t = rt.Thread({ target: target('acquireAndExit'), args: [exitHolder] });
      t.start();
      await t.join();
    })();
    await assert.rejects(exitHolder.acquireAsync(), /OwnerDiedError|its holder ended/);
  });

  it('dispose ends every thread, even ones blocked forever', async () => {
    const lock = rt.Lock();
    await lock.acquireAsync();
    const ts = [1, 2, 3].map(() => rt.Thread({ target: target('tryAcquire'), args: [lock, true, -1] }));
    ts.forEach((t) => t.start());
    await until('three waiters', () => rt.syncEntity(lock)!.view().waiters.length === 3);
    await rt.dispose();
    assert.deepEqual(
      ts.map((t) => t.is_alive()),
      [false, false, false],
    );
  });
});
