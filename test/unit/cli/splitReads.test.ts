import assert from 'node:assert/strict';
import { MENU_GREETING, MENU_OPERATOR, MENU_RETRY } from '../../../src/engine/server/handlers';
import { runCli, serveCli, type CliRun } from '../../support/cli';

// What the README promises about a command split across reads (recvSize 1): our handlers, like
// the tutorials' recv() loops, look at each read alone.

describe('Handlers with a command split across reads (serve --recv-size 1), seen from the client', function () {
  this.timeout(30_000);
  const servers: CliRun[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map((s) => {
        s.child.kill('SIGTERM');
        return s.exit();
      }),
    );
  });

  const talk = async (handler: string, recvSize: string, input: string) => {
    const s = await serveCli(['--handler', handler, '--recv-size', recvSize]);
    servers.push(s.run);
    const c = runCli(['client', 'tcp', `127.0.0.1:${s.port}`]);
    c.child.stdin.end(input);
    return c.exit();
  };

  it('menu: "exit" read a byte at a time is four unknown commands and the connection stays; "0" still works', async () => {
    const { code, stdout } = await talk('menu', '1', '0\nexit\n');
    assert.equal(code, 0);
    // It closed only because our input ended (FIN), after answering e, x, i, t.
    assert.equal(stdout, MENU_GREETING + MENU_OPERATOR + MENU_RETRY.repeat(4));
  });

  it('menu: with whole reads "exit" hangs up', async () => {
    const { code, stdout } = await talk('menu', '1024', '0\nexit\n');
    assert.equal(code, 0);
    assert.equal(stdout, MENU_GREETING + MENU_OPERATOR);
  });

  it('crash-on: a word split across reads is not seen (echoed); in one read it crashes the connection', async () => {
    const split = await talk('crash-on:boom', '1', 'boom\n');
    assert.equal(split.stdout, 'boom\n');
    const whole = await talk('crash-on:boom', '1024', 'boom\nafter\n');
    assert.equal(whole.stdout, '', 'the handler raised before echoing');
    assert.match(whole.stderr, /closed with 1 line of input not sent/);
  });
});
