import assert from 'node:assert/strict';
import { runCli } from '../../support/cli';

describe('CLI pool (child processes)', function () {
  this.timeout(30_000);

  it('prints a task board: which worker ran which task, and the results', async () => {
    const { code, stdout } = await runCli(['pool', '--kind', 'process', '-n', '2', '--task', 'sleep', '--count', '4', '--seconds', '0.2']).exit();
    assert.equal(code, 0);
    assert.match(stdout, /^Pool\(2\) of processes, 4 × sleep, async/);
    const starts = stdout.split('\n').filter((l) => /#\d+\s+sleep\(\d, 0\.2\)\s+→ PoolWorker-\d \(pid \d+\)/.test(l));
    assert.equal(starts.length, 4);
    for (const v of [100, 101, 102, 103]) assert.match(stdout, new RegExp(`= ${v}\\s+\\(0\\.\\d\\d s on PoolWorker-\\d\\)`));
    assert.match(stdout, /4 tasks in 0\.[4-9]\d s; 0 failed; 0 workers replaced/);
  });

  it('--json: map over threads, in order', async () => {
    const { code, stdout } = await runCli(['pool', '--kind', 'thread', '-n', '2', '--task', 'square', '--count', '6', '--mode', 'map', '--json']).exit();
    assert.equal(code, 0);
    const r = JSON.parse(stdout) as { results: number[]; failed: number };
    assert.deepEqual(r.results, [0, 1, 4, 9, 16, 25]);
    assert.equal(r.failed, 0);
  });

  it('a failing task fails alone: exit 1, the others done', async () => {
    const { code, stdout } = await runCli(['pool', '--kind', 'thread', '-n', '2', '--task', 'fail', '--count', '2', '--json']).exit();
    assert.equal(code, 1);
    const r = JSON.parse(stdout) as { results: string[]; failed: number };
    assert.equal(r.failed, 2);
    assert.deepEqual(r.results, ['Error: 0', 'Error: 1']);
  });

  it('bad arguments: exit 2 with what is wrong', async () => {
    const r = await runCli(['pool', '--kind', 'fibers']).exit();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--kind must be thread or process; got "fibers"/);
  });

  it('numbers past their range are refused (exit 2, the range named), not warned about and run', async () => {
    for (const [args, message] of [
      [['--seconds', '3000000'], /--seconds must be 0 to 86400; got "3000000"/],
      [['--seconds', 'Infinity'], /--seconds must be 0 to 86400; got "Infinity"/],
      [['--count', '1e9'], /--count must be a whole number from 0 to 100000; got "1e9"/],
      [['-n', '65'], /-n must be 1 to 64; got "65"/],
    ] as const) {
      const r = await runCli(['pool', '--kind', 'thread', ...args]).exit();
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /Warning/);
      assert.equal(r.stdout, '', 'nothing ran');
    }
  });

  it('lab pool --json ends with both durations', async () => {
    const { code, stdout } = await runCli(['lab', 'pool', '--workers', '2', '--tasks', '4', '--seconds', '0.2', '--json']).exit();
    assert.equal(code, 0);
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as { applyAsyncMs: number; applyMs: number };
    assert.ok(last.applyAsyncMs >= 400 && last.applyAsyncMs < 800 + 600, `apply_async ${last.applyAsyncMs} ms`);
    assert.ok(last.applyMs >= 800, `apply ${last.applyMs} ms`);
  });
});
