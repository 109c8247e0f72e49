import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { WORKER_ENTRIES, type WorkerScripts } from '../../../src/engine/workers/spawn';

export const root = path.resolve(__dirname, '../../..');
/** Every worker bundle in dist/, as the engine is told where they are. */
export const workers: WorkerScripts = Object.fromEntries(WORKER_ENTRIES.map((e) => [e, path.join(root, 'dist', `${e}.js`)]));

// Root hook: runtime tests start real workers from the bundled entries, so bundle them first.
export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    this.timeout(60_000);
    execFileSync(process.execPath, [path.join(root, 'esbuild.js')], { cwd: root, stdio: 'inherit' });
  },
};
