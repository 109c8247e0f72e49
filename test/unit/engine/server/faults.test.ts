import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { SocketLabError } from '../../../../src/engine/errors';
import type { ConcurrencyModel } from '../../../../src/protocol/views';
import { CLI, runCli } from '../../../support/cli';
import { TestClient, eventually, udpExchange } from '../../../support/testClient';
import { useEngine } from './support';

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
}

const MB = 1024 * 1024;
const STREAM_MODELS: ConcurrencyModel[] = ['event-loop', 'thread-per-connection', 'process-per-connection'];

describe('servers: faults and bad input', function () {
  this.timeout(60_000);
  const fixture = useEngine();
  const { start } = fixture;

  for (const model of STREAM_MODELS) {
    it(`${model}: a client that sends without reading is paused (back-pressure); server memory stays bounded`, async () => {
      const server = await start(model, { spares: 1 });
      const other = await TestClient.connect({ port: server.port });
      const serverPid = () => (model === 'process-per-connection' ? (server.runtime!.threads.find((t) => t.kind === 'process' && t.is_alive())?.ident ?? process.pid) : process.pid);
      global.gc?.();
      // The child that will serve the flood is a warm spare: measure it (or this process) before.
      const pid = serverPid();
      const before = rssOf(pid);
      // The fault client writes 64 KiB chunks for 4 s without reading (over 1 GiB if the server kept reading).
      const flood = runCli(['bench', 'tcp', `127.0.0.1:${server.port}`, '--fault', 'never-read', '-d', '4', '--json']);
      await eventually(() => [...server.connections.values()].some((c) => c.view().backpressure), 'the flooding connection to show back-pressure', 15_000);
      const paused = [...server.connections.values()].find((c) => c.view().backpressure)!.view();
      assert.equal(paused.backpressure, true);
      const { code, stdout } = await flood.exit();
      assert.equal(code, 0, stdout);
      const report = JSON.parse(stdout.trim().split('\n').pop()!) as { acceptedBytes: number; stalled: boolean };
      assert.equal(report.stalled, true, 'the server stopped reading');
      assert.ok(report.acceptedBytes < 64 * MB, `the server took ${report.acceptedBytes} bytes, not everything`);
      const grown = rssOf(pid) - before;
      assert.ok(grown < 64 * MB, `${model}: server memory grew ${(grown / MB).toFixed(1)} MB`);
      // Everyone else is fine.
      other.send('still fine');
      await other.bytes(10);
      other.close();
    });

    it(`${model}: 64 MB in one write is echoed completely; 1 MB of random bytes byte for byte, shown escaped`, async () => {
      const server = await start(model, { spares: 1 });
      const big = Buffer.alloc(64 * MB, 0x62);
      const c = await TestClient.connect({ port: server.port });
      c.send(big);
      await c.until(() => c.receivedLength >= big.length, '64 MB back', 50_000);
      assert.equal(c.received.length, big.length);
      assert.ok(c.received.equals(big));
      c.close();
      await c.whenClosed();
      await eventually(() => server.connections.size === 0, 'the first connection to close');
      const random = crypto.randomBytes(MB);
      const r = await TestClient.connect({ port: server.port });
      let seen = '';
      server.onConnectionClosed((conn) => (seen ||= conn.view().lastReceived));
      r.send(random);
      await r.bytes(MB);
      assert.ok(r.received.equals(random), 'echoed byte for byte');
      r.close();
      await r.whenClosed();
      await eventually(() => seen !== '', 'the connection to close');
      assert.match(seen, /\\x[0-9a-f]{2}/, 'binary bytes are shown escaped');
      assert.ok(![...seen].some((ch) => ch.charCodeAt(0) < 0x09 || ch.charCodeAt(0) === 0x1b), 'no raw control bytes reach the UI');
    });
  }

  it('port in use (TCP and UDP): names the port, explains TIME_WAIT vs a live listener, offers a free port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await start('event-loop', { port: busy }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof SocketLabError);
      assert.equal(err.code, 'EADDRINUSE');
      assert.match(err.message, new RegExp(`Port ${busy} is already in use`));
      assert.match(err.hint ?? '', /TIME_WAIT/);
      assert.ok(err.freePort && err.freePort !== busy, 'a free port is offered');
      assert.match(err.hint ?? '', new RegExp(`Port ${err.freePort} is free now`));
      // The offer is real: a server starts there.
      const ok = await start('event-loop', { port: err.freePort });
      assert.equal(ok.port, err.freePort);
    } finally {
      blocker.close();
    }
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    try {
      const port = udp.address().port;
      const err = await fixture.engine.startServer({ transport: 'udp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof SocketLabError);
      assert.match(err.message, new RegExp(`UDP port ${port} is already in use`));
    } finally {
      udp.close();
    }
  });

  it('a privileged port is refused with EACCES and a plain explanation', async function () {
    if (process.getuid?.() !== 0) {
      const err = await start('event-loop', { port: 80 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof SocketLabError);
      assert.equal(err.code, 'EACCES');
      assert.match(err.hint ?? '', /below 1024 are privileged/);
      return;
    }
    // As root (CI) port 80 would be allowed: run the real CLI as an unprivileged user instead.
    const { execFile } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; stderr: string; missing: boolean }>((resolve) =>
      execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'serve', 'tcp', '--port', '80'], { timeout: 15_000 }, (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number | string }).code as number) : 0, stderr, missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' }),
      ),
    );
    if (result.missing) this.skip(); // no setpriv on this machine
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /Permission denied to listen on 127\.0\.0\.1:80 \(EACCES\)\. Ports below 1024 are privileged/);
  });

  it('UDP: the largest datagram (65,507 bytes) is echoed; a larger one is refused by the sender with EMSGSIZE; the server goes on', async () => {
    const server = await fixture.engine.startServer({ transport: 'udp', model: 'thread-per-connection', handler: 'echo', host: '127.0.0.1', port: 0 });
    const max = crypto.randomBytes(65_507);
    assert.ok((await udpExchange(server.port, max)).equals(max));
    const s = dgram.createSocket('udp4');
    const err = await new Promise<Error | null>((resolve) => s.send(Buffer.alloc(65_508), server.port, '127.0.0.1', resolve));
    s.close();
    assert.equal((err as NodeJS.ErrnoException | null)?.code, 'EMSGSIZE');
    assert.equal((await udpExchange(server.port, 'after')).toString(), 'after');
  });

  it('UDP: stopping while threads and children still answer datagrams throws nothing (late replies are dropped)', async () => {
    for (const model of ['thread-pool', 'process-per-connection'] as const) {
      const server = await fixture.engine.startServer({ transport: 'udp', model, handler: 'echo', host: '127.0.0.1', port: 0, poolSize: 2, spares: 2 });
      const s = dgram.createSocket('udp4');
      try {
        let stopped = false;
        let afterStop = 0;
        s.on('message', () => {
          if (stopped) afterStop++;
        });
        const firstReply = new Promise((r) => s.once('message', r));
        for (let i = 0; i < 200; i++) s.send(`ping ${i}`, server.port, '127.0.0.1');
        // Stop at the first reply: the other datagrams are still with the threads or children.
        await firstReply;
        const atStop = server.view();
        assert.ok(atStop.bytesOut < atStop.bytesIn, `${model}: replies still to come when stopping (in ${atStop.bytesIn} B, out ${atStop.bytesOut} B)`);
        // An uncaught ERR_SOCKET_DGRAM_NOT_RUNNING here would fail this test (mocha reports it).
        assert.equal(await fixture.engine.stopServer(server.id), true, `${model}: the server was running`);
        stopped = true;
        const view = server.view();
        assert.equal(view.state, 'stopped', `${model}: the stop completed`);
        assert.equal(fixture.engine.getServer(server.id), undefined, `${model}: the engine no longer lists it`);
        // A reply sent on the closed socket would throw, be caught and count as a handler error.
        assert.equal(view.handlerErrors, 0, `${model}: late replies are dropped, not failed sends`);
        // Give any straggling thread or child time to answer: nothing reaches the client any more.
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(afterStop, 0, `${model}: ${afterStop} replies arrived after the stop`);
      } finally {
        await new Promise<void>((r) => s.close(() => r()));
      }
    }
  });

  it('EMFILE (out of descriptors): a clear message once, existing connections keep working, no busy loop', async function () {
    // A real server process with a low descriptor limit; 60 clients against a limit of 40.
    const child = spawn('bash', ['-c', `ulimit -n 40 && exec "${process.execPath}" "${CLI}" serve tcp --port 0`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<void>((r) => child.once('close', () => r()));
    try {
      await eventually(() => /listening tcp 127\.0\.0\.1:(\d+)/.test(stdout), 'the server to listen');
      const port = Number(/listening tcp 127\.0\.0\.1:(\d+)/.exec(stdout)![1]);
      const first = await TestClient.connect({ port });
      first.send('a');
      await first.bytes(1);
      const others = await Promise.all(Array.from({ length: 60 }, () => TestClient.connect({ port }).catch(() => undefined)));
      await eventually(() => stderr.includes('EMFILE'), 'the EMFILE message', 10_000);
      // Measure the server's CPU over one second after the storm: an accept busy-loop would burn it.
      const cpu0 = cpuSeconds(child.pid!);
      await new Promise((r) => setTimeout(r, 1000));
      const cpu = cpuSeconds(child.pid!) - cpu0;
      assert.ok(cpu < 0.3, `the server used ${cpu.toFixed(2)} s of CPU in 1 s while out of descriptors`);
      first.send('b');
      await first.bytes(2);
      assert.equal(first.text, 'ab', 'the existing connection still echoes');
      assert.equal(stderr.match(/out of file descriptors \(EMFILE/g)?.length, 1, `said once (rate-limited): ${stderr}`);
      assert.match(stderr, /existing connections go on/);
      for (const o of others) o?.socket.destroy();
      first.socket.destroy();
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
