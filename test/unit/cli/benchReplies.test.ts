import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { benchCheckArgs } from '../../../src/cli/load/handlerCheck';
import { HANDLER_NAMES } from '../../../src/engine/server/handlers';
import { runCli } from '../../support/cli';
import { tcpEcho } from '../../support/echoServers';

// bench against servers that do not simply echo: text servers (ours with `upper` and `menu`, and
// a Python socketserver written as the tutorials write it), servers that never reply, and
// servers that lose replies after a half-close.

interface Result {
  payload: string;
  expect: string;
  connected: number;
  msgs: number;
  durationS: number;
  measuredS: number;
  bytesSent: number;
  bytesReceived: number;
  bytesVerified: number;
  corruptBytes: number;
  missingBytes: number;
  closedByServer: number;
  errors: number;
}

async function bench(args: string[]): Promise<{ code: number | null; result: Result; stderr: string }> {
  const { code, stdout, stderr } = await runCli(['bench', ...args, '--json']).exit();
  assert.ok(stdout.trim(), `no JSON on stdout; stderr: ${stderr}`);
  return { code, result: JSON.parse(stdout) as Result, stderr };
}

/** `serve TRANSPORT --handler H`; resolves with the bench target arguments once it listens. */
async function serve(transport: 'tcp' | 'udp' | 'unix', handler: string): Promise<{ target: string[]; stop(): Promise<void> }> {
  const run = runCli(['serve', transport, '--handler', handler, '--quiet']);
  const line = await run.line(/^listening /);
  const where = line.split(' ')[2]!;
  return {
    target: [transport, where],
    async stop() {
      run.child.kill('SIGTERM');
      await run.exit();
    },
  };
}

const PYTHON_SERVERS = path.resolve(__dirname, '../../support/python/text_servers.py');

