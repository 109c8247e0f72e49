import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { Engine } from '../../../../src/engine/engine';
import { MENU_GREETING, MENU_OPERATOR, MENU_RETRY, WELCOME_TEXT, type HandlerName } from '../../../../src/engine/server/handlers';
import type { Server } from '../../../../src/engine/server/server';
import type { ServerOptions } from '../../../../src/engine/server/options';
import { MODELS, type ConnectionView, type Transport } from '../../../../src/protocol/views';
import { workers } from '../../support/build';
import { useEngine } from './support';
import { TestClient, eventually, udpExchange, type Where } from '../../../support/testClient';

function where(server: Server): Where {
  return server.options.transport === 'unix' ? { path: server.address } : { port: server.port };
}

function connViews(server: Server): ConnectionView[] {
  return [...server.connections.values()].map((c) => c.view());
}

/** What each handler must do over a stream (TCP or Unix), with a real client. */
const STREAM_CHECKS: Record<HandlerName, (server: Server) => Promise<void>> = {
  async echo(server) {
    const c = await TestClient.connect(where(server));
    c.send('hello, world\n');
    await c.bytes(13);
    assert.equal(c.text, 'hello, world\n');
    c.close();
    await c.whenClosed();
  },
  async upper(server) {
    const c = await TestClient.connect(where(server));
    c.send('hello ß\n');
    await c.textIncludes('\n');
    assert.equal(c.text, 'HELLO ß\n');
    c.close();
    await c.whenClosed();
  },
  async welcome(server) {
    const c = await TestClient.connect(where(server));
    await c.whenClosed();
    assert.equal(c.text, WELCOME_TEXT);
  },
  async menu(server) {
    const c = await TestClient.connect(where(server));
    await c.textIncludes(MENU_GREETING);
    c.send('0');
    await c.textIncludes(MENU_OPERATOR);
    c.send('1234\n');
    await c.textIncludes(MENU_RETRY);
    c.send('exit');
    await c.whenClosed();
    assert.equal(c.text, MENU_GREETING + MENU_OPERATOR + MENU_RETRY);
  },
  async discard(server) {
    const c = await TestClient.connect(where(server));
    c.send('drop me');
    await eventually(() => server.view().bytesIn >= 7, 'the server to read 7 bytes');
    c.close();
    await c.whenClosed();
    assert.equal(c.received.length, 0);
    assert.equal(server.view().bytesOut, 0);
  },
  async 'crash-on'(server) {
    const bad = await TestClient.connect(where(server));
    const good = await TestClient.connect(where(server));
    bad.send('please boom now');
    await bad.whenClosed();
    good.send('still here');
    await good.bytes(10);
    assert.equal(good.text, 'still here', 'the other connection is untouched');
    await eventually(() => server.view().handlerErrors === 1, 'the handler error to be counted');
    good.close();
    await good.whenClosed();
  },
};

const DATAGRAM_CHECKS: Record<HandlerName, (server: Server) => Promise<void>> = {
  async echo(server) {
    assert.equal((await udpExchange(server.port, 'ping')).toString(), 'ping');
  },
  async upper(server) {
    assert.equal((await udpExchange(server.port, 'ping')).toString(), 'PING');
  },
  async welcome(server) {
    assert.equal((await udpExchange(server.port, 'hi')).toString(), WELCOME_TEXT);
  },
  async menu(server) {
    assert.equal((await udpExchange(server.port, '0')).toString(), MENU_OPERATOR);
    assert.equal((await udpExchange(server.port, '7')).toString(), MENU_RETRY);
  },
  async discard(server) {
    await assert.rejects(udpExchange(server.port, 'nothing back', 300), /no UDP reply/);
    assert.equal(server.view().bytesIn, 12);
    assert.equal(server.view().bytesOut, 0);
  },
  async 'crash-on'(server) {
    await assert.rejects(udpExchange(server.port, 'boom', 300), /no UDP reply/);
    await eventually(() => server.view().handlerErrors === 1, 'the handler error to be counted');
    assert.equal((await udpExchange(server.port, 'fine')).toString(), 'fine', 'the server goes on');
  },
};

