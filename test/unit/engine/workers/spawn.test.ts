import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { forkChild, whenChildEnds, WORKER_ENTRIES, workerScript } from '../../../../src/engine/workers/spawn';
import { root, workers } from '../../support/build';

describe('workers: one table of bundles, one way to start and to tell an end', () => {
  it('every entry of the table is bundled to dist/<entry>.js (esbuild.js reads the same table)', () => {
    assert.ok(WORKER_ENTRIES.length >= 5);
    for (const e of WORKER_ENTRIES) assert.ok(fs.existsSync(path.join(root, 'dist', `${e}.js`)), e);
    assert.equal(workerScript('pool-worker', workers), path.join(root, 'dist', 'pool-worker.js'));
  });

  it('a child that could not be started (no pid, no exit event) still ends, with exit code 1 and why', async () => {
    const child = spawn('/nonexistent/socket-lab-no-such-binary', [], { stdio: 'ignore' });
    const errors: Error[] = [];
    const end = await whenChildEnds(child, (e) => errors.push(e));
    assert.equal(end.exitCode, 1);
    assert.match(String(end.spawnError?.message), /ENOENT/);
    assert.deepEqual(errors, []);
  });

  it('a child killed by a signal ends with the negative signal number, as Python says exitcode', async () => {
    const child = forkChild(workerScript('process-worker', workers), ['ignore', 'ignore']);
    const ended = whenChildEnds(child, () => undefined);
    await new Promise((resolve) => child.once('message', resolve)); // its ready
    child.kill('SIGKILL');
    const end = await ended;
    assert.equal(end.signal, 'SIGKILL');
    assert.equal(end.exitCode, -9);
  });
});
