import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCli, serveCli } from '../../support/cli';
import { canListen, exchange, isListening } from '../../support/processes';

describe('CLI serve + client (child processes)', function () {
  this.timeout(20_000);

  it('serve prints "listening tcp HOST:PORT", serves, and exits 0 on SIGTERM with the port freed', async () => {
    const { run, port } = await serveCli(['--handler', 'upper', '--host', '127.0.0.1', '--port', '0']);
    assert.equal((await exchange(port, 'hi\n', 3)).toString(), 'HI\n');
    await run.line(/^disconnected 127\.0\.0\.1:\d+ \(in 3 B\/1 msg, out 3 B\/1 msg; closed by peer\)$/);
    run.child.kill('SIGTERM');
    const { code, stdout } = await run.exit();
    assert.equal(code, 0);
    assert.match(stdout, /^listening tcp 127\.0\.0\.1:\d+\n/);
    assert.match(stdout, /stopped \(SIGTERM\)\n$/);
    assert.equal(await canListen(port), true);
  });

  it('serve closes live connections on SIGINT before exiting', async () => {
    const { run, port } = await serveCli([]);
    const client = net.connect({ host: '127.0.0.1', port });
    await new Promise((r) => client.once('connect', r));
    await run.line(/^connected /);
    const ended = new Promise((r) => client.once('end', r));
    run.child.kill('SIGINT');
    await ended;
    assert.equal((await run.exit()).code, 0);
    client.destroy();
    assert.equal(await isListening(port), false);
  });

  it('serve --json prints one JSON object per line', async () => {
    const json = runCli(['serve', 'tcp', '--json']);
    const first = JSON.parse(await json.line(/^\{/)) as { event: string; port: number; host: string; transport: string };
    assert.equal(first.event, 'listening');
    assert.equal(first.host, '127.0.0.1');
    assert.equal(first.transport, 'tcp');
    await exchange(first.port, 'x', 1);
    const closed = JSON.parse(await json.line(/"disconnected"/)) as { bytesIn: number; reason: string };
    assert.equal(closed.bytesIn, 1);
    json.child.kill('SIGTERM');
    const { code, stdout } = await json.exit();
    assert.equal(code, 0);
    for (const l of stdout.trim().split('\n')) JSON.parse(l);
  });

  it('serve names the busy port and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      const { code, stderr } = await runCli(['serve', 'tcp', '--port', String(busy)]).exit();
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`Port ${busy} is already in use on 127\\.0\\.0\\.1 \\(EADDRINUSE\\)`));
    } finally {
      blocker.close();
    }
  });

  it('rejects bad arguments with exit code 2 and the usage', async () => {
    for (const args of [['serve', 'tcp', '--port', '70000'], ['serve', 'tcp', '--handler', 'nope'], ['serve', 'tcp', '--bogus'], ['client', 'tcp', '127.0.0.1'], ['frobnicate']]) {
      const { code, stderr } = await runCli(args).exit();
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /Usage:/);
    }
  });

  it('client (stdin not a TTY) sends each line and prints the replies, then exits 0', async () => {
    const { run: server, port } = await serveCli(['--handler', 'upper']);
    const client = runCli(['client', 'tcp', '127.0.0.1', String(port)]);
    client.child.stdin.end('hello\nworld\n');
    const { code, stdout } = await client.exit();
    assert.equal(code, 0);
    assert.equal(stdout, 'HELLO\nWORLD\n');
    server.child.kill('SIGTERM');
    await server.exit();
  });

  it('client shows binary replies escaped, never raw', async () => {
    const { run: server, port } = await serveCli(['--handler', 'echo']);
    const client = runCli(['client', 'tcp', '127.0.0.1', String(port)]);
    // \xNN escapes are sent as bytes: NUL, ESC[2J (clear screen), an invalid UTF-8 byte.
    client.child.stdin.end('\\x00\\x1b[2J\\xffok\n');
    const { code, stdout } = await client.exit();
    assert.equal(code, 0);
    assert.equal(stdout, '\\x00\\x1b[2J\\xffok\n');
    assert.ok(!stdout.includes('\x1b'), 'no raw escape byte reached the terminal');
    server.child.kill('SIGTERM');
    await server.exit();
  });

  it('client to a closed port prints "connection refused (ECONNREFUSED) 127.0.0.1:PORT" and exits 1', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const { code, stderr } = await runCli(['client', 'tcp', '127.0.0.1', String(port)]).exit();
    assert.equal(code, 1);
    assert.equal(stderr.trim(), `connection refused (ECONNREFUSED) 127.0.0.1:${port}`);
  });

  // The extension passes `@name` (a Linux abstract socket) or a socket file path.
  const lifelines = [
    { form: 'abstract socket', listen: `\0socket-lab-test-${process.pid}`, env: `@socket-lab-test-${process.pid}` },
    { form: 'socket file', listen: path.join(os.tmpdir(), `socket-lab-test-${process.pid}.sock`), env: path.join(os.tmpdir(), `socket-lab-test-${process.pid}.sock`) },
  ];
  for (const { form, listen, env } of lifelines) {
    it(`client ends as soon as its lifeline to the extension closes (${form})`, async () => {
      const lifeline = net.createServer();
      const held = new Promise<net.Socket>((resolve) => lifeline.once('connection', resolve));
      await new Promise<void>((r) => lifeline.listen(listen, () => r()));
      const { run: server, port } = await serveCli([]);
      try {
        const client = runCli(['client', 'tcp', '127.0.0.1', String(port)], { SOCKET_LAB_LIFELINE: env });
        client.child.stdin.write('still open\n');
        await client.line(/still open/);
        (await held).destroy();
        const { code, stderr } = await client.exit();
        assert.equal(code, 0);
        assert.match(stderr, /extension was deactivated/);
      } finally {
        lifeline.close();
        if (listen.startsWith('/')) fs.rmSync(listen, { force: true });
        server.child.kill('SIGTERM');
        await server.exit();
      }
    });
  }
});
