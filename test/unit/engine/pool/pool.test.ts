import assert from 'node:assert/strict';
import path from 'node:path';
import { Pool } from '../../../../src/engine/pool/pool';
import { StateModel } from '../../../../src/engine/state/model';
import { isAlive } from '../../../support/processes';
import { workers } from '../../support/build';

const user = (name: string) => `${path.join(__dirname, 'tasks.cjs')}#${name}`;

for (const kind of ['thread', 'process'] as const) {
  describe(`Pool (${kind}s): multiprocessing.Pool's semantics with real ${kind === 'thread' ? 'worker threads' : 'child processes'}`, function () {
    this.timeout(20_000);
    let pool: Pool;
    const make = (processes: number, extra: Partial<ConstructorParameters<typeof Pool>[0]> = {}) =>
      (pool = new Pool({ model: new StateModel({ retentionMs: 0 }), processes, kind, workers, ...extra }));
    afterEach(async () => {
      await pool?.terminate();
    });

    it('apply_async with a callback runs N at a time; apply waits for each (the tutorial lab, scaled down)', async () => {
      make(5);
      const got: number[] = [];
      let t0 = Date.now();
      const results = Array.from({ length: 10 }, (_, i) => pool.apply_async<number>('sleep', [i, 0.3], { callback: (v) => got.push(v) }));
      assert.deepEqual(await Promise.all(results.map((r) => r.get())), [100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
      const asyncMs = Date.now() - t0;
      assert.deepEqual(
        [...got].sort((a, b) => a - b),
        [100, 101, 102, 103, 104, 105, 106, 107, 108, 109],
      );
      t0 = Date.now();
      for (let i = 0; i < 3; i++) assert.equal(await pool.apply('sleep', [i, 0.3]), 100 + i);
      const applyMs = Date.now() - t0;
      assert.ok(asyncMs >= 600 && asyncMs < 1500, `10 tasks of 0.3 s on 5 workers: ${asyncMs} ms`);
      assert.ok(applyMs >= 900, `3 applies of 0.3 s one after another: ${applyMs} ms`);
    });

    it('map chunks automatically like Python and keeps order; starmap, imap and imap_unordered', async () => {
      make(2);
      const xs = Array.from({ length: 1000 }, (_, i) => i);
      assert.deepEqual(
        await pool.map('square', xs),
        xs.map((x) => x * x),
      );
      assert.deepEqual(await pool.map('square', xs.slice(0, 7), 3), [0, 1, 4, 9, 16, 25, 36]);
      assert.deepEqual(
        await pool.starmap('add', [
          [1, 2],
          [3, 4],
        ]),
        [3, 7],
      );
      const ordered: unknown[] = [];
      for await (const v of pool.imap('square', [3, 1, 2])) ordered.push(v);
      assert.deepEqual(ordered, [9, 1, 4]);
      const any: number[] = [];
      for await (const v of pool.imap_unordered<number>('square', [3, 1, 2])) any.push(v);
      assert.deepEqual(
        any.sort((a, b) => a - b),
        [1, 4, 9],
      );
      assert.deepEqual(await pool.map('square', []), []);
    });

    it('a task that throws fails its own result with the original error and stack; the worker lives on', async () => {
      make(1);
      const first = pool.liveWorkers[0]!;
      const errors: Error[] = [];
      const r = pool.apply_async('fail', ['bad input'], { error_callback: (e) => errors.push(e) });
      await assert.rejects(r.get(), (e: Error) => e.message === 'bad input' && /at fail \(.*pool-worker\.js/.test(e.stack ?? ''));
      assert.equal(r.successful(), false);
      assert.equal(errors.length, 1);
      assert.equal(await pool.apply('add', [1, 1]), 2);
      assert.equal(pool.liveWorkers[0], first, 'the same worker');
      await assert.rejects(pool.map('fail', [1, 2, 3]), /^Error: 1$/);
    });

    it('a worker that dies mid-task fails only that task, and is replaced', async () => {
      make(2);
      const slow = pool.apply_async('sleep', [1, 0.5]);
      const crash = pool.apply_async('crash', [kind === 'process' ? 'kill' : 'exit']);
      await assert.rejects(crash.get(), kind === 'process' ? /worker exited with signal SIGKILL \(-9\) while running crash/ : /worker exited with code 3 while running crash/);
      assert.equal(await slow.get(), 101, 'the other task finished');
      assert.equal(await pool.apply('add', [2, 2]), 4);
      assert.equal(pool.view().workersReplaced, 1);
      assert.equal(pool.liveWorkers.length, 2);
    });

    it("the user's own modules: CommonJS and ES modules (.mjs), by path", async () => {
      make(1);
      assert.match(String(await pool.apply(user('whoAmI'))), /^no:/);
      assert.equal(await pool.apply(`${path.join(__dirname, 'esm-tasks.mjs')}#triple`, [7]), 21);
      await assert.rejects(pool.apply(`${path.join(__dirname, 'esm-tasks.mjs')}#nope`, [7]), /exports no function "nope"/);
    });

    it('initializer runs in each worker; a failing one is reported and not retried in a loop', async () => {
      make(2, { initializer: user('init'), initargs: ['ready'] });
      assert.match(String(await pool.apply(user('whoAmI'))), /^ready:/);
      await pool.terminate();
      make(2, { initializer: user('badInit') });
      await assert.rejects(pool.apply('add', [1, 2]), /the pool's workers cannot start: Error: initializer failed on purpose/);
      pool.close();
      await pool.join();
      assert.equal(pool.liveWorkers.length, 0);
      assert.equal(pool.view().workersReplaced, 0);
      assert.match(pool.view().startError!.message, /initializer failed on purpose/);
    });

    it('maxtasksperchild replaces a worker after that many tasks', async () => {
      make(1, { maxtasksperchild: 2 });
      const ids = new Set<string>();
      for (let i = 0; i < 6; i++) ids.add(String(await pool.apply(user('whoAmI'))));
      assert.equal(ids.size, 3);
      assert.equal(pool.view().workersReplaced, 0, 'retiring is not a crash');
    });

    it('close, join: no new tasks (Python errors), queued ones finish, no worker left', async () => {
      make(2);
      const r = pool.apply_async('sleep', [5, 0.2]);
      await assert.rejects(pool.join(), /Pool is still running/);
      pool.close();
      assert.throws(() => pool.apply_async('noop', [1]), /Pool not running/);
      await pool.join();
      assert.equal(await r.get(), 105);
      assert.equal(pool.liveWorkers.length, 0);
      assert.equal(pool.view().state, 'joined');
    });

    it('terminate ends busy workers within a second; their tasks fail; nothing is left behind', async () => {
      make(2);
      const idents = pool.liveWorkers.map((w) => w.ident);
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (pool.liveWorkers.every((w) => w.state === 'idle')) {
            clearInterval(t);
            resolve();
          }
        }, 10);
      });
      const pids = pool.liveWorkers.map((w) => w.ident!);
      const rs = [pool.apply_async(user('sleepMs'), [60_000]), pool.apply_async(user('sleepMs'), [60_000]), pool.apply_async('noop', [1])];
      const t0 = Date.now();
      await pool.terminate();
      assert.ok(Date.now() - t0 < 1000, `terminated in ${Date.now() - t0} ms`);
      for (const r of rs) await assert.rejects(r.get(), /pool terminated/);
      assert.equal(pool.liveWorkers.length, 0);
      assert.equal(idents.length, 2);
      if (kind === 'process') assert.deepEqual(pids.filter(isAlive), []);
    });

    it('idle workers (parked between tasks) end at once on terminate, and wake for new work', async () => {
      make(2);
      assert.equal(await pool.apply('add', [1, 2]), 3);
      // Straight after a task a thread worker parks on its request counter; a message wakes it.
      assert.equal(await pool.apply('add', [2, 2]), 4);
      await new Promise((r) => setTimeout(r, 250)); // past the park window: back in its event loop
      assert.equal(await pool.apply('add', [3, 3]), 6);
      const t0 = Date.now();
      await pool.terminate();
      assert.ok(Date.now() - t0 < 1000, `terminated in ${Date.now() - t0} ms`);
      assert.equal(pool.liveWorkers.length, 0);
    });

    it('imap submits at once; a failing chunk the caller never reaches rejects nothing unhandled', async () => {
      make(2);
      const unhandled: unknown[] = [];
      const onUnhandled = (e: unknown) => unhandled.push(e);
      process.on('unhandledRejection', onUnhandled);
      try {
        const it = pool.imap('fail', [1, 2, 3]);
        assert.equal(pool.view().queued + pool.view().busy > 0, true, 'submitted before the first next()');
        await assert.rejects(it.next(), /^Error: 1$/);
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(unhandled, []);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('terminate counts each unfinished task as failed once', async () => {
      make(1);
      const rs = [pool.apply_async(user('sleepMs'), [60_000]), pool.apply_async('noop', [1]), pool.apply_async('noop', [2])];
      await pool.terminate();
      for (const r of rs) await assert.rejects(r.get(), /pool terminated/);
      assert.equal(pool.view().tasksFailed, 3);
    });

    it('AsyncResult: get(timeout) raises TimeoutError; successful() before ready is a ValueError', async () => {
      make(1);
      const r = pool.apply_async('sleep', [0, 0.3]);
      assert.throws(() => r.successful(), /not ready/);
      await assert.rejects(r.get(0.05), (e: Error) => e.name === 'TimeoutError');
      assert.equal(await r.wait(2), true);
      assert.equal(r.successful(), true);
    });
  });
}
