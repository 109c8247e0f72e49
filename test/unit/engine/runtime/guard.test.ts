import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Arena, ObjectKind, O_GUARD, O_GUARD_OWNER, T_ALIVE, T_KILLED } from '../../../../src/engine/runtime/arena';

/**
 * Takes the guard in a worker thread (so a regression cannot freeze the test process) and
 * resolves with how long it took, or rejects after `ms`.
 */
function takeGuardInWorker(buffer: SharedArrayBuffer, obj: number, ms = 5000): Promise<number> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    require('tsx/cjs');
    const { Arena } = require(${JSON.stringify(require.resolve('../../../../src/engine/runtime/arena'))});
    const arena = new Arena(workerData.buffer);
    const t0 = Date.now();
    arena.lockGuard(workerData.obj);
    arena.unlockGuard(workerData.obj);
    parentPort.postMessage(Date.now() - t0);
  `;
  const worker = new Worker(code, { eval: true, workerData: { buffer, obj } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`the guard was not taken within ${ms} ms`));
    }, ms);
    worker.once('message', (took: number) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(took);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Leaves the guard as a holder left it (state 1: taken, 2: taken with waiters asleep). */
function holdGuard(arena: Arena, obj: number, state: 1 | 2, holder: number): void {
  Atomics.store(arena.i32, arena.o(obj, O_GUARD), state);
  Atomics.store(arena.i32, arena.o(obj, O_GUARD_OWNER), holder + 1);
}

/** The main thread takes and releases the guard without waiting. */
function assertTakenAtOnce(arena: Arena, obj: number): void {
  const t0 = Date.now();
  arena.lockGuard(obj);
  arena.unlockGuard(obj);
  assert.ok(Date.now() - t0 < 100, `took ${Date.now() - t0} ms`);
}

describe('runtime: the guard survives a thread killed while holding it', function () {
  this.timeout(20_000);

  it('a waiter takes over a guard whose holder died (as when Stop Lab kills a thread mid-section)', async () => {
    const arena = new Arena();
    const obj = arena.allocObject(ObjectKind.Lock);
    const dead = arena.allocThread();
    // The holder took the guard (with a waiter asleep on it), then was killed.
    holdGuard(arena, obj, 2, dead);
    Atomics.store(arena.i32, arena.t(dead, T_ALIVE), 0);
    const took = await takeGuardInWorker(arena.buffer, obj);
    assert.ok(took < 1000, `took ${took} ms`);
    assert.equal(Atomics.load(arena.i32, arena.o(obj, O_GUARD)), 0, 'released after');
    assert.equal(Atomics.load(arena.i32, arena.o(obj, O_GUARD_OWNER)), 0);
    // The main thread, which cleans up after killed threads, takes it over too (no waiting at all).
    holdGuard(arena, obj, 1, dead);
    assertTakenAtOnce(arena, obj);
  });

  it('a holder being killed counts as dead before its exit is processed (the main thread may be the one waiting)', () => {
    const arena = new Arena();
    const obj = arena.allocObject(ObjectKind.Lock);
    const dying = arena.allocThread();
    Atomics.store(arena.i32, arena.t(dying, T_ALIVE), 1);
    Atomics.store(arena.i32, arena.t(dying, T_KILLED), 1);
    holdGuard(arena, obj, 2, dying);
    assertTakenAtOnce(arena, obj);
  });

  it('a live holder is waited for, not overtaken', async () => {
    const arena = new Arena();
    const obj = arena.allocObject(ObjectKind.Lock);
    const live = arena.allocThread();
    Atomics.store(arena.i32, arena.t(live, T_ALIVE), 1);
    arena.lockGuard(obj);
    Atomics.store(arena.i32, arena.o(obj, O_GUARD_OWNER), live + 1);
    let released = false;
    const taking = takeGuardInWorker(arena.buffer, obj).then(() => released);
    // Held past several of the waiter's checks: it did not take it from a live holder.
    await new Promise((r) => setTimeout(r, 400));
    assert.notEqual(Atomics.load(arena.i32, arena.o(obj, O_GUARD)), 0);
    released = true;
    arena.unlockGuard(obj);
    assert.equal(await taking, true, 'the waiter got the guard only after the holder let go');
  });
});
