import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import type { ConnectionView, ProgramView, ServerView, SyncView, ThreadView, PoolView, PoolWorkerView } from '../../../../src/protocol/views';
import { alive, PythonLab } from './support';

function lines(stream: NodeJS.ReadableStream): AsyncIterator<string> {
  let buf = '';
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  stream.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    wake?.();
  });
  return {
    async next() {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      return { value: queue.shift()!, done: false };
    },
  };
}

async function exchange(port: number, text: string): Promise<{ socket: net.Socket; reply: string }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(Buffer.from(text, 'utf8'));
  const [data] = (await once(socket, 'data')) as [Buffer];
  return { socket, reply: data.toString('utf8') };
}

describe('engine/python: a real Python program, traced, in the live state', function () {
  this.timeout(60_000);
  let lab: PythonLab;
  beforeEach(() => (lab = new PythonLab()));
  afterEach(() => lab.dispose());

  it('a ThreadingTCPServer upper server: its listener, both connections with their serving threads blocked in recv; Stop leaves no process', async () => {
    const file = lab.file(
      'upper_server.py',
      `
      import socketserver
      class Upper(socketserver.BaseRequestHandler):
          def handle(self):
              while True:
                  data = self.request.recv(1024)
                  if not data:
                      break
                  self.request.sendall(data.decode('utf-8').upper().encode('utf-8'))
      with socketserver.ThreadingTCPServer(('127.0.0.1', 0), Upper) as server:
          print(server.server_address[1], flush=True)
          server.serve_forever()
      `,
    );
    const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'pipe', 'pipe'] } });
    const out = lines((run as unknown as { child: import('node:child_process').ChildProcess }).child.stdout!);
    const port = Number((await out.next()).value);
    const a = await exchange(port, 'héllo\r\n');
    const b = await exchange(port, 'world\r\n');
    assert.equal(a.reply, 'HÉLLO\r\n');
    assert.equal(b.reply, 'WORLD\r\n');
    const peers = [a.socket, b.socket].map((s) => `127.0.0.1:${s.localPort}`);

    const { server, conns } = await lab.until('two served connections', (vs) => {
      const server = vs.find((v): v is ServerView => v.kind === 'server' && v.parentId === run.id);
      const conns = vs.filter((v): v is ConnectionView => v.kind === 'connection' && v.parentId === server?.id && peers.includes(v.peer));
      return server && conns.length === 2 && conns.every((c) => c.servedByState === 'blocked in recv') && { server, conns };
    });
    assert.equal(server.traced?.serverClass, 'ThreadingTCPServer');
    assert.equal(server.model, 'thread-per-connection');
    assert.equal(server.handler, 'Upper');
    assert.equal(server.address, `127.0.0.1:${port}`);
    assert.equal(server.liveConnections, 2);
    assert.deepEqual(
      conns.map((c) => [c.bytesIn, c.bytesOut]),
      [
        [8, 8],
        [7, 7],
      ].filter((_, i) => i < 2),
    );
    const threads = lab.views().filter((v): v is ThreadView => v.kind === 'thread' && v.parentId === run.id);
    for (const c of conns) {
      const t = threads.find((x) => x.id === c.servedById)!;
      assert.match(t.name, /^Thread-\d+ \(process_request_thread\)$/);
      assert.equal(t.state, 'blocked in recv');
      assert.equal(t.serving?.peer, c.peer);
    }
    const main = threads.find((t) => t.name === 'MainThread')!;
    assert.equal(main.state, 'in select');
    const program = lab.mirror.get(run.id) as ProgramView;
    assert.equal(program.state, 'running');
    assert.match(program.interpreter ?? '', /^Python 3\.\d+/);

    a.socket.destroy();
    b.socket.destroy();
    const pid = program.pid!;
    const end = await run.stop();
    assert.equal(end.exitCode, -15);
    assert.equal(alive(pid), false);
    const after = await lab.until('the program exited', () => {
      const p = lab.mirror.get(run.id) as ProgramView;
      return p.state === 'exited' && p;
    });
    assert.equal(after.exitCode, -15);
  });

  it("a program's own row changes only when what it shows does, not with its threads' every move", async () => {
    const file = lab.file(
      'flips.py',
      `
      import threading, time
      def work():
          for _ in range(400):
              time.sleep(0.005)
      ts = [threading.Thread(target=work) for _ in range(4)]
      for t in ts: t.start()
      for t in ts: t.join()
      `,
    );
    let programChanges = 0;
    let threadChanges = 0;
    let runId = '';
    const sub = lab.mirror.onDidChange((c) => {
      for (const e of c.changed) {
        if (e.id === runId) programChanges++;
        else if (e.kind === 'thread' && e.parentId === runId) threadChanges++;
      }
    });
    try {
      const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'ignore', 'pipe'] } });
      runId = run.id;
      assert.equal((await run.finished).exitCode, 0);
      await lab.until('the program exited', () => (lab.mirror.get(run.id) as ProgramView | undefined)?.state === 'exited');
    } finally {
      sub.dispose();
    }
    // Its hello (pid, interpreter) and its exit: a few, while its threads moved on many ticks.
    assert.ok(threadChanges >= 10, `threads changed ${threadChanges} times`);
    assert.ok(programChanges <= 4, `the program's row changed ${programChanges} times`);
  });

  it('Follow Stream on a connection of the program: what it reads and writes, in order, while followed', async () => {
    const file = lab.file(
      'echo.py',
      `
      import socket
      srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()
      print(srv.getsockname()[1], flush=True)
      conn, _ = srv.accept()
      while True:
          data = conn.recv(1024)
          if not data:
              break
          conn.sendall(data.upper())
      `,
    );
    const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'pipe', 'pipe'] } });
    const port = Number((await lines(run.process!.stdout!).next()).value);
    const before = await exchange(port, 'unseen\n');
    assert.equal(before.reply, 'UNSEEN\n');
    const conn = await lab.until('the connection', (vs) => vs.find((v): v is ConnectionView => v.kind === 'connection' && v.peer === `127.0.0.1:${before.socket.localPort}`));
    const handle = lab.engine.followConnection(conn.id);
    assert.ok(handle, 'a live connection of the program can be followed');
    const records = () => handle.capture.since(0).map((r) => `${r.dir} ${Buffer.from(r.data).toString('utf8')}`);
    // The tracer starts capturing once it has the command: send until a message shows up.
    // (bytes.upper() changes ASCII letters only: the é stays.)
    let sent = 'unseen\n'.length;
    for (let i = 0; !records().length && i < 50; i++) {
      const ping = `ping ${i}\n`;
      before.socket.write(ping);
      sent += ping.length;
      await once(before.socket, 'data');
      // The batch that counts these bytes carries what was captured of them, if anything.
      await lab.until('the ping counted', (vs) => vs.some((v) => v.id === conn.id && v.kind === 'connection' && v.bytesIn >= sent));
    }
    const n = records().length;
    assert.ok(n > 0, 'captured something');
    before.socket.write('héllo\n');
    await lab
      .until('hello both ways', () => records().includes('in héllo\n') && records().includes('out HéLLO\n'))
      .catch((e: unknown) => {
        throw new Error(`${String(e)} records: ${JSON.stringify(records())}`);
      });
    assert.ok(!records().some((r) => r.includes('unseen')), 'nothing from before the follow');
    assert.deepEqual(records().slice(-2), ['in héllo\n', 'out HéLLO\n']);
    handle.dispose();
    before.socket.end();
    assert.equal((await run.finished).exitCode, 0);
  });

  it("a recording's capture follows every connection of the program: one open when it starts, one made after", async () => {
    const file = lab.file(
      'upper.py',
      `
      import socketserver
      class Upper(socketserver.StreamRequestHandler):
          def handle(self):
              for line in self.rfile:
                  self.wfile.write(line.decode('utf-8').upper().encode('utf-8'))
      with socketserver.ThreadingTCPServer(('127.0.0.1', 0), Upper) as server:
          print(server.server_address[1], flush=True)
          server.serve_forever()
      `,
    );
    const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: ['ignore', 'pipe', 'pipe'] } });
    const port = Number((await lines(run.process!.stdout!).next()).value);
    const a = await exchange(port, 'first\n');
    const connOf = (s: net.Socket) => lab.until('its connection', (vs) => vs.find((v): v is ConnectionView => v.kind === 'connection' && v.peer === `127.0.0.1:${s.localPort}`));
    const ca = await connOf(a.socket);
    const capture = lab.engine.captureConnections({ maxRecords: 100, recordBytes: 1024 }, 10);
    try {
      assert.ok(capture.captured.has(ca.id), 'the connection open when the capture started is followed');
      const b = await exchange(port, 'zweite\n');
      const cb = await connOf(b.socket);
      await lab.until('the new connection followed', () => capture.captured.has(cb.id));
      const text = (id: string) =>
        capture.captured
          .get(id)!
          .capture.since(0)
          .map((r) => `${r.dir} ${Buffer.from(r.data).toString('utf8')}`);
      // Bytes sent once the tracer has the command are captured both ways.
      for (const [s, id, msg] of [
        [a.socket, ca.id, 'héllo\n'],
        [b.socket, cb.id, 'wörld\n'],
      ] as const) {
        for (let i = 0; !text(id).includes(`in ${msg}`) && i < 50; i++) {
          s.write(msg);
          await once(s, 'data');
          await lab.until('its bytes counted', (vs) => vs.some((v) => v.id === id && v.kind === 'connection' && v.messagesIn > i + 1));
        }
        await lab.until(`${msg.trim()} both ways`, () => text(id).includes(`in ${msg}`) && text(id).includes(`out ${msg.toUpperCase()}`));
      }
      assert.ok(!text(ca.id).some((r) => r.includes('first')), 'nothing from before the capture');
      a.socket.end();
      b.socket.end();
    } finally {
      capture.dispose();
    }
    await run.stop();
  });

  it('a two-lock deadlock is detected: the cycle is described, both locks marked, each thread waits for a lock held by the other', async () => {
    const file = lab.file(
      'deadlock.py',
      `
      import threading, time
      lock_a = threading.Lock()
      lock_b = threading.Lock()
      def one():
          with lock_a:
              time.sleep(0.2)
              with lock_b:
                  pass
      def two():
          with lock_b:
              time.sleep(0.2)
              with lock_a:
                  pass
      t1 = threading.Thread(target=one, name='T1'); t2 = threading.Thread(target=two, name='T2')
      t1.start(); t2.start(); t1.join(); t2.join()
      `,
    );
    const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: 'ignore' } });
    const program = await lab.until('the deadlock', () => {
      const p = lab.mirror.get(run.id) as ProgramView | undefined;
      return p?.deadlock && p;
    });
    assert.deepEqual([...program.deadlock!.threads].sort(), ['T1', 'T2']);
    assert.match(program.deadlock!.description, /T\d holds lock_[ab] and waits for lock_[ab], held by T\d/);
    const locks = await lab.until('both locks marked', (vs) => {
      const l = vs.filter((v): v is SyncView => v.kind === 'sync' && v.parentId === run.id);
      return l.length === 2 && l.every((x) => x.deadlocked) && l;
    });
    assert.deepEqual(locks.map((l) => l.holderName).sort(), ['T1', 'T2']);
    const t1 = lab.views().find((v): v is ThreadView => v.kind === 'thread' && v.name === 'T1')!;
    assert.equal(t1.state, 'waiting for lock');
    assert.deepEqual([t1.waitingFor?.name, t1.waitingFor?.holderName], ['lock_b', 'T2']);
    assert.deepEqual(t1.holding, ['lock_a']);
    await run.stop();
  });

  it('a multiprocessing.Pool program: its pool with tasks done, its worker processes with pids and exit codes, exit 0', async () => {
    const file = lab.file(
      'pool.py',
      `
      import multiprocessing as mp
      def square(x):
          return x * x
      if __name__ == '__main__':
          workers = mp.Pool(3)
          print(sum(workers.map(square, range(30), chunksize=3)))
          workers.close()
          workers.join()
      `,
    );
    const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: 'ignore' } });
    const end = await run.finished;
    assert.equal(end.exitCode, 0);
    // The views reach the mirror with the publisher's next tick.
    const pool = await lab.until('the pool, done', (vs) => vs.find((v): v is PoolView => v.kind === 'pool' && v.parentId === run.id && v.state === 'joined' && v.tasksDone === 10));
    assert.deepEqual([pool.name, pool.size, pool.tasksDone, pool.busy, pool.queued], ['workers', 3, 10, 0, 0]);
    assert.equal(lab.views().filter((v) => v.kind === 'process' && v.parentId === run.id).length, 3, 'each worker once');
    const procs = await lab.until('the workers, ended', (vs) => {
      const ps = vs.filter((v): v is ThreadView => v.kind === 'process' && v.parentId === run.id && /^ForkPoolWorker-\d+$/.test(v.name));
      return ps.length === 3 && ps.every((p) => !p.alive && p.exitCode === 0) && ps;
    });
    assert.ok(procs.every((p) => p.ident !== null));
    // Each worker process is also its pool's worker: its pid, the chunks it ran.
    const workers = await lab.until('the pool workers, ended', (vs) => {
      const ws = vs.filter((v): v is PoolWorkerView => v.kind === 'worker' && v.parentId === pool.id);
      return ws.length === 3 && ws.every((w) => w.state === 'exited') && ws;
    });
    assert.deepEqual(workers.map((w) => w.ident).sort(), procs.map((p) => p.ident).sort());
    assert.equal(
      workers.reduce((n, w) => n + w.tasksDone, 0),
      10,
    );
    const program = lab.mirror.get(run.id) as ProgramView;
    assert.ok(program.processes >= 4, `${program.processes} processes`);
    const summary = run.summary();
    assert.deepEqual(summary.pools, [{ workers: 3, tasks: 10 }]);
  });

  it('bad programs get clear ends: a syntax error exits 1, a missing file 2, an interpreter that does not exist says so', async () => {
    const bad = lab.file('bad.py', 'print("x"\nx = = 1\n');
    const r1 = await lab.engine.runPython({ file: bad, launch: { kind: 'spawn', interpreter: 'python3', stdio: 'ignore' } });
    assert.equal((await r1.finished).exitCode, 1);
    const r2 = await lab.engine.runPython({ file: `${lab.dir}/missing.py`, launch: { kind: 'spawn', interpreter: 'python3', stdio: 'ignore' } });
    assert.equal((await r2.finished).exitCode, 2);
    const r3 = await lab.engine.runPython({ file: bad, launch: { kind: 'spawn', interpreter: '/nonexistent/python9', stdio: 'ignore' } });
    assert.equal((await r3.finished).exitCode, null);
    const p3 = await lab.until('the third program', () => lab.mirror.get(r3.id) as ProgramView | undefined);
    assert.match(p3.notes.join(' '), /Could not start \/nonexistent\/python9: spawn \/nonexistent\/python9 ENOENT/);
    assert.equal(p3.state, 'exited');
  });

  it('a run whose terminal never started ends on Stop; an ended run closes its channel (no socket file left)', async () => {
    const never = await lab.engine.runPython({ file: lab.file('x.py', 'print(1)\n'), launch: { kind: 'external' } });
    assert.deepEqual(await never.stop(), { exitCode: null, signal: null });
    const run = await lab.engine.runPython({ file: lab.file('y.py', 'print(2)\n'), launch: { kind: 'spawn', interpreter: 'python3', stdio: 'ignore' } });
    const channel = run.channel.path;
    assert.ok(fs.existsSync(channel));
    assert.equal((await run.finished).exitCode, 0);
    // The engine says so once the run is disposed (its channel closed).
    await new Promise<void>((resolve) => {
      const sub = lab.engine.onDidChangePrograms(() => {
        if (lab.engine.listPrograms().includes(run)) return;
        sub.dispose();
        resolve();
      });
    });
    assert.equal(fs.existsSync(channel), false);
  });

  it('a stranger on the channel (no token, garbage) is cut off and said; the program is unharmed', async () => {
    const file = lab.file('waits.py', 'import threading\nev = threading.Event()\nev.wait(30)\n');
    const run = await lab.engine.runPython({ file, launch: { kind: 'spawn', interpreter: 'python3', stdio: 'ignore' } });
    await lab.until('the Event', (vs) => vs.find((v) => v.kind === 'sync' && v.name === 'ev'));
    const s = net.connect(run.channel.path);
    await once(s, 'connect');
    s.write('{"type":"hello","token":"wrong","pid":1}\n');
    await once(s, 'close');
    const program = await lab.until('the note', () => {
      const p = lab.mirror.get(run.id) as ProgramView;
      return p.notes.some((n) => /without its token/.test(n)) && p;
    });
    assert.equal(program.state, 'running');
    await run.stop();
  });
});
