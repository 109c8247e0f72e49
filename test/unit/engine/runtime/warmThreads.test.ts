import assert from 'node:assert/strict';
import fs from 'node:fs';
import { newRuntime, target } from './support';

/** This process's OS threads: a worker is one (Linux). */
const osThreads = () => fs.readdirSync('/proc/self/task').length;

describe('runtime: warm threads (workers started ahead for the labs whose point is timing)', function () {
  this.timeout(30_000);

  it('threads started after warmThreads(n) run on the warm workers, each on its own, and start fast; more threads than warmed start cold', async () => {
    const rt = newRuntime();
    try {
      await rt.warmThreads(3);
      const idents = new Set<number>();
      const startMs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = rt.Thread({ target: target('identity'), args: [i] });
        const t0 = performance.now();
        t.start();
        startMs.push(performance.now() - t0);
        idents.add(t.ident!);
        await t.join();
        assert.equal(t.result, `thread ${i}`);
      }
      assert.equal(idents.size, 3, 'one worker per thread: nothing of one run is left for the next');
      // start() on a warm worker is a message: far below a cold worker's ~25 ms.
      assert.ok(Math.max(...startMs) < 5, `start() took ${startMs.map((x) => x.toFixed(2)).join(', ')} ms`);
      const cold = rt.Thread({ target: target('identity'), args: [9] });
      cold.start();
      await cold.join();
      assert.equal(cold.result, 'thread 9');
    } finally {
      await rt.dispose();
    }
  });

  it('a thread that throws on a warm worker is reported as on a cold one; dispose ends the idle warm workers', async () => {
    const rt = newRuntime();
    const before = osThreads();
    await rt.warmThreads(2);
    assert.equal(osThreads(), before + 2, 'two workers started ahead');
    const failures: string[] = [];
    const t = rt.Thread({ target: target('raise') });
    t.onFail((f) => failures.push(`${f.error.type}: ${f.error.message}`));
    t.start();
    await t.join();
    assert.deepEqual(failures, ['ValueError: bad input']);
    assert.equal(osThreads(), before + 1, 'the one that ran has ended; one idle');
    await rt.dispose();
    assert.equal(osThreads(), before, 'no worker left');
  });
});
