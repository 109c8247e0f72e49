import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { CLI } from '../../support/cli';
import { ptySessionArgs, startPythonPeer, type PythonPeer } from '../../support/python/peer';

// The client as a VS Code terminal runs it: in a pseudo-terminal (python3's pty), typed at.

function inTerminal(script: ReadonlyArray<readonly ['expect' | 'send', string]>, argv: string[]): Promise<{ code: number; screen: string }> {
  return new Promise((resolve) => {
    execFile('python3', ptySessionArgs(script, [process.execPath, CLI, ...argv]), { timeout: 60_000 }, (err, stdout) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? -1) : 0, screen: stdout });
    });
  });
}

describe('CLI client in a terminal (pty)', function () {
  this.timeout(60_000);
  let menu: PythonPeer;
  beforeEach(async () => (menu = await startPythonPeer('menu_server.py')));
  afterEach(() => menu.stop());

  it('"exit" goes to the server; :eol changes the line end; only :quit leaves', async () => {
    const { code, screen } = await inTerminal(
      [
        ['expect', '>> '],
        ['expect', '请输入1xxx'],
        ['send', 'hello\r'],
        ['expect', "got b'hello\\\\\\\\n'"],
        ['send', ':eol crlf\r'],
        ['expect', 'line end: crlf'],
        ['send', 'hi\r'],
        ['expect', "got b'hi\\\\\\\\r\\\\\\\\n'"],
        ['send', ':eol none\r'],
        ['expect', 'line end: none'],
        ['send', 'exit\r'],
        ['expect', 'goodbye'],
        ['expect', 'connection closed by 127\\.0\\.0\\.1'],
        ['expect', ':reconnect'],
        ['send', ':quit\r'],
      ],
      ['client', 'tcp', `127.0.0.1:${menu.port}`],
    );
    assert.equal(code, 0, screen);
    assert.match(screen, /connected to tcp 127\.0\.0\.1:\d+ .*"exit" too.*:quit or Ctrl\+D closes/);
    // Interactive replies carry their round-trip time.
    assert.match(screen, /goodbye\)\s+\(\d+\.\d+ ms\)/);
  });

  it(':help lists :eol and :lockstep and says exit is sent', async () => {
    const { code, screen } = await inTerminal(
      [
        ['expect', '>> '],
        ['send', ':help\r'],
        ['expect', ':lockstep'],
        ['send', ':q\r'],
      ],
      ['client', 'tcp', `127.0.0.1:${menu.port}`],
    );
    assert.equal(code, 0, screen);
    assert.match(screen, /Every line goes to the server, "exit" too/);
    assert.match(screen, /:eol none\|lf\|crlf/);
  });
});
