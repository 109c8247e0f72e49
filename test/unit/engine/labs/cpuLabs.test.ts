import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { LABS } from '../../../../src/engine/labs/catalog';
import type { LabRun } from '../../../../src/engine/labs/labRun';
import { useLabEngine } from './support';

const cores = os.availableParallelism();

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return process.platform === 'linux';
  } catch {
    return false;
  }
}

/** The pids of a run's processes that still exist (signal 0 only asks). */
function livePids(run: LabRun): number[] {
  return run.runtime.threads
    .filter((a) => a?.kind === 'process' && a.ident !== null)
    .map((a) => a.ident!)
    .filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
}

interface PerProcess {
  readonly name: string;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly turns: number;
}

describe('CPU labs: the GIL and multiprogramming (real threads and processes, real CPUs)', function () {
  this.timeout(60_000);
  const fx = useLabEngine();
  const figures = async (name: string, params: Record<string, number> = {}) => {
    const { figures: f, view } = await fx.done(name, params);
    return { f, out: view.output.join('\n') };
  };

  it('both labs are in the catalog, in order, in the processes group, each explained', () => {
    const names = LABS.map((l) => l.name);
    const at = names.indexOf('gil');
    assert.ok(at >= 0, names.join(', '));
    assert.equal(names[at + 1], 'multiprogramming');
    for (const l of LABS.slice(at, at + 2)) {
      assert.equal(l.group, 'processes');
      assert.ok(l.explanation.length > 80);
    }
    // The imitation is said plainly.
    assert.match(LABS[at]!.explanation, /Node has no GIL/);
    assert.match(LABS[at]!.explanation, /imitation/);
  });

  describe('gil', function () {
    // Timings on a shared 2-core VM: a burst of someone else's work can spoil one run.
    this.retries(2);

    it('at its defaults: N threads ≈ N processes ≈ N× faster than one thread (Node has no GIL); N threads on one lock handed over every 5 ms ≈ 1×', async function () {
      if (cores < 2) this.skip();
      const t0 = performance.now();
      const { f, out } = await figures('gil');
      const took = performance.now() - t0;
      const n = f.workers as number;
      assert.equal(n, 2);
      assert.equal(f.sameWork, true, 'every thread and process did the same counting');
      // The serial run is the work N times over: about N × `seconds` (0.4 s), whatever the machine.
      assert.ok((f.serialMs as number) >= 600 && (f.serialMs as number) <= 2500, out);
      assert.ok((f.threadsSpeedup as number) >= 1.35, `threads: ${String(f.threadsSpeedup)}×\n${out}`);
      assert.ok((f.processesSpeedup as number) >= 1.35, `processes: ${String(f.processesSpeedup)}×\n${out}`);
      assert.ok((f.gilThreadsSpeedup as number) <= 1.2, `GIL threads: ${String(f.gilThreadsSpeedup)}×\n${out}`);
      assert.ok((f.gilThreadsMs as number) >= 1.4 * (f.threadsMs as number), out);
      // The imitated GIL really changed hands about every 5 ms (≈ 160 times in 0.8 s).
      assert.ok((f.gilHandoffs as number) >= 40, `handoffs: ${String(f.gilHandoffs)}`);
      // Start-up is reported apart, not timed.
      assert.ok((f.threadWarmUpMs as number) > 0 && (f.processWarmUpMs as number) > 0);
      assert.match(out, /the GIL, imitated/);
      assert.ok(took < 10_000, `took ${Math.round(took)} ms`);
    });

    it('a longer switch interval: fewer hand-offs, still no speed-up on the lock', async function () {
      if (cores < 2) this.skip();
      const { f } = await figures('gil', { seconds: 0.2, interval: 0.05 });
      assert.ok((f.gilHandoffs as number) >= 2 && (f.gilHandoffs as number) <= 20, `handoffs: ${String(f.gilHandoffs)}`);
      assert.ok((f.gilThreadsSpeedup as number) <= 1.2, `GIL threads: ${String(f.gilThreadsSpeedup)}×`);
    });
  });

  describe('multiprogramming', function () {
    this.retries(2);

    it('4 processes pinned to one CPU: their turns interleave and each wall time ≈ 4 × its CPU time', async function () {
      if (!hasTaskset()) this.skip();
      const t0 = performance.now();
      const { f, out } = await figures('multiprogramming');
      const took = performance.now() - t0;
      assert.equal(f.pinned, true, out);
      assert.equal(f.cpus, 1);
      assert.equal(f.expectedRatio, 4);
      const per = f.perProcess as PerProcess[];
      assert.equal(per.length, 4);
      const total = f.totalMs as number;
      for (const p of per) {
        // Each used about its 0.25 s of CPU…
        assert.ok(p.cpuMs >= 120 && p.cpuMs <= 600, `${p.name}: ${p.cpuMs} ms of CPU\n${out}`);
        // …spread over the whole run, in many turns: not one after another.
        assert.ok(p.wallMs >= 0.8 * total, `${p.name}: wall ${p.wallMs} of ${total} ms\n${out}`);
        assert.ok(p.turns >= 10, `${p.name}: ${p.turns} turns\n${out}`);
        assert.ok(p.wallMs >= 2.8 * p.cpuMs, `${p.name}: wall ${p.wallMs} ms for ${p.cpuMs} ms of CPU\n${out}`);
      }
      assert.ok((f.wallOverCpu as number) >= 2.8 && (f.wallOverCpu as number) <= 10, `wall/CPU ${String(f.wallOverCpu)}\n${out}`);
      assert.ok((f.switches as number) >= 40, `switches: ${String(f.switches)}`);
      // Slices of milliseconds, as the scheduler hands them out.
      assert.ok((f.medianTurnMs as number) > 0.3 && (f.medianTurnMs as number) < 60, `median turn ${String(f.medianTurnMs)} ms`);
      // The timeline: a row per process, and the running order shows every letter.
      assert.match(out, /who ran, turn by turn .*: (?=.*A)(?=.*B)(?=.*C)(?=.*D)/);
      assert.equal(out.split('\n').filter((l) => /^ {2}[A-D] [█·]{60}$/.test(l)).length, 4, out);
      assert.ok(took < 10_000, `took ${Math.round(took)} ms`);
    });

    it('the control: one process alone on the CPU runs about as long as it computes (so the ×4 is the sharing)', async function () {
      if (!hasTaskset()) this.skip();
      const four = (await figures('multiprogramming', { processes: 4, seconds: 0.15 })).f;
      const one = (await figures('multiprogramming', { processes: 1, seconds: 0.15 })).f;
      assert.equal(one.expectedRatio, 1);
      assert.ok((one.wallOverCpu as number) <= 1.6, `alone: wall/CPU ${String(one.wallOverCpu)}`);
      assert.ok((four.wallOverCpu as number) >= 2 * (one.wallOverCpu as number), `4: ${String(four.wallOverCpu)}, 1: ${String(one.wallOverCpu)}`);
    });

    it('not pinned, more processes than cores: they share the cores (wall ≈ CPU × N / cores)', async function () {
      if (cores > 4) this.skip();
      const { f, out } = await figures('multiprogramming', { processes: 4, seconds: 0.15, pin: 0 });
      assert.equal(f.pinned, false);
      assert.equal(f.expectedRatio, 4 / Math.min(4, cores));
      assert.ok((f.wallOverCpu as number) >= 0.7 * (f.expectedRatio as number), `wall/CPU ${String(f.wallOverCpu)}\n${out}`);
    });
  });

  describe('stopped at any moment: no thread or process is left', function () {
    this.timeout(120_000);
    const cases: [string, Record<string, number>, number[]][] = [
      ['gil', {}, [0, 250, 700, 1300, 1900, 2500]],
      ['multiprogramming', { seconds: 1 }, [0, 150, 400, 900, 2000]],
    ];
    for (const [name, params, delays] of cases) {
      for (const delay of delays) {
        it(`${name}, stopped after ${delay} ms`, async () => {
          const run = fx.engine.startLab(name, params);
          await new Promise((r) => setTimeout(r, delay));
          const t0 = performance.now();
          await Promise.race([fx.engine.stopLab(run.id), new Promise((_, reject) => setTimeout(() => reject(new Error('stop hung')), 5000))]);
          assert.ok(performance.now() - t0 < 3000, `stopped after ${Math.round(performance.now() - t0)} ms`);
          assert.equal(run.view().state, 'stopped');
          assert.equal(run.view().error, null, 'a stop is not a failure');
          assert.deepEqual(
            run.runtime.threads.filter((t) => t?.is_alive()).map((t) => t.name),
            [],
          );
          assert.deepEqual(livePids(run), []);
        });
      }
    }
  });

  it('rejects bad parameters', () => {
    assert.throws(() => fx.engine.startLab('gil', { workers: 0 }), /workers must be a number from 1 to 8; got 0/);
    assert.throws(() => fx.engine.startLab('gil', { seconds: 60 }), /seconds must be a number from 0.05 to 5; got 60/);
    assert.throws(() => fx.engine.startLab('gil', { interval: 0 }), /interval must be a number from 0.001 to 0.1; got 0/);
    assert.throws(() => fx.engine.startLab('gil', { threads: 2 }), /gil has no parameter "threads"/);
    assert.throws(() => fx.engine.startLab('multiprogramming', { processes: 17 }), /processes must be a number from 1 to 16; got 17/);
    assert.throws(() => fx.engine.startLab('multiprogramming', { pin: 2 }), /pin must be a number from 0 to 1; got 2/);
    assert.throws(() => fx.engine.startLab('multiprogramming', { seconds: 'lots' }), /seconds must be a number/);
  });
});