describe('servers: every transport × model × handler, with real clients', function () {
  this.timeout(60_000);
  const fixture = useEngine(true);

  const transports: Transport[] = ['tcp', 'unix', 'udp'];
  for (const transport of transports) {
    for (const model of MODELS) {
      it(`${transport} × ${model}: echo, upper, welcome, menu, discard, crash-on`, async () => {
        for (const handler of Object.keys(STREAM_CHECKS) as HandlerName[]) {
          const options: ServerOptions = { transport, model, handler, handlerArg: handler === 'crash-on' ? 'boom' : undefined, host: '127.0.0.1', port: 0, spares: 1, poolSize: 2 };
          const server = await fixture.engine.startServer(options);
          try {
            await (transport === 'udp' ? DATAGRAM_CHECKS : STREAM_CHECKS)[handler](server);
          } catch (err) {
            (err as Error).message = `${handler}: ${(err as Error).message}`;
            throw err;
          } finally {
            await fixture.engine.stopServer(server.id);
          }
        }
      });
    }
  }
});

describe('servers: what each model shows', function () {
  this.timeout(30_000);
  const fixture = useEngine();
  const { start } = fixture;

  it('thread-per-connection: three clients, three threads, each blocked in recv', async () => {
    const server = await start('thread-per-connection');
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(where(server))));
    for (const [i, c] of clients.entries()) {
      c.send(`client ${i}`);
      await c.bytes(8);
    }
    await eventually(() => connViews(server).filter((v) => v.servedByState === 'blocked in recv').length === 3, 'three threads blocked in recv');
    const views = connViews(server);
    const threads = new Set(views.map((v) => v.servedById));
    assert.equal(threads.size, 3, 'each connection has its own thread');
    for (const v of views) assert.match(v.servedBy, /^Thread-\d+ \(ident \d+\)$/);
    const live = server.runtime!.threads.filter((t) => t.kind === 'thread' && t.is_alive() && t.name !== 'MainThread');
    assert.ok(live.length >= 3, `at least 3 live threads (got ${live.length})`);
    assert.equal(server.view().workers?.kind, 'thread');
    for (const c of clients) c.close();
  });

  it('process-per-connection: the connection is served by a real child process with its own pid', async () => {
    const server = await start('process-per-connection');
    const a = await TestClient.connect(where(server));
    const b = await TestClient.connect(where(server));
    a.send('aaa');
    b.send('bbb');
    await a.bytes(3);
    await b.bytes(3);
    const views = connViews(server);
    const pids = views.map((v) => Number(/pid (\d+)/.exec(v.servedBy)?.[1]));
    assert.equal(new Set(pids).size, 2);
    for (const pid of pids) {
      assert.ok(pid > 0 && pid !== process.pid);
      assert.doesNotThrow(() => process.kill(pid, 0), 'the child is alive');
    }
    await eventually(() => connViews(server).every((v) => v.bytesIn === 3 && v.bytesOut === 3), 'the children to report their counters');
    a.close();
    b.close();
    await Promise.all([a.whenClosed(), b.whenClosed()]);
  });

  it('iterative: the second client waits its turn; with backlog 1 the third is refused with a reason', async () => {
    const server = await start('iterative', { backlog: 1 });
    const first = await TestClient.connect(where(server));
    first.send('1');
    await first.bytes(1);
    const second = await TestClient.connect(where(server));
    second.send('2');
    await eventually(() => connViews(server).some((v) => v.state === 'waiting'), 'the second connection to be shown waiting');
    const waiting = connViews(server).find((v) => v.state === 'waiting')!;
    assert.match(waiting.waitingReason ?? '', /one client at a time/);
    assert.equal(second.received.length, 0, 'not served while the first is');
    const third = await TestClient.connect(where(server));
    await third.whenClosed();
    assert.equal(server.view().refused, 1);
    assert.match(server.view().lastRefusal ?? '', /listen queue full \(backlog 1\)/);
    first.close();
    await second.bytes(1);
    assert.equal(second.text, '2');
    second.close();
  });

  it('thread-pool: with 2 threads, the third connection queues until one is free', async () => {
    const server = await start('thread-pool', { poolSize: 2 });
    const a = await TestClient.connect(where(server));
    const b = await TestClient.connect(where(server));
    a.send('a');
    b.send('b');
    await a.bytes(1);
    await b.bytes(1);
    const c = await TestClient.connect(where(server));
    c.send('c');
    await eventually(() => (server.view().workers?.queued ?? 0) === 1, 'one queued connection');
    assert.match(server.view().workers?.capNote ?? '', /pool size \(2\) reached: 1 waiting/);
    assert.match(connViews(server).find((v) => v.state === 'waiting')?.waitingReason ?? '', /all 2 are busy/);
    a.close();
    await c.bytes(1);
    assert.equal(c.text, 'c');
    b.close();
    c.close();
  });

  it("thread-pool of 1: a finished connection's late bytes and FIN never reach the next one on the same thread", async () => {
    const server = await start('thread-pool', { poolSize: 1, handler: 'menu' });
    // A keeps its side open after the server's FIN (half-open), and writes once more.
    const a = net.connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
    let aText = '';
    let aEnded = false;
    a.on('data', (d: Buffer) => (aText += d.toString()));
    a.on('end', () => (aEnded = true));
    await eventually(() => aText === MENU_GREETING, "A's greeting");
    const b = await TestClient.connect(where(server));
    await eventually(() => server.view().workers?.queued === 1, 'B to queue for the one thread');
    let aClosed = false;
    server.onConnectionClosed(() => (aClosed = true));
    a.write('exit');
    await eventually(() => aEnded, 'the server to end A');
    await b.textIncludes(MENU_GREETING); // the thread moved on to B
    a.write('0'); // late bytes from A…
    a.end(); // …and a late FIN
    await eventually(() => aClosed, 'A to close');
    b.send('9');
    await b.textIncludes(MENU_RETRY);
    assert.equal(b.text, MENU_GREETING + MENU_RETRY, 'B saw nothing of A');
    assert.equal(b.closed, false, "A's FIN did not close B");
    b.close();
  });

  it('a connection closed by the user while it waits leaves the queue and never takes a thread', async () => {
    const server = await start('thread-pool', { poolSize: 1 });
    const a = await TestClient.connect(where(server));
    a.send('a');
    await a.bytes(1);
    const b = await TestClient.connect(where(server));
    await eventually(() => server.view().workers?.queued === 1, 'B to queue');
    const waiting = [...server.connections.values()].find((c) => c.isWaiting)!;
    assert.equal(fixture.engine.closeConnection(waiting.id), true);
    await b.whenClosed();
    await eventually(() => server.view().workers?.queued === 0 && server.view().waiting === 0, 'the queue to empty');
    a.close();
    await a.whenClosed();
    // The one thread is free for the next client.
    const c = await TestClient.connect(where(server));
    c.send('c');
    await c.bytes(1);
    c.close();
  });

  it('max connections: the one over the limit is refused and the reason is shown', async () => {
    const server = await start('event-loop', { maxConnections: 2 });
    const a = await TestClient.connect(where(server));
    const b = await TestClient.connect(where(server));
    const c = await TestClient.connect(where(server));
    await c.whenClosed();
    assert.equal(server.view().refused, 1);
    assert.match(server.view().lastRefusal ?? '', /max connections \(2\) reached/);
    a.send('ok');
    await a.bytes(2);
    a.close();
    b.close();
  });

  it('idle timeout closes a quiet connection and says why', async () => {
    for (const model of ['event-loop', 'thread-per-connection', 'process-per-connection'] as const) {
      const server = await start(model, { idleTimeoutMs: 300 });
      const c = await TestClient.connect(where(server));
      let reason: string | null = null;
      server.onConnectionClosed((conn) => (reason = conn.view().closeReason));
      await c.whenClosed();
      await eventually(() => reason !== null, 'the close to be reported');
      assert.match(reason!, /idle timeout/, model);
    }
  });

  it('recv size: a 100-byte message read with recv(16) takes 7 reads, and the view says so', async () => {
    const server = await start('event-loop', { recvSize: 16 });
    const c = await TestClient.connect(where(server));
    c.send(Buffer.alloc(100, 0x61));
    await c.bytes(100);
    const v = connViews(server)[0]!;
    assert.equal(v.reads, 7);
    assert.equal(v.readsMaxMessage, 7);
    c.close();
  });

  it('menu: a multi-byte character split across two writes is not garbled', async () => {
    const server = await start('thread-per-connection', { handler: 'menu' });
    const c = await TestClient.connect(where(server));
    await c.textIncludes(MENU_GREETING);
    const zero = Buffer.from('０\n', 'utf8'); // a full-width zero: three bytes, not the command
    c.socket.setNoDelay(true);
    c.send(zero.subarray(0, 2));
    await eventually(() => connViews(server)[0]!.bytesIn === 2, 'the first half to arrive');
    c.send(zero.subarray(2));
    await c.textIncludes(MENU_RETRY);
    assert.equal(c.text, MENU_GREETING + MENU_RETRY, 'one answer for one character, no replacement characters');
    c.close();
  });

  it('a handler that throws closes only its connection; type, message and stack are shown', async () => {
    for (const model of ['event-loop', 'thread-per-connection', 'process-per-connection'] as const) {
      const server = await start(model, { handler: 'crash-on', handlerArg: 'boom' });
      let shown: ConnectionView | undefined;
      server.onConnectionClosed((conn) => (shown ??= conn.view()));
      const ok = await TestClient.connect(where(server));
      ok.send('x');
      await ok.bytes(1);
      const bad = await TestClient.connect(where(server));
      bad.send('boom');
      await bad.whenClosed();
      await eventually(() => shown !== undefined, 'the failed connection to close');
      assert.equal(shown!.error?.type, 'HandlerCrash', model);
      assert.match(shown!.error?.message ?? '', /received "boom"/);
      assert.match(shown!.error?.stack ?? '', /HandlerCrash: received "boom"\n\s+at /, `${model}: the stack is kept`);
      assert.match(shown!.closeReason ?? '', /^handler error: HandlerCrash/);
      ok.send('y');
      await ok.bytes(2);
      assert.equal(ok.text, 'xy', `${model}: the other connection goes on`);
      ok.close();
    }
  });

  it('a thread killed mid-connection closes only that connection, with the reason', async () => {
    const server = await start('thread-per-connection');
    const victim = await TestClient.connect(where(server));
    const other = await TestClient.connect(where(server));
    victim.send('v');
    other.send('o');
    await victim.bytes(1);
    await other.bytes(1);
    const threadId = connViews(server).find((v) => v.peer.endsWith(String(victim.socket.localPort)))!.servedById!;
    let reason: string | null = null;
    server.onConnectionClosed((conn) => (reason = conn.view().closeReason));
    assert.equal(await fixture.engine.killActor(threadId), true);
    await victim.whenClosed();
    await eventually(() => reason !== null, 'the close to be reported');
    assert.match(reason!, /^thread Thread-\d+ was killed$/);
    other.send('o');
    await other.bytes(2);
    // The cap is free again: a new connection is served.
    const next = await TestClient.connect(where(server));
    next.send('n');
    await next.bytes(1);
    other.close();
    next.close();
  });

  it('a child killed with SIGKILL mid-connection: "exited with signal", no respawn loop, the cap frees', async () => {
    const server = await start('process-per-connection', { maxChildren: 2, spares: 0 });
    const victim = await TestClient.connect(where(server));
    victim.send('v');
    await victim.bytes(1);
    const view = connViews(server)[0]!;
    const pid = Number(/pid (\d+)/.exec(view.servedBy)![1]);
    let reason: string | null = null;
    server.onConnectionClosed((conn) => (reason = conn.view().closeReason));
    process.kill(pid, 'SIGKILL');
    await victim.whenClosed();
    await eventually(() => reason !== null, 'the close to be reported');
    assert.match(reason!, /exited with signal SIGKILL \(-9\)/);
    const after = await TestClient.connect(where(server));
    after.send('a');
    await after.bytes(1);
    // One child for the new connection; the killed one was not respawned on its own.
    assert.ok((server.view().workers?.live ?? 0) <= 2);
    after.close();
    await after.whenClosed();
  });

  it('stop with connections in every model: port reusable at once, threads and children gone', async () => {
    for (const model of MODELS) {
      const server = await start(model, { spares: 1 });
      const clients = await Promise.all([1, 2].map(() => TestClient.connect(where(server))));
      for (const c of clients) c.send('x');
      await Promise.all(clients.map((c) => c.bytes(model === 'iterative' ? 0 : 1)));
      const pids = model === 'process-per-connection' ? server.runtime!.threads.filter((t) => t.kind === 'process').map((t) => t.ident!) : [];
      const port = server.port;
      const t0 = Date.now();
      await fixture.engine.stopServer(server.id);
      assert.ok(Date.now() - t0 < 3000, `${model}: stopped within the deadline`);
      for (const c of clients) await c.whenClosed();
      if (server.runtime) assert.equal(server.runtime.threads.filter((t) => t.is_alive() && t.name !== 'MainThread').length, 0, `${model}: no thread or child alive`);
      for (const pid of pids) assert.throws(() => process.kill(pid, 0), `${model}: child ${pid} is gone`);
      const again = await fixture.engine.startServer({ transport: 'tcp', model, handler: 'echo', host: '127.0.0.1', port });
      assert.equal(again.port, port, `${model}: the port is reusable at once`);
      await fixture.engine.stopServer(again.id);
    }
  });

  it('unix: a short path in the temp dir, removed on stop; a stale file is replaced, a live one refused', async () => {
    const server = await fixture.engine.startServer({ transport: 'unix', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    const path = server.address;
    assert.ok(Buffer.byteLength(path) < 108);
    assert.ok(fs.statSync(path).isSocket());
    await assert.rejects(fixture.engine.startServer({ transport: 'unix', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0, path }), /Another server is listening/);
    await fixture.engine.stopServer(server.id);
    assert.equal(fs.existsSync(path), false);
  });
});

