import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../support/cli';
import { closedPort, tcpEcho, udpEcho, unixEcho } from '../../support/echoServers';

describe('CLI client: transports, modes and commands (against plain echo servers)', function () {
  this.timeout(20_000);

  it('talks to a plain TCP echo server given as HOST:PORT', async () => {
    const echo = await tcpEcho();
    try {
      const c = runCli(['client', 'tcp', `127.0.0.1:${echo.port}`]);
      c.child.stdin.end('one\ntwo\n');
      const { code, stdout } = await c.exit();
      assert.equal(code, 0);
      assert.equal(stdout, 'one\ntwo\n');
    } finally {
      await echo.close();
    }
  });

  it('talks to a Unix stream socket', async () => {
    const echo = await unixEcho();
    try {
      const c = runCli(['client', 'unix', echo.path]);
      c.child.stdin.end('over unix\n');
      const { code, stdout } = await c.exit();
      assert.equal(code, 0);
      assert.equal(stdout, 'over unix\n');
    } finally {
      await echo.close();
    }
  });

  it('sends one datagram per line over UDP and prints each reply', async () => {
    const echo = await udpEcho();
    try {
      const c = runCli(['client', 'udp', `127.0.0.1:${echo.port}`]);
      c.child.stdin.write('first\n');
      await c.line(/^first$/);
      c.child.stdin.write('second\n');
      await c.line(/^second$/);
      c.child.stdin.end();
      const { code } = await c.exit();
      assert.equal(code, 0);
      assert.equal(echo.received(), 2);
    } finally {
      await echo.close();
    }
  });

  it(':hex sends hex input and shows replies as a hex+ASCII dump; :raw adds no newline', async () => {
    const echo = await tcpEcho();
    try {
      const c = runCli(['client', 'tcp', `127.0.0.1:${echo.port}`]);
      after(() => c.child.kill());
      c.child.stdin.write(':hex\n48 69 00 ff\n');
      const dump = await c.line(/^00000000 /);
      assert.equal(dump, `00000000  ${'48 69 00 ff'.padEnd(23)}  ${''.padEnd(23)}  |Hi..|`);
      c.child.stdin.write(':hex\n:raw\nno newline');
      c.child.stdin.write('\n');
      c.child.stdin.end();
      const { stdout, stderr } = await c.exit();
      assert.ok(stdout.endsWith('no newline'), JSON.stringify(stdout));
      assert.match(stderr, /mode: hex/);
      assert.match(stderr, /mode: raw/);
    } finally {
      await echo.close();
    }
  });

  it(':send-file sends a file byte for byte; binary replies are escaped', async () => {
    const echo = await tcpEcho();
    const file = path.join(os.tmpdir(), `sl-send-${process.pid}.bin`);
    fs.writeFileSync(file, Buffer.from([0x41, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0x0a]));
    try {
      const c = runCli(['client', 'tcp', `127.0.0.1:${echo.port}`]);
      c.child.stdin.end(`:send-file ${file}\n`);
      const { stdout, stderr } = await c.exit();
      assert.equal(stdout, 'A\\x1b[31m\\xff\n');
      assert.match(stderr, /sent 8 bytes from/);
    } finally {
      fs.rmSync(file, { force: true });
      await echo.close();
    }
  });

  it(':half-close keeps reading after FIN; unknown commands are explained', async () => {
    const echo = await tcpEcho();
    try {
      const c = runCli(['client', 'tcp', `127.0.0.1:${echo.port}`]);
      c.child.stdin.write(':frobnicate\nbefore fin\n');
      await c.line(/^before fin$/);
      c.child.stdin.write(':half-close\n');
      const { code, stderr } = await c.exit(); // the echo server ends its side after our FIN
      assert.equal(code, 0);
      assert.match(stderr, /unknown command :frobnicate/);
      assert.match(stderr, /sent FIN/);
    } finally {
      await echo.close();
    }
  });

  it('refuses bad options with what is wrong (exit 2)', async () => {
    const echo = await tcpEcho();
    try {
      const cases: Array<[string[], RegExp]> = [
        [['--eol', 'cr'], /--eol must be none, lf or crlf; got "cr"/],
        [['--wait', '0'], /--wait must be a number of seconds above 0/],
        [['--wait', '-1'], /--wait must be a number of seconds above 0 .*got "-1"/],
        [['--settle', 'soon'], /--settle must be a whole number of milliseconds/],
        [['--lockstep', '--no-lockstep'], /contradict each other/],
      ];
      for (const [flags, message] of cases) {
        const { code, stderr } = await runCli(['client', 'tcp', `127.0.0.1:${echo.port}`, ...flags]).exit();
        assert.equal(code, 2, flags.join(' '));
        assert.match(stderr, new RegExp(`^error: client: .*${message.source}`), flags.join(' '));
      }
    } finally {
      await echo.close();
    }
  });

  it('reports a refused Unix socket path clearly and exits 1', async () => {
    const { code, stderr } = await runCli(['client', 'unix', path.join(os.tmpdir(), 'no-such-socket-lab.sock')]).exit();
    assert.equal(code, 1);
    assert.match(stderr, /\((ENOENT|ECONNREFUSED)\)/);
  });
});

describe('CLI probe (connect_ex)', function () {
  this.timeout(10_000);

  it('prints "open" and exits 0 for a listening port', async () => {
    const echo = await tcpEcho();
    try {
      const { code, stdout } = await runCli(['probe', `127.0.0.1:${echo.port}`]).exit();
      assert.equal(code, 0);
      assert.equal(stdout, `open 127.0.0.1:${echo.port}\n`);
    } finally {
      await echo.close();
    }
  });

  it('prints the errno name and its meaning and exits 1 for a closed port', async () => {
    const port = await closedPort();
    const { code, stdout } = await runCli(['probe', '127.0.0.1', String(port)]).exit();
    assert.equal(code, 1);
    assert.equal(stdout, `ECONNREFUSED 127.0.0.1:${port}: connection refused: the host answered, but nothing listens on that port\n`);
  });
});
