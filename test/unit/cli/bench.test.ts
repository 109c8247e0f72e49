import assert from 'node:assert/strict';
import { runCli, serveCli } from '../../support/cli';
import { closedPort, tcpEcho, udpEcho, unixEcho } from '../../support/echoServers';

interface Result {
  mode: string;
  connections: number;
  connected: number;
  msgs: number;
  msgsPerS: number;
  bytesSent: number;
  bytesVerified: number;
  corruptBytes: number;
  missingBytes: number;
  errors: number;
  latencyUs: { p50: number; p90: number; p99: number; p999: number; max: number };
}

async function bench(args: string[]): Promise<{ code: number | null; result: Result; stderr: string }> {
  const { code, stdout, stderr } = await runCli(['bench', ...args, '--json']).exit();
  return { code, result: JSON.parse(stdout) as Result, stderr };
}

function assertClean(r: Result): void {
  assert.ok(r.msgs > 100, `msgs ${r.msgs}`);
  assert.equal(r.corruptBytes, 0);
  assert.equal(r.missingBytes, 0);
  assert.equal(r.errors, 0);
  assert.equal(r.bytesVerified, r.bytesSent);
  const l = r.latencyUs;
  assert.ok(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, JSON.stringify(l));
}

describe('CLI bench: the load generator', function () {
  this.timeout(30_000);

  it('closed loop against Socket Lab’s own serve: every byte verified', async () => {
    const { run, port } = await serveCli(['--quiet']);
    try {
      const { code, result } = await bench(['tcp', `127.0.0.1:${port}`, '-c', '8', '-d', '1']);
      assert.equal(code, 0);
      assert.equal(result.mode, 'closed');
      assert.equal(result.connected, 8);
      assertClean(result);
    } finally {
      run.child.kill('SIGTERM');
      await run.exit();
    }
  });

  it('open loop at a fixed rate sends that rate, not as fast as it can', async () => {
    const echo = await tcpEcho();
    try {
      const { result } = await bench(['tcp', `127.0.0.1:${echo.port}`, '-c', '4', '-d', '1.5', '--rate', '2000']);
      assert.equal(result.mode, 'open');
      assertClean(result);
      // Counted, not timed: the open loop sends every message its schedule holds, catching up after
      // a stall, so 2000 msgs/s for 1.5 s is 3000 messages of 64 bytes however busy the machine is.
      // As fast as it can would send many times that; a few at the very end may miss the end timer.
      const sent = result.bytesSent / 64;
      assert.ok(sent <= 3000, `sent ${sent} messages, more than the schedule's 3000`);
      assert.ok(sent >= 2850, `sent ${sent} of the schedule's 3000 messages`);
      // Replies counted in the window cannot outnumber what the schedule sent in it.
      assert.ok(result.msgsPerS <= 2000, `rate ${result.msgsPerS}`);
    } finally {
      await echo.close();
    }
  });

  it('large messages arrive in pieces and are still verified', async () => {
    const echo = await tcpEcho();
    try {
      const { result } = await bench(['tcp', `127.0.0.1:${echo.port}`, '-c', '2', '-d', '1', '--size', '200000']);
      assertClean(result);
    } finally {
      await echo.close();
    }
  });

  it('Unix stream sockets', async () => {
    const echo = await unixEcho();
    try {
      const { result } = await bench(['unix', echo.path, '-c', '4', '-d', '1']);
      assertClean(result);
    } finally {
      await echo.close();
    }
  });

  it('UDP, with sequence numbers in each datagram', async () => {
    const echo = await udpEcho();
    try {
      const { result } = await bench(['udp', `127.0.0.1:${echo.port}`, '-c', '4', '-d', '1']);
      assert.ok(result.msgs > 100);
      assert.equal(result.corruptBytes, 0);
    } finally {
      await echo.close();
    }
  });

  it('counts corrupt bytes when the server changes them (upper handler), exit code 3', async () => {
    const { run, port } = await serveCli(['--handler', 'upper', '--quiet']);
    try {
      const { code, result } = await bench(['tcp', `127.0.0.1:${port}`, '-c', '1', '-d', '0.5']);
      assert.equal(code, 3);
      assert.ok(result.corruptBytes > 0);
    } finally {
      run.child.kill('SIGTERM');
      await run.exit();
    }
  });

  it('nothing listening: the refusal, exit code 1', async () => {
    const port = await closedPort();
    const { code, stderr } = await runCli(['bench', 'tcp', `127.0.0.1:${port}`, '-d', '1']).exit();
    assert.equal(code, 1);
    assert.equal(stderr.trim(), `connection refused (ECONNREFUSED) 127.0.0.1:${port}`);
  });

  it('numbers out of range are refused with the range named (exit 2), not run with a warning', async () => {
    const port = await closedPort();
    for (const [args, message] of [
      [['--warmup', '3000000'], /--warmup must be 0 to 86400 seconds; got "3000000"/],
      [['--warmup', 'Infinity'], /--warmup must be 0 to 86400 seconds; got "Infinity"/],
      [['-d', '86401'], /-d must be a positive number up to 86400; got "86401"/],
      [['--rate', '1e12'], /--rate must be a positive number up to 10000000; got "1e12"/],
      [['-c', '0'], /-c must be a positive whole number up to 100000; got "0"/],
      [['--size', '1.5'], /--size must be a positive whole number up to 67108864; got "1.5"/],
    ] as const) {
      const r = await runCli(['bench', 'tcp', `127.0.0.1:${port}`, ...args]).exit();
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /Warning/);
    }
  });

  it('human output names throughput, percentiles and verification', async () => {
    const echo = await tcpEcho();
    try {
      const { code, stdout } = await runCli(['bench', 'tcp', `127.0.0.1:${echo.port}`, '-c', '2', '-d', '0.5']).exit();
      assert.equal(code, 0);
      assert.match(stdout, /^result: [\d,]+ msgs\/s/m);
      assert.match(stdout, /^latency: p50 .* · p90 .* · p99 .* · p99\.9 .* · max /m);
      assert.match(stdout, /verified, 0 corrupt, 0 missing$/m);
    } finally {
      await echo.close();
    }
  });
});

