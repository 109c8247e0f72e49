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
    assert.equal(new Set(starts.map((l) => /PoolWorker-\d/.exec(l)![0])).size, 2, `two workers ran the tasks:\n${stdout}`);
    // Only two run at a time: the last two tasks waited in the queue for a worker.
    assert.equal(starts.filter((l) => /, queued \d+ ms$/.test(l)).length, 2, stdout);
    // A task's time includes its worker's start (a process spawn: slow on a busy machine), so no ceiling.
    const taskSeconds = [100, 101, 102, 103].map((v) => {
      const m = new RegExp(`= ${v}\\s+\\((\\d+\\.\\d\\d) s on PoolWorker-\\d\\)`).exec(stdout);
      assert.ok(m, `result ${v}:\n${stdout}`);
      return Number(m[1]);
    });
    const total = /4 tasks in (\d+\.\d\d) s; 0 failed; 0 workers replaced/.exec(stdout);
    assert.ok(total, stdout);
    const totalS = Number(total[1]);
    // Two rounds of 0.2 s sleeps at least; and in parallel: the run took about half the tasks'
    // summed time (one at a time it would take all of it), measured side by side in this run.
    assert.ok(totalS >= 0.4, `4 tasks in ${totalS} s`);
    const summed = taskSeconds.reduce((x, y) => x + y, 0);
    assert.ok(totalS < 0.8 * summed, `4 tasks in ${totalS} s, ${summed.toFixed(2)} s of task time: not in parallel`);
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
    const { code, stdout } = await runCli(['lab', 'pool', '--workers', '2', '--tasks', '4', '--seconds', '0.6', '--json']).exit();
    assert.equal(code, 0);
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as { applyAsyncMs: number; applyMs: number };
    // Lower bounds are the sleeps themselves: 2 rounds of 0.6 s for apply_async, 4 × 0.6 s for apply.
    assert.ok(last.applyAsyncMs >= 1200, `apply_async ${last.applyAsyncMs} ms`);
    assert.ok(last.applyMs >= 2400, `apply ${last.applyMs} ms`);
    // No ceiling against the clock: apply_async (2 at a time) is compared with apply (1 at a time)
    // of the same run. apply_async's time also holds starting the two worker processes (0.1–0.3 s
    // idle, near 1 s with the CPUs oversubscribed); 0.6 s tasks give it a 1.2 s head start for that.
    assert.ok(last.applyAsyncMs < last.applyMs, `apply_async ${last.applyAsyncMs} ms, apply ${last.applyMs} ms`);
  });
});
