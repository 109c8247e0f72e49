import assert from 'node:assert/strict';
import { Engine } from '../../../../src/engine/engine';
import type { LabView } from '../../../../src/protocol/views';
import { workers } from '../../support/build';

export interface LabFixture {
  /** The engine of the running test. */
  readonly engine: Engine;
  /** Runs a lab to its end, asserting it ended `done` (its output in the message if not). */
  done(name: string, params?: Record<string, number>): Promise<{ figures: Record<string, unknown>; view: LabView }>;
}

/** Registers hooks that give each test a fresh engine (real workers and children), disposed after. */
export function useLabEngine(): LabFixture {
  let engine: Engine | undefined;
  beforeEach(() => (engine = new Engine({ workers, retentionMs: 60_000 })));
  afterEach(() => engine?.dispose());
  return {
    get engine() {
      return engine!;
    },
    async done(name, params = {}) {
      const run = engine!.startLab(name, params);
      const outcome = await run.finished;
      assert.equal(run.view().state, 'done', run.view().output.join('\n'));
      return { figures: outcome!.figures as Record<string, unknown>, view: run.view() };
    },
  };
}
