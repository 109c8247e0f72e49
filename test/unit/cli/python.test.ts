import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProgramView, ThreadView } from '../../../src/protocol/views';
import { runCli } from '../../support/cli';
import { alive, PythonLab } from '../engine/python/support';

describe('CLI python: a Python program under the tracer', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'sl-cli-py-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  function program(name: string, source: string): string {
    const file = path.join(dir, name);
    writeFileSync(file, source);
    return file;
  }

  it('--json: the program prints to stderr, stdout carries JSON lines, the last a summary with threads, locks and exit code', async () => {
    const file = program(
      'counter.py',
      [
        'import threading, sys',
        'counter_lock = threading.Lock()',
        'n = 0',
        'def work():',
        '    global n',
        '    for _ in range(2000):',
        '        with counter_lock:',
        '            n += 1',
        'ts = [threading.Thread(target=work, name="W%d" % i) for i in range(3)]',
        'for t in ts: t.start()',
        'for t in ts: t.join()',
        'print("n =", n)',
        'sys.exit(5)',
      ].join('\n'),
    );
    const { code, stdout, stderr } = await runCli(['python', '--json', file]).exit();
    assert.equal(code, 5);
    assert.equal(stderr, 'n = 6000\n');
    const lines = stdout.trim().split('\n');
    for (const l of lines.slice(0, -1)) assert.ok((JSON.parse(l) as { entity: { kind: string } }).entity.kind);
    const summary = JSON.parse(lines.at(-1)!) as {
      exitCode: number;
      threads: { name: string; states: string[] }[];
      locks: { kind: string; name: string; acquisitions: number; maxWaiters: number }[];
      processes: { name: string; exitCode: number }[];
    };
    assert.equal(summary.exitCode, 5);
    assert.deepEqual(summary.threads.map((t) => t.name).sort(), ['MainThread', 'W0', 'W1', 'W2']);
    assert.ok(summary.threads.every((t) => t.states.at(-1) === 'done'));
    assert.deepEqual(summary.locks, [{ kind: 'Lock', name: 'counter_lock', acquisitions: 6000, maxWaiters: summary.locks[0]!.maxWaiters }]);
    assert.deepEqual(
      summary.processes.map((p) => [p.name, p.exitCode]),
      [['MainProcess', 5]],
    );
  });

  it('no interpreter: a clear message naming the setting, exit 127', async () => {
    const { code, stderr } = await runCli(['python', '--python', '/nonexistent/python3', program('x.py', 'print(1)\n')]).exit();
    assert.equal(code, 127);
    assert.match(stderr, /could not start \/nonexistent\/python3 .*--python PATH .*socketLab\.python\.interpreter/);
  });

  it('as the extension launches it (a terminal): reports the program to the extension, which sees its threads and how it ended', async () => {
    const lab = new PythonLab();
    try {
      const file = lab.file('waiter.py', 'import threading\nev = threading.Event()\nprint(input("go? "))\nev.wait(0.2)\n');
      const run = await lab.engine.runPython({ file, launch: { kind: 'external' } });
      const cli = runCli(['python', file], { ...run.env(), SOCKET_LAB_PYTHON_LAUNCH: '1' });
      const program = await lab.until('the program running', () => {
        const p = lab.mirror.get(run.id) as ProgramView | undefined;
        return p?.state === 'running' && p.interpreter !== null ? p : undefined;
      });
      assert.ok(program.pid && alive(program.pid));
      cli.child.stdin.write('yes\n');
      const { code, stdout } = await cli.exit();
      assert.equal(code, 0);
      assert.match(stdout, /^go\? yes\n\n.*waiter\.py exited with code 0/s);
      const end = await run.finished;
      assert.equal(end.exitCode, 0);
      const main = await lab.until('MainThread done', (vs) => vs.find((v): v is ThreadView => v.kind === 'thread' && v.name === 'MainThread' && v.state === 'done'));
      assert.equal(main.alive, false);
    } finally {
      await lab.dispose();
    }
  });
});
