import assert from 'node:assert/strict';
import { LABS } from '../../../src/engine/labs/catalog';
import { runCli } from '../../support/cli';
import { descendants } from '../../support/processes';

describe('CLI lab (child processes)', function () {
  this.timeout(30_000);

  it('lab race --json prints as it goes and ends with one JSON object of the figures', async () => {
    const { code, stdout } = await runCli(['lab', 'race', '--threads', '3', '--increments', '2000', '--json']).exit();
    assert.equal(code, 0);
    assert.match(stdout, /^Race counter\n/);
    assert.match(stdout, /without a lock: counter = \d+ \(expected 6000\)/);
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.equal(last.lab, 'race');
    assert.equal(last.expected, 6000);
    assert.equal(last.withLock, 6000);
    assert.ok((last.withoutLock as number) < 6000);
  });

  it('lab deadlock --json names the threads and locks of the cycle', async () => {
    const { code, stdout } = await runCli(['lab', 'deadlock', '--json']).exit();
    assert.equal(code, 0);
    assert.match(stdout, /deadlock detected: T\d waits for Lock [AB], held by T\d/);
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as { threads: string[]; locks: string[] };
    assert.deepEqual([...last.threads].sort(), ['T1', 'T2']);
    assert.deepEqual([...last.locks].sort(), ['Lock A', 'Lock B']);
  });

  it('bad names and parameters: exit 2 with what is wrong', async () => {
    let r = await runCli(['lab', 'nope']).exit();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /There is no lab named "nope"/);
    assert.match(r.stderr, /event-gate/);
    r = await runCli(['lab', 'race', '--threads', 'many']).exit();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /threads must be a number from 2 to 64; got many/);
    r = await runCli(['lab', '--list']).exit();
    assert.equal(r.code, 0);
    const listed = r.stdout.split('\n').filter((l) => /^ {2}\S/.test(l));
    assert.equal(listed.length, LABS.length);
    for (const lab of LABS)
      assert.ok(
        listed.some((l) => l.trim().startsWith(lab.name)),
        `${lab.name} listed`,
      );
  });

  it('Ctrl+C stops a lab that waits forever; its threads and processes go with it', async () => {
    const run = runCli(['lab', 'daemon', '--short', '30', '--long', '60']);
    await run.line(/^main ends now/);
    const pid = run.child.pid!;
    // The daemon lab has two child processes of its own.
    assert.equal(descendants(pid).length, 2);
    run.child.kill('SIGINT');
    const { code, stdout } = await run.exit();
    assert.equal(code, 130);
    assert.match(stdout, /stopped by the user/);
    assert.deepEqual(descendants(pid), []);
  });
});
