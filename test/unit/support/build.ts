import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const root = path.resolve(__dirname, '../../..');
export const threadScript = path.join(root, 'dist', 'thread-worker.js');
export const processScript = path.join(root, 'dist', 'process-worker.js');
export const poolScript = path.join(root, 'dist', 'pool-worker.js');
export const connectionThreadScript = path.join(root, 'dist', 'connection-thread.js');
export const connectionProcessScript = path.join(root, 'dist', 'connection-process.js');
export const scripts = { threadScript, processScript, poolScript, connectionThreadScript, connectionProcessScript };

// Root hook: runtime tests start real workers from the bundled entries, so bundle them first.
export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    this.timeout(60_000);
    execFileSync(process.execPath, [path.join(root, 'esbuild.js')], { cwd: root, stdio: 'inherit' });
  },
};
