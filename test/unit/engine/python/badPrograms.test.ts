import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ProgramView, ThreadView } from '../../../../src/protocol/views';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI, runCli } from '../../../support/cli';
import { PythonLab } from './support';

// What the issue lists as bad input for a traced program: clear ends, bounded memory, nothing lost.
describe('engine/python: programs that push the tracer', function () {
  this.timeout(120_000);
  let lab: PythonLab;
  beforeEach(() => (lab = new PythonLab()));
  afterEach(() => lab.dispose());

  it('a program that forks 500 children: every child traced, each with its pid and exit code 0', async () => {
    const file = lab.file(
      'fork500.py',
      `
      import multiprocessing as mp
      def child(i):
          pass
      if __name__ == '__main__':
          ctx = mp.get_context('fork')
          procs = [ctx.Process(target=child, args=(i,)) for i in range(500)]
          for p in procs: p.start()
          for p in procs: p.join()
          print(sum(p.exitcode == 0 for p in procs))
      `,
    );
    const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: 'ignore' } });
    assert.equal((await run.finished).exitCode, 0);
    const summary = run.summary();
    assert.equal(summary.processes.length, 501);
    assert.ok(summary.processes.every((p) => p.exitCode === 0));
    const program = await lab.until('the program, exited', () => {
      const p = lab.mirror.get(run.id) as ProgramView | undefined;
      return p?.state === 'exited' && p;
    });
    assert.equal(program.processes, 501);
    const children = lab.views().filter((v): v is ThreadView => v.kind === 'process' && v.parentId === run.id);
    assert.equal(children.length, 500);
    assert.ok(children.every((c) => c.exitCode === 0 && c.ident !== null));
  });

  it('5,000 sockets open at once: the tracer keeps 2,000, counts the rest, and the program says so', async () => {
    const file = lab.file(
      'many.py',
      `
      import socket, sys
      srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(4096)
      clients, served = [], []
      for i in range(2500):
          clients.append(socket.create_connection(srv.getsockname()))
          served.append(srv.accept()[0])
      print('open', flush=True)
      sys.stdin.readline()
      for s in clients + served:
          s.close()
      `,
    );
    const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['pipe', 'pipe', 'inherit'] } });
    const program = await lab.until('the caps noted', () => {
      const p = lab.mirror.get(run.id) as ProgramView | undefined;
      return p?.notes.some((n) => /Not all shown: 3001 sockets beyond the tracer's caps/.test(n)) && p;
    });
    assert.equal(program.dropped.socket, 3001);
    const conns = lab.views().filter((v) => v.kind === 'connection' && v.id.startsWith(`${run.id}:`));
    assert.ok(conns.length <= 2000, `${conns.length} connections shown`);
    run.process!.stdin!.end('\n');
    assert.equal((await run.finished).exitCode, 0);
  });

  it('a program printing binary garbage under --json: its bytes go to stderr whole, stdout stays JSON lines', async () => {
    const file = lab.file('garbage.py', 'import sys\nsys.stdout.buffer.write(bytes(range(256)) * 4)\nsys.stdout.flush()\n');
    const child = spawn(process.execPath, [CLI, 'python', '--json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => chunks.push(d));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    const [code] = (await once(child, 'close')) as [number];
    assert.equal(code, 0);
    assert.deepEqual(Buffer.concat(chunks).subarray(0, 1024), Buffer.concat(Array.from({ length: 4 }, () => Buffer.from(Array.from({ length: 256 }, (_, i) => i)))));
    for (const line of stdout.trim().split('\n')) JSON.parse(line);
  });

  it('a file name that is not UTF-8: Python says it cannot open it, the program ends with 2 and says so', async () => {
    const raw = Buffer.concat([Buffer.from(lab.dir + path.sep), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from('.py')]);
    fs.writeFileSync(raw, 'print(1)\n');
    // What a JavaScript string can hold of that name (VS Code's and the CLI's only way to name it).
    const asText = raw.toString('utf8');
    const run = await lab.engine.runPython({ file: asText, launch: { kind: 'spawn', interpreter: 'python3', stdio: 'ignore' } });
    assert.equal((await run.finished).exitCode, 2);
    const { code, stderr } = await runCli(['python', asText]).exit();
    assert.equal(code, 2);
    assert.match(stderr, /can't open file/);
  });
});
