import assert from 'node:assert/strict';
import { LABS } from '../../../../src/engine/labs/catalog';
import type { LabView, ThreadView } from '../../../../src/protocol/views';
import { useLabEngine } from './support';

describe('labs: each proves what it says (real threads and processes)', function () {
  this.timeout(30_000);
  const fx = useLabEngine();
  const figures = async (name: string, params: Record<string, number> = {}) => (await fx.done(name, params)).figures;

  it('the catalog follows the tutorials: sockets and servers, threads, processes (with the GIL and multiprogramming), pools; each lab explained', () => {
    assert.deepEqual(
      LABS.map((l) => l.name),
      [
        'backlog',
        'reuseaddr',
        'select-server',
        'server-attributes',
        'exceptions',
        'threads-join',
        'race',
        'rlock',
        'event-gate',
        'daemon',
        'threading-functions',
        'memory-isolation',
        'join-order',
        'terminate',
        'shared-memory',
        'process-lock',
        'deadlock',
        'gil',
        'multiprogramming',
        'pool',
      ],
    );
    for (const l of LABS) assert.ok(l.explanation.length > 80, `${l.name} explains itself`);
    // A note on what the Node lab imitates is one line beside the two runs, not a second explanation.
    for (const l of LABS) assert.ok(l.imitation === null || (l.imitation.length > 30 && l.imitation.length < 300), `${l.name}: imitation note of ${l.imitation?.length} chars`);
  });

  it("threads-join: at its defaults (20 threads × 0.2 s), joined after the loop ≈ one sleep as in Python (≤ 1.5 ×), inside the loop ≈ 20 sleeps; the threads' warm-up is apart", async () => {
    const f = await figures('threads-join', { threads: 20, seconds: 0.2 });
    assert.ok((f.joinAfterLoopMs as number) <= 300, `after: ${String(f.joinAfterLoopMs)} ms`);
    assert.ok((f.joinInsideLoopMs as number) >= 4000 && (f.joinInsideLoopMs as number) <= 6000, `inside: ${String(f.joinInsideLoopMs)} ms`);
    assert.ok((f.warmUpMs as number) > 0);
  });

  it('threading-functions: 100 daemon threads all running within 1 s of the first start(); active_count() and enumerate() count MainThread and them; main ends without join() and they are ended', async () => {
    const f = await figures('threading-functions', { threads: 100, seconds: 5 });
    assert.ok((f.runningMs as number) <= 1000, `running after ${String(f.runningMs)} ms`);
    assert.equal(f.activeCount, 101);
    assert.equal(f.enumerated, 101);
    assert.equal(f.firstName, 'MainThread');
    assert.equal(f.endedMidSleep, 100);
  });

  it('race: updates are lost without the lock and none with it', async () => {
    const f = await figures('race', { threads: 4, increments: 3000 });
    assert.equal(f.expected, 12000);
    assert.ok((f.withoutLock as number) < 12000, `without a lock: ${String(f.withoutLock)}`);
    assert.equal(f.withLock, 12000);
  });

  it('race with the lock: a thread handed the lock on release records who woke it and when', async () => {
    const run = fx.engine.startLab('race', { threads: 4, increments: 3000 });
    const t0 = Date.now();
    await run.finished;
    const threads = fx.engine.model.snapshot().filter((e): e is ThreadView => e.kind === 'thread' && e.parentId === run.id);
    const workers = threads.filter((t) => t.name !== 'MainThread');
    const woken = workers.filter((t) => t.wokenBy);
    assert.ok(woken.length > 0, `no thread was woken by another: ${workers.map((t) => t.name).join(', ')}`);
    for (const t of woken) {
      // Only sibling threads hand the lock over; the time is within the run.
      assert.ok(
        workers.some((w) => w.id === t.wokenBy!.id && w.id !== t.id),
        `${t.name} woken by ${t.wokenBy!.name}`,
      );
      assert.ok(t.wokenBy!.at >= t0 && t.wokenBy!.at <= Date.now());
    }
  });

  it('rlock: the RLock re-enters, the Lock self-deadlock is detected and named', async () => {
    const f = await figures('rlock');
    assert.equal(f.rlockReentered, true);
    assert.equal(f.lockDeadlocked, true);
    assert.match(String(f.description), /Lock user waits for Lock#1, held by Lock user itself/);
  });

  it('event-gate: even threads wait until the Event is set — here by the user, through the engine', async () => {
    const run = fx.engine.startLab('event-gate', { threads: 4, 'auto-set': -1 });
    const gateId = await new Promise<string>((resolve) => {
      const timer = setInterval(() => {
        const gate = fx.engine.model.snapshot().find((e) => e.kind === 'sync' && e.name === 'gate' && e.parentId === run.id);
        const waiting = fx.engine.model.snapshot().filter((e): e is ThreadView => e.kind === 'thread' && e.parentId === run.id && e.state === 'waiting for event');
        if (gate && waiting.length === 2) {
          clearInterval(timer);
          resolve(gate.id);
        }
      }, 10);
    });
    assert.equal(run.isRunning, true, 'nobody has opened the gate yet');
    assert.equal(fx.engine.setEvent(gateId, true), true);
    // Wave 2 closes the gate again; open it once more.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (run.view().output.some((l) => l.startsWith('wave 2: 2 even threads wait'))) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    fx.engine.setEvent(gateId, true);
    const f = (await run.finished)!.figures;
    assert.equal(f.waitedPerWave, 2);
    assert.equal(f.ranThroughPerWave, 2);
  });

  it('daemon: non-daemon ones finish, daemon ones are ended (process exitcode -15)', async () => {
    const f = await figures('daemon', { short: 0.2, long: 5 });
    assert.deepEqual(f, { nonDaemonThreadFinished: true, daemonThreadFinished: false, daemonThreadAliveAtExit: true, nonDaemonProcessExitCode: 0, daemonProcessExitCode: -15 });
  });

  it('memory-isolation: the parent keeps 100 and an empty list', async () => {
    const f = await figures('memory-isolation', { children: 3 });
    assert.equal(f.parentCount, 100);
    assert.equal(f.childCount, 0);
    assert.deepEqual(f.parentList, []);
    assert.deepEqual(f.childLists, [[0], [1], [2]]);
  });

  it('join-order: serial ≈ the sum of the sleeps, parallel ≈ the longest', async () => {
    const f = await figures('join-order', { processes: 3, step: 0.3 });
    assert.ok((f.serialMs as number) >= 1800, `serial ${String(f.serialMs)}`);
    assert.ok((f.parallelMs as number) >= 900 && (f.parallelMs as number) < 1800, `parallel ${String(f.parallelMs)}`);
  });

  it('terminate: alive right after terminate(), gone after join(), exitcode -15', async () => {
    const f = await figures('terminate', { after: 0.1 });
    assert.deepEqual(f, { aliveBefore: true, aliveRightAfterTerminate: true, aliveAfterJoin: false, exitcode: -15 });
  });

  it('shared-memory: the parent sees every child write through the broker', async () => {
    const f = await figures('shared-memory', { processes: 3 });
    assert.deepEqual(f.array, [0, 1, 4]);
    assert.equal(Object.keys(f.dict as object).length, 3);
  });

  it('process-lock: the broker lock makes the count exact', async () => {
    // Enough increments that the children overlap even if one starts late (each takes ~30 ms to start).
    const f = await figures('process-lock', { processes: 3, increments: 1000 });
    assert.ok((f.withoutLock as number) < 3000, `without a lock: ${String(f.withoutLock)}`);
    assert.equal(f.withLock, 3000);
  });

  it('deadlock: detected within a second, with both threads and locks', async () => {
    const f = await figures('deadlock', { pause: 0.05 });
    assert.equal(f.deadlocked, true);
    assert.deepEqual([...(f.threads as string[])].sort(), ['T1', 'T2']);
    assert.deepEqual([...(f.locks as string[])].sort(), ['Lock A', 'Lock B']);
    assert.ok((f.detectedMs as number) < 1000 + 50 * 2 + 500, `detected after ${String(f.detectedMs)} ms (thread start-up included)`);
  });

  it('pool: apply_async with a callback takes ≈ M/N sleeps, apply ≈ M sleeps', async () => {
    const f = await figures('pool', { workers: 3, tasks: 6, seconds: 0.3, threads: 0 });
    assert.equal(f.callbacks, 6);
    assert.ok((f.applyAsyncMs as number) >= 600 && (f.applyAsyncMs as number) < 1500, `apply_async: ${String(f.applyAsyncMs)} ms`);
    assert.ok((f.applyMs as number) >= 1800, `apply: ${String(f.applyMs)} ms`);
  });

  it('stopping a lab ends its threads and processes at once', async () => {
    const run = fx.engine.startLab('event-gate', { threads: 4, 'auto-set': -1 });
    await new Promise((r) => setTimeout(r, 300));
    await fx.engine.stopLab(run.id);
    assert.equal(run.view().state, 'stopped');
    assert.deepEqual(
      run.runtime.threads.filter((t) => t.is_alive()).map((t) => t.name),
      [],
    );
  });

  it("stopping the deadlock lab before its deadlock is detected ends it at once (not after the detector's 10 s)", async () => {
    const run = fx.engine.startLab('deadlock', { pause: 2 });
    const t0 = performance.now();
    await fx.engine.stopLab(run.id);
    assert.ok(performance.now() - t0 < 1000, `stopped after ${Math.round(performance.now() - t0)} ms`);
    assert.equal(run.view().state, 'stopped');
    assert.equal(run.view().error, null, 'a stop is not a failure');
  });

  it('rejects unknown labs and out-of-range parameters', () => {
    assert.throws(() => fx.engine.startLab('nope'), /There is no lab named "nope"/);
    assert.throws(() => fx.engine.startLab('race', { threads: 1 }), /threads must be a number from 2 to 64; got 1/);
    assert.throws(() => fx.engine.startLab('race', { colour: 3 }), /race has no parameter "colour"/);
  });

  it('a lab shows in the live state with its threads as children', async () => {
    const run = fx.engine.startLab('deadlock');
    await run.finished;
    const all = fx.engine.model.snapshot();
    const lab = all.find((e): e is LabView => e.id === run.id)!;
    assert.equal(lab.state, 'done');
    assert.ok(lab.deadlock);
    const kids = all.filter((e) => e.parentId === run.id).map((e) => `${e.kind}:${e.name}`);
    for (const k of ['thread:MainThread', 'thread:T1', 'thread:T2', 'sync:Lock A', 'sync:Lock B']) assert.ok(kids.includes(k), `${k} in ${kids.join(', ')}`);
  });
});
