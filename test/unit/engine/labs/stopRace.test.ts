import assert from 'node:assert/strict';
import { Engine } from '../../../../src/engine/engine';
import { workers } from '../../support/build';

describe('labs: stopping the race lab at any moment', function () {
  this.timeout(120_000);
  for (const delay of [0, 300, 800, 1500, 2500]) {
    it(`stopped after ${delay} ms: every thread ends at once`, async () => {
      const engine = new Engine({ workers, retentionMs: 60_000, tickMs: 50 });
      try {
        const run = engine.startLab('race', { threads: 3, increments: 30000 });
        await new Promise((r) => setTimeout(r, delay));
        const t0 = performance.now();
        await Promise.race([engine.stopLab(run.id), new Promise((_, reject) => setTimeout(() => reject(new Error('stop hung')), 5000))]);
        const ms = performance.now() - t0;
        assert.ok(ms < 3000, `stopped after ${Math.round(ms)} ms`);
        assert.deepEqual(
          run.runtime.threads.filter((t) => t.is_alive()).map((t) => t.name),
          [],
        );
        assert.equal(run.view().state, 'stopped');
      } finally {
        await engine.dispose();
      }
    });
  }
});
