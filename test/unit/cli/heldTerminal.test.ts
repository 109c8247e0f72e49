import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { CLI, runCli } from '../../support/cli';
import { ptySessionArgs } from '../../support/python/peer';

// The CLI in a terminal the extension opened (SOCKET_LAB_TERMINAL=1, a pseudo-terminal as VS
// Code gives it): whatever ends it, its own words stay on screen until a key is pressed, and it
// exits 0, so VS Code adds no "terminal process terminated with exit code" popup of its own.

type Step = readonly ['expect' | 'send', string];

function inExtensionTerminal(script: readonly Step[], argv: string[], env: NodeJS.ProcessEnv = { SOCKET_LAB_TERMINAL: '1' }): Promise<{ code: number; screen: string }> {
  return new Promise((resolve) => {
    execFile('python3', ptySessionArgs(script, [process.execPath, CLI, ...argv]), { timeout: 60_000, env: { ...process.env, ...env } }, (err, stdout) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, screen: stdout });
    });
  });
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function serve(handler: string): Promise<{ port: number; stop(): Promise<void> }> {
  const run = runCli(['serve', 'tcp', '--handler', handler, '--quiet']);
  const line = await run.line(/^listening /);
  return {
    port: Number(/:(\d+)$/.exec(line)![1]),
    async stop() {
      run.child.kill('SIGTERM');
      await run.exit();
    },
  };
}

describe('CLI in a terminal the extension opened: errors stay on screen until a key, exit 0', function () {
  this.timeout(60_000);

  it('client to a closed port: "connection refused" stays until a key is pressed, then exit 0', async () => {
    const port = await closedPort();
    const { code, screen } = await inExtensionTerminal(
      [
        ['expect', `connection refused \\(ECONNREFUSED\\) 127\\.0\\.0\\.1:${port}: nothing accepts connections there`],
        ['expect', 'press any key to close this terminal'],
        ['send', 'x'],
      ],
      ['client', 'tcp', `127.0.0.1:${port}`],
    );
    assert.equal(code, 0, screen);
  });

  it('the same client in a terminal of its own (not the extension’s) exits 1 at once, as scripts expect', async () => {
    const port = await closedPort();
    const { code, screen } = await inExtensionTerminal([['expect', 'connection refused']], ['client', 'tcp', `127.0.0.1:${port}`], {});
    assert.equal(code, 1, screen);
    assert.doesNotMatch(screen, /press any key/);
  });

  it('a client that ends with an error after :quit still exits 0 (no VS Code popup); the error was shown', async () => {
    const server = net.createServer((c) => c.on('data', () => c.resetAndDestroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const { code, screen } = await inExtensionTerminal(
        [
          ['expect', '>> '],
          ['send', 'boom\r'],
          ['expect', 'ECONNRESET'],
          ['expect', ':reconnect'],
          ['send', ':quit\r'],
        ],
        ['client', 'tcp', `127.0.0.1:${port}`],
      );
      assert.equal(code, 0, screen);
    } finally {
      server.close();
    }
  });

  it('bench --hold whose check fails (an upper server checked as echo): the result, then a key, then exit 0', async () => {
    const upper = await serve('upper');
    try {
      const { code, screen } = await inExtensionTerminal(
        [
          ['expect', 'result: '],
          ['expect', 'press any key to close this terminal'],
          ['send', ' '],
        ],
        ['bench', 'tcp', `127.0.0.1:${upper.port}`, '-c', '1', '-d', '0.5', '--payload', 'text', '--hold'],
      );
      assert.equal(code, 0, screen);
      assert.match(screen, /[1-9][\d,]* corrupt/);
    } finally {
      await upper.stop();
    }
  });

  it('bad arguments: the usage error stays until a key, then exit 0', async () => {
    const { code, screen } = await inExtensionTerminal(
      [
        ['expect', 'error: client: transport must be tcp, udp or unix'],
        ['expect', 'press any key to close this terminal'],
        ['send', 'q'],
      ],
      ['client', 'sctp', '127.0.0.1:9'],
    );
    assert.equal(code, 0, screen);
  });
});
