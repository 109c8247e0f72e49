import path from 'node:path';
import { Runtime } from '../../../../src/engine/runtime/runtime';
import { StateModel } from '../../../../src/engine/state/model';
import { workers } from '../../support/build';

export const programs = path.join(__dirname, 'programs.cjs');

export function target(name: string): string {
  return `${programs}#${name}`;
}

export function newRuntime(): Runtime {
  return new Runtime({ model: new StateModel({ retentionMs: 0 }), ownerId: 'test', workers, deadlockCheckMs: 50 });
}

/**
 * Waits for a condition on shared memory (thread states live there and announce nothing, so
 * there is no event to wait for); fails with `what` after the timeout.
 */
export async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