describe('servers: what the inspector and other clients see', function () {
  this.timeout(30_000);
  const fixture = useEngine();

  it('event-loop: readiness rounds count the sockets that were readable together, while someone watches', async () => {
    const server = await fixture.engine.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    const clients = await Promise.all([1, 2, 3, 4].map(() => TestClient.connect({ port: server.port })));
    // Nobody watches yet: no rounds are recorded (the hot path pays nothing).
    clients[0]!.send('x');
    await clients[0]!.bytes(1);
    assert.equal(server.view().rounds, 0);
    const sub = fixture.engine.publisher.subscribe(() => {});
    try {
      for (let i = 0; i < 5; i++) {
        for (const c of clients) c.send('y');
        await Promise.all(clients.map((c) => c.bytes(1 + (c === clients[0] ? 1 : 0) + i)));
      }
      const v = server.view();
      assert.ok(v.rounds >= 5, `rounds recorded: ${v.rounds}`);
      const total = v.recentRounds.reduce((n, r) => n + r.readable, 0);
      assert.ok(v.recentRounds.length > 0 && total >= v.recentRounds.length, 'each round saw at least one readable socket');
      assert.ok(v.recentRounds.every((r) => r.sockets.every((s) => /^127\.0\.0\.1:\d+$/.test(s))));
    } finally {
      sub.dispose();
      for (const c of clients) c.close();
    }
  });

  it('a thread entry that cannot start: a clear reason on the server and the connection, and no respawn loop', async () => {
    const broken = new Engine({ retentionMs: 50, workers: { ...workers, 'connection-thread': '/nonexistent/connection-thread.js' } });
    try {
      const server = await broken.startServer({ transport: 'tcp', model: 'thread-per-connection', handler: 'echo', host: '127.0.0.1', port: 0, spares: 2 });
      const c = await TestClient.connect({ port: server.port });
      let reason: string | null = null;
      server.onConnectionClosed((conn) => (reason = conn.view().closeReason));
      await c.whenClosed();
      await eventually(() => reason !== null, 'the connection to be closed with a reason');
      assert.match(reason!, /could not start a thread/);
      assert.match(server.view().workers?.capNote ?? '', /could not start a thread/);
      // No respawn loop: the attempts already under way end, and nothing new starts.
      await eventually(() => server.view().workers?.live === 0, 'every attempt to end');
      const started = server.runtime!.threads.filter((t) => t.name.startsWith('Thread-')).length;
      assert.ok(started <= 3, `threads started: ${started}`);
    } finally {
      await broken.dispose();
    }
  });

  it('a Python socket client talks to the 10086 menu server in UTF-8, as in the tutorial', async function () {
    const server = await fixture.engine.startServer({ transport: 'tcp', model: 'thread-per-connection', handler: 'menu', host: '127.0.0.1', port: 0 });
    const script = [
      'import socket, sys',
      's = socket.create_connection(("127.0.0.1", int(sys.argv[1])))',
      'def recv():',
      '    data = s.recv(1024)',
      '    print(data.decode("utf-8"))',
      'recv()',
      'for cmd in ["0", "1234", "exit"]:',
      '    s.sendall(cmd.encode())',
      '    if cmd != "exit": recv()',
      'print("closed" if s.recv(1024) == b"" else "open")',
    ].join('\n');
    const { execFile } = await import('node:child_process');
    const out = await new Promise<string>((resolve, reject) =>
      execFile('python3', ['-c', script, String(server.port)], { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    ).catch((err: Error) => {
      if (/ENOENT/.test(err.message)) this.skip();
      throw err;
    });
    assert.equal(out, [MENU_GREETING, MENU_OPERATOR, MENU_RETRY, 'closed', ''].join('\n'));
  });
});
