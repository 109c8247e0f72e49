import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LABS } from '../../src/engine/labs/catalog';
import { PythonLab } from './engine/python/support';

const dir = path.join(__dirname, '..', '..', 'examples');

/** What each example's `outcome:` line must show (the lesson), checked on its figures. */
const LESSONS: Record<string, (outcome: string, out: string) => void> = {
  'threads_join.py': (o) => {
    const [, after, inside] = /after the loop ([\d.]+) s, inside the loop ([\d.]+) s/.exec(o)!.map(Number);
    assert.ok(after! < 0.5 && inside! > 3.5, o);
  },
  'race.py': (o) => {
    const [, lost, withLock] = /without a lock (\d+) updates lost; with the lock (\d+)/.exec(o)!.map(Number);
    assert.ok(lost! > 0, o);
    assert.equal(withLock, 0, o);
  },
  'rlock.py': (o) => assert.match(o, /RLock re-entered; Lock second acquire would wait forever/),
  'event_gate.py': (o) => assert.match(o, /^3 waited at the gate until it was set; 3 ran through$/),
  'daemon.py': (o, out) => {
    assert.match(o, /the worker will finish/);
    assert.match(out, /^worker finished$/m);
    assert.doesNotMatch(out, /daemon worker finished/);
  },
  'threading_functions.py': (o, out) => {
    const [, n, started, count] = /(\d+) daemon threads started in ([\d.]+) s; active_count\(\) = (\d+); enumerate\(\) lists MainThread first/.exec(o)!.map(Number);
    assert.ok(n === 100 && count === 101 && started! < 1, o);
    assert.doesNotMatch(out, /a daemon thread finished/);
  },
  'memory_isolation.py': (o) => assert.match(o, /count = 100 and 0 items/),
  'join_order.py': (o) => {
    const [, one, together] = /one at a time ([\d.]+) s, together ([\d.]+) s/.exec(o)!.map(Number);
    assert.ok(one! >= 1.8 && together! < one! - 0.6, o);
  },
  'terminate.py': (o) => assert.match(o, /after join\(\) is_alive\(\) = False, exitcode = -15/),
  'shared_memory.py': (o) => assert.match(o, /arr = \[0, 1, 4, 9\]; 4 children recorded their pid/),
  'process_lock.py': (o) => {
    const [, without, total, withLock] = /without a lock (\d+) of (\d+); with the lock (\d+)/.exec(o)!.map(Number);
    assert.ok(without! <= total!, o);
    assert.equal(withLock, total, o);
  },
  'deadlock.py': (o) => assert.match(o, /T1 and T2 waited for the lock the other held/),
  'backlog.py': (o) => {
    const [, backlog, atOnce, clients, waited, minWait, , completed] = /listen\((\d+)\): (\d+) of (\d+) clients connected at once; (\d+) waited ([\d.]+)-([\d.]+) s; all (\d+) completed/
      .exec(o)!
      .map(Number);
    assert.equal(atOnce, backlog! + 1, o);
    assert.equal(waited, clients! - atOnce!, o);
    assert.ok(minWait! >= 0.9, o);
    assert.equal(completed, clients, o);
  },
  'reuseaddr.py': (o) => assert.match(o, /bind twice: \[Errno \d+\] Address already in use; restart without SO_REUSEADDR: \[Errno \d+\] Address already in use; with SO_REUSEADDR: listening/),
  'select_server.py': (o) => {
    const [, , blocked, threaded] = /BlockingIOError \[Errno (\d+)\].*B's echo took ([\d.]+) s with a blocking handler and ([\d.]+) s with the work handed to a thread/.exec(o)!.map(Number);
    assert.ok(blocked! >= 0.7 && threaded! < 0.25, o);
  },
  'server_attributes.py': (o) =>
    assert.match(o, /TCPServer handled 2 requests in 1 place; ThreadingTCPServer in 2 threads; ForkingTCPServer in 2 child processes; connect after shutdown\(\) refused 3 of 3/),
  'exceptions.py': (o) =>
    assert.match(o, /A's connection ended after Crash \(1 handle_error\), B echoed 3 of 3, C echoed True; order for hello: try else finally, for crash: try except Crash finally/),
  'gil.py': (o) => {
    const [, th, gil, pr, cpus] = /2 threads [\d.]+ s \(([\d.]+)x faster, GIL (on|off)\); 2 processes [\d.]+ s \(([\d.]+)x faster\); (\d+) CPUs/.exec(o)!;
    if (gil === 'on') assert.ok(Number(th) <= 1.3, o);
    if (Number(cpus) >= 2) assert.ok(Number(pr) >= 1.3, o);
  },
  'multiprogramming.py': (o) => {
    const [, ratio, expected] = /\(wall\/CPU ([\d.]+), expected ([\d.]+)\)/.exec(o)!.map(Number);
    assert.ok(ratio! >= 0.6 * expected!, o);
  },
  'pool.py': (o) => {
    const [, asyncS, results, syncS] = /apply_async ([\d.]+) s \((\d+) results\), apply ([\d.]+) s/.exec(o)!.map(Number);
    assert.equal(results, 8);
    assert.ok(asyncS! < 0.8 && syncS! >= 1.6, o);
  },
};

function outcomeOf(out: string): string {
  const line = out.split('\n').find((l) => l.startsWith('outcome: '));
  assert.ok(line, `no outcome line in:\n${out}`);
  return line.slice('outcome: '.length);
}

describe('examples/: each lab beside its real Python program', function () {
  this.timeout(120_000);

  it('every lab has its example (its name with _ for -) and every example its lesson here', () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.py'));
    assert.deepEqual(files.sort(), Object.keys(LESSONS).sort());
    assert.deepEqual(LABS.map((l) => `${l.name.replace(/-/g, '_')}.py`).sort(), files.sort());
  });

  it("pool.py traced six times in a row: every run ends (a worker once missed Pool.terminate()'s SIGTERM under the tracer, and the pool waited for it forever)", async () => {
    for (let i = 0; i < 6; i++) {
      const lab = new PythonLab();
      try {
        const run = await lab.engine.runPython({ file: path.join(dir, 'pool.py'), launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'ignore', 'ignore'] } });
        const end = await Promise.race([run.finished, new Promise<null>((r) => setTimeout(() => r(null), 20_000).unref())]);
        if (!end) await run.stop();
        assert.equal(end?.exitCode, 0, `run ${i + 1} ${end ? `exited with ${end.exitCode}` : 'did not end in 20 s'}`);
      } finally {
        await lab.dispose();
      }
    }
  });

  for (const [file, check] of Object.entries(LESSONS)) {
    it(`${file}: run by python3, its outcome shows the lesson; traced by Socket Lab, the same`, async () => {
      const plain = await new Promise<string>((resolve, reject) =>
        execFile('python3', [path.join(dir, file)], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${String(err)}\n${stderr}`)) : resolve(stdout))),
      );
      check(outcomeOf(plain), plain);
      const lab = new PythonLab();
      try {
        const run = await lab.engine.runPython({ file: path.join(dir, file), launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'pipe', 'pipe'] } });
        let out = '';
        let err = '';
        run.process!.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        run.process!.stderr!.on('data', (d: Buffer) => (err += d.toString()));
        const end = await run.finished;
        assert.equal(end.exitCode, 0, err);
        check(outcomeOf(out), out);
      } finally {
        await lab.dispose();
      }
    });
  }
});