/** One of test/support/python/text_servers.py; skips the test when there is no python3. */
async function python(ctx: Mocha.Context, mode: 'upper' | 'lines'): Promise<{ port: number; stderr: () => string; stop(): Promise<void> }> {
  const child: ChildProcessWithoutNullStreams = spawn('python3', [PYTHON_SERVERS, mode], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    readline.createInterface({ input: child.stdout }).once('line', (l) => resolve(Number(/^listening (\d+)$/.exec(l)?.[1])));
    void exited.then(() => reject(new Error(`python3 exited before listening: ${stderr}`)));
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') ctx.skip();
    throw err;
  });
  return {
    port,
    stderr: () => stderr,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('CLI bench: text payloads and what a reply must be (--payload, --expect)', function () {
  this.timeout(30_000);

  for (const transport of ['tcp', 'udp', 'unix'] as const) {
    it(`${transport}: our upper handler measured with --payload text --expect upper: every byte verified, none corrupt`, async () => {
      const server = await serve(transport, 'upper');
      try {
        const { code, result } = await bench([...server.target, '-c', '3', '-d', '1', '--payload', 'text', '--expect', 'upper']);
        assert.equal(code, 0, JSON.stringify(result));
        assert.equal(result.payload, 'text');
        assert.equal(result.expect, 'upper');
        assert.ok(result.msgs > 100, `msgs ${result.msgs}`);
        assert.equal(result.corruptBytes, 0);
        assert.equal(result.missingBytes, 0);
        assert.equal(result.bytesVerified, result.bytesSent);
      } finally {
        await server.stop();
      }
    });
  }

  it('binary messages are checked against their ASCII upper case too (--expect upper)', async () => {
    const server = await serve('tcp', 'upper');
    try {
      const { code, result } = await bench([...server.target, '-c', '2', '-d', '0.5', '--expect', 'upper']);
      assert.equal(code, 0, JSON.stringify(result));
      assert.equal(result.corruptBytes, 0);
      assert.equal(result.bytesVerified, result.bytesSent);
      // And the check can fail: an echo is not the upper case of text.
      const echo = await tcpEcho();
      try {
        const wrong = await bench(['tcp', `127.0.0.1:${echo.port}`, '-c', '1', '-d', '0.5', '--payload', 'text', '--expect', 'upper']);
        assert.equal(wrong.code, 3);
        assert.ok(wrong.result.corruptBytes > 0);
      } finally {
        await echo.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('text messages are lines of letters and digits, --size bytes each with the newline last', async () => {
    const received: Buffer[] = [];
    const server = net.createServer((c) => {
      c.on('error', () => c.destroy());
      c.on('data', (d: Buffer) => {
        received.push(d);
        c.write(d);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { code } = await bench(['tcp', `127.0.0.1:${(server.address() as net.AddressInfo).port}`, '-c', '1', '-d', '0.3', '--size', '40', '--payload', 'text']);
      assert.equal(code, 0);
      const text = Buffer.concat(received).toString('latin1');
      assert.ok(text.length >= 40 * 10, `received ${text.length} bytes`);
      const lines = text.split('\n');
      assert.equal(lines.pop(), '', 'the stream ends with a newline');
      for (const l of lines) assert.match(l, /^[A-Za-z0-9]{39}$/);
      assert.ok(/[a-z]/.test(text) && /[A-Z]/.test(text) && /[0-9]/.test(text), 'mixed case and digits');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a Python socketserver that does recv(1024).decode() and sends .upper().encode(): measured, nothing corrupt, no traceback', async function () {
    const py = await python(this, 'upper');
    try {
      const { code, result } = await bench(['tcp', `127.0.0.1:${py.port}`, '-c', '4', '-d', '1', '--payload', 'text', '--expect', 'upper']);
      assert.equal(code, 0, JSON.stringify(result));
      assert.ok(result.msgs > 100, `msgs ${result.msgs}`);
      assert.equal(result.corruptBytes, 0);
      assert.equal(result.missingBytes, 0);
      assert.equal(result.closedByServer, 0);
      // Messages past one recv(1024) arrive in pieces that each decode (one byte per character).
      const big = await bench(['tcp', `127.0.0.1:${py.port}`, '-c', '1', '-d', '1', '--size', '5000', '--payload', 'text', '--expect', 'upper']);
      assert.equal(big.code, 0, JSON.stringify(big.result));
      assert.ok(big.result.msgs > 0);
      assert.equal(big.result.corruptBytes, 0);
      assert.equal(py.stderr(), '');
    } finally {
      await py.stop();
    }
  });

  it('binary messages to that Python server: it fails to decode and closes; bench says so and ends early, exit 3', async function () {
    const py = await python(this, 'upper');
    try {
      const t0 = performance.now();
      const { code, stdout } = await runCli(['bench', 'tcp', `127.0.0.1:${py.port}`, '-c', '2', '-d', '20', '--expect', 'upper']).exit();
      const seconds = (performance.now() - t0) / 1000;
      assert.equal(code, 3, stdout);
      assert.match(stdout, /^closed by the server: 2 of 2 connections \(all of them, so the run ended early\)$/m);
      assert.match(stdout, /messages in [\d.]+ s of 20 s/);
      assert.ok(seconds < 15, `took ${seconds.toFixed(1)} s of the 20 s asked`);
      assert.match(py.stderr(), /UnicodeDecodeError/);
    } finally {
      await py.stop();
    }
  });

  it('--expect any: the menu server’s fixed replies count as answers', async () => {
    const server = await serve('tcp', 'menu');
    try {
      const { code, result } = await bench([...server.target, '-c', '2', '-d', '0.5', '--payload', 'text', '--expect', 'any']);
      assert.equal(code, 0, JSON.stringify(result));
      assert.ok(result.msgs > 50, `msgs ${result.msgs}`);
      assert.ok(result.bytesReceived > 0);
      assert.equal(result.missingBytes, 0);
      // Under the default byte-exact check the same server is all wrong.
      const strict = await bench([...server.target, '-c', '1', '-d', '0.5', '--payload', 'text']);
      assert.equal(strict.code, 3);
      assert.ok(strict.result.corruptBytes > 0);
    } finally {
      await server.stop();
    }
  });

  it('--expect none: a discard server is measured without waiting for replies; a server that replies fails it', async () => {
    const discard = await serve('tcp', 'discard');
    try {
      const { code, result } = await bench([...discard.target, '-c', '2', '-d', '0.5', '--expect', 'none']);
      assert.equal(code, 0, JSON.stringify(result));
      assert.ok(result.msgs > 100, `msgs ${result.msgs}`);
      assert.equal(result.bytesReceived, 0);
      assert.equal(result.missingBytes, 0);
    } finally {
      await discard.stop();
    }
    const echo = await serve('tcp', 'echo');
    try {
      const { code, result } = await bench([...echo.target, '-c', '1', '-d', '0.5', '--expect', 'none']);
      assert.equal(code, 3);
      assert.ok(result.corruptBytes > 0 && result.corruptBytes === result.bytesReceived, JSON.stringify(result));
    } finally {
      await echo.stop();
    }
  });

  for (const transport of ['tcp', 'udp'] as const) {
    for (const handler of HANDLER_NAMES) {
      it(`Load Test…'s arguments for the ${handler} handler over ${transport} check what it answers, and pass`, async () => {
        const server = await serve(transport, handler);
        try {
          const args = benchCheckArgs(handler, transport);
          const { code, result } = await bench([...server.target, '-c', '2', '-d', '0.5', ...args]);
          assert.equal(code, 0, JSON.stringify(result));
          assert.ok(result.msgs > 20, `msgs ${result.msgs}`);
          assert.equal(result.corruptBytes, 0);
          assert.equal(result.closedByServer, 0);
          if (handler === 'welcome' && transport === 'tcp') {
            // It greets and closes: each exchange is a connection that read the whole greeting.
            assert.equal(result.expect, 'greeting');
            assert.equal(result.errors, 0, JSON.stringify(result));
            assert.equal(result.bytesReceived, result.bytesVerified);
            assert.ok(result.bytesReceived >= result.msgs * 'Thank you for connecting\n'.length, JSON.stringify(result));
          }
        } finally {
          await server.stop();
        }
      });
    }
  }

  it('--expect greeting: a server that closes without a word fails the check (exit 3); UDP and --fault are refused', async () => {
    const mute = net.createServer((c) => c.end());
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    try {
      const { code, result } = await bench(['tcp', `127.0.0.1:${(mute.address() as net.AddressInfo).port}`, '-c', '1', '-d', '0.5', '--expect', 'greeting']);
      assert.equal(code, 3, JSON.stringify(result));
      assert.equal(result.msgs, 0);
      assert.ok(result.errors > 0);
    } finally {
      mute.close();
    }
    const udp = await runCli(['bench', 'udp', '127.0.0.1:9', '--expect', 'greeting']).exit();
    assert.equal(udp.code, 2);
    assert.match(udp.stderr, /--expect greeting .* tcp or unix/);
    const fault = await runCli(['bench', 'tcp', '127.0.0.1:9', '--expect', 'greeting', '--fault', 'reset']).exit();
    assert.equal(fault.code, 2);
  });

  it('bad --payload / --expect: exit 2 with the choices', async () => {
    const a = await runCli(['bench', 'tcp', '127.0.0.1:9', '--payload', 'utf16']).exit();
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--payload must be binary or text; got "utf16"/);
    const b = await runCli(['bench', 'tcp', '127.0.0.1:9', '--expect', 'lower']).exit();
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--expect must be one of echo, upper, any, none, greeting; got "lower"/);
  });
});

describe('CLI bench --fault half-close: every byte sent before the FIN must be answered', function () {
  this.timeout(30_000);
  // What the preset documents it sends: 5 messages of --size (64) bytes and a 1 MiB block.
  const MESSAGES = 5 * 64;
  const BLOCK = 1024 * 1024;
  const n = (v: number) => v.toLocaleString('en');

  interface HalfClose {
    ok: boolean;
    sent: number;
    received: number;
    expected: number;
    closedByServer: boolean;
    failure?: string;
  }

  async function halfClose(target: string, extra: string[] = []): Promise<{ code: number | null; r: HalfClose; stderr: string }> {
    const { code, stdout, stderr } = await runCli(['bench', 'tcp', target, '--fault', 'half-close', '--json', ...extra]).exit();
    return { code, r: JSON.parse(stdout) as HalfClose, stderr };
  }

  it('a server that answers everything, then closes: pass (exit 0)', async () => {
    const echo = await tcpEcho();
    try {
      const { code, r } = await halfClose(`127.0.0.1:${echo.port}`);
      assert.equal(code, 0, JSON.stringify(r));
      assert.equal(r.ok, true);
      assert.equal(r.sent, MESSAGES + BLOCK);
      assert.equal(r.received, r.sent);
      assert.equal(r.expected, r.sent);
      assert.equal(r.closedByServer, true);
    } finally {
      await echo.close();
    }
  });

  it('the tutorial-style Python upper server, with --payload text --expect upper: pass', async function () {
    const py = await python(this, 'upper');
    try {
      const { code, r } = await halfClose(`127.0.0.1:${py.port}`, ['--payload', 'text', '--expect', 'upper']);
      assert.equal(code, 0, JSON.stringify(r));
      assert.equal(r.received, MESSAGES + BLOCK);
    } finally {
      await py.stop();
    }
  });

  it('a Python line server that drops the unfinished last line at EOF: exit 3, expected vs received in bytes', async function () {
    const py = await python(this, 'lines');
    try {
      const { code, r, stderr } = await halfClose(`127.0.0.1:${py.port}`, ['--payload', 'text']);
      assert.equal(code, 3, JSON.stringify(r));
      assert.equal(r.ok, false);
      assert.equal(r.expected, MESSAGES + BLOCK);
      assert.ok(r.received < r.expected && r.received > 0, JSON.stringify(r));
      assert.match(
        stderr,
        new RegExp(
          `^half-close: FAILED: expected ${n(r.expected)} bytes back after our FIN \\(--expect echo\\), received ${n(r.received)} bytes \\(${n(r.expected - r.received)} bytes short\\); the server closed its side`,
          'm',
        ),
      );
    } finally {
      await py.stop();
    }
  });

  it('a Node server without allowHalfOpen whose replies lag: they are lost after the FIN, exit 3', async () => {
    // allowHalfOpen false: Node ends our reply side as soon as the peer's FIN arrives, so a reply
    // written a moment later is refused (write after end).
    const server = net.createServer((c) => {
      c.on('error', () => c.destroy());
      c.on('data', (d: Buffer) => setTimeout(() => !c.writableEnded && c.write(d), 200));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { code, r, stderr } = await halfClose(`127.0.0.1:${(server.address() as net.AddressInfo).port}`);
      assert.equal(code, 3, JSON.stringify(r));
      assert.ok(r.received < r.expected, JSON.stringify(r));
      assert.match(stderr, new RegExp(`^half-close: FAILED: expected ${n(MESSAGES + BLOCK)} bytes back after our FIN`, 'm'));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('replies that are all there but wrong fail too (an upper-casing server checked as echo)', async () => {
    const server = await serve('tcp', 'upper');
    try {
      const { code, r, stderr } = await halfClose(server.target[1]!, ['--payload', 'text']);
      assert.equal(code, 3, JSON.stringify(r));
      assert.equal(r.received, r.expected);
      assert.match(stderr, new RegExp(`received the ${n(MESSAGES + BLOCK)} bytes expected after our FIN \\(--expect echo\\), but \\d+ of them differ`));
    } finally {
      await server.stop();
    }
  });
});