describe('CLI bench --fault presets (against Socket Lab’s serve)', function () {
  this.timeout(30_000);
  let run: Awaited<ReturnType<typeof serveCli>>['run'];
  let port: number;
  before(async () => ({ run, port } = await serveCli(['--quiet'])));
  after(async () => {
    run.child.kill('SIGTERM');
    await run.exit();
  });

  async function fault(name: string, extra: string[] = []): Promise<Record<string, unknown>> {
    const { code, stdout } = await runCli(['bench', 'tcp', `127.0.0.1:${port}`, '--fault', name, '--json', ...extra]).exit();
    assert.equal(code, 0, stdout);
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  it('garbage: 1 MiB of random bytes echoed identically', async () => {
    const r = await fault('garbage');
    assert.equal(r.identical, true);
  });

  it('huge: one 64 MiB write echoed completely', async () => {
    const r = await fault('huge');
    assert.equal(r.received, 64 * 1024 * 1024);
    assert.equal(r.identical, true);
  });

  it('half-close: every byte sent before the FIN is answered, then the server closes its side', async () => {
    const r = await fault('half-close');
    assert.equal(r.ok, true);
    assert.equal(r.closedByServer, true);
    assert.ok((r.received as number) > 1024 * 1024);
    assert.equal(r.received, r.expected);
  });

  it('reset: the server still accepts connections afterwards', async () => {
    assert.equal((await fault('reset')).stillAccepting, true);
  });

  it('never-read: the server stops reading (back-pressure) instead of buffering without bound', async () => {
    const r = await fault('never-read', ['-d', '3']);
    assert.equal(r.stalled, true);
    assert.ok((r.acceptedBytes as number) < 256 * 1024 * 1024, `accepted ${r.acceptedBytes}`);
  });

  it('slowloris: one byte a second is echoed and the connection stays open (no idle timeout by default)', async () => {
    const r = await fault('slowloris', ['-d', '2']);
    assert.equal(r.sent, 2);
    assert.equal(r.echoed, 2);
    assert.equal(r.closedByServer, false);
  });

  it('connect-storm: 300 simultaneous connects all get their echo', async () => {
    const r = await fault('connect-storm', ['-c', '300']);
    assert.equal(r.completed, 300);
  });
});
