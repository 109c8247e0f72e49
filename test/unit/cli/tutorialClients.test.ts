import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { CLI, runCli } from '../../support/cli';
import { startPythonPeer, type PythonPeer } from '../../support/python/peer';

// The tutorials' own servers (test/support/python), run as real python3 processes: the client
// must talk to them the way their own clients do, and lose nothing when scripted.

const GREETING = '欢迎致电10086,请输入1xxx,0转人工服务.';
const OPERATOR = '通过可能会被录音.balabala一大推';
const GOODBYE = '再见 (goodbye)';
const retry = (got: string) => `请重新输入. got ${got}`;

describe("CLI client, scripted, against the tutorials' Python servers", function () {
  this.timeout(60_000);
  const peers: PythonPeer[] = [];
  const peer = async (program: string, args: string[] = []) => {
    const p = await startPythonPeer(program, args);
    peers.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.stop()));
  });

  it('menu server (recv() == b"0" / b"exit"): with --eol none each piped line is one recv(), every reply in order', async () => {
    const menu = await peer('menu_server.py');
    const c = runCli(['client', 'tcp', `127.0.0.1:${menu.port}`, '--eol', 'none']);
    c.child.stdin.end('hello\n0\nwhat\nexit\n');
    const { code, stdout, stderr } = await c.exit();
    assert.equal(stderr, '');
    assert.equal(code, 0);
    // The server quotes each recv(): two lines in one recv() would show as b'hello0'.
    assert.equal(stdout, GREETING + retry("b'hello'") + OPERATOR + retry("b'what'") + GOODBYE);
  });

  it('"exit" goes to the server: with \\n it is not the tutorial\'s b"exit"; after :eol none it is, and the server hangs up', async () => {
    const menu = await peer('menu_server.py');
    const c = runCli(['client', 'tcp', `127.0.0.1:${menu.port}`]);
    c.child.stdin.end('exit\n:eol none\nexit\n');
    const { code, stdout, stderr } = await c.exit();
    assert.equal(code, 0);
    // Python's repr shows the newline as \n; the client shows a received backslash as \\.
    assert.equal(stdout, GREETING + retry("b'exit\\\\n'") + GOODBYE);
    assert.match(stderr, /^line end: none/m);
  });

  it('says how many piped lines were not sent when the server hangs up first', async () => {
    const menu = await peer('menu_server.py');
    const c = runCli(['client', 'tcp', `127.0.0.1:${menu.port}`, '--eol', 'none']);
    c.child.stdin.end('exit\nnever\nsent\n');
    const { code, stdout, stderr } = await c.exit();
    assert.equal(code, 0);
    assert.equal(stdout, GREETING + GOODBYE);
    assert.match(stderr, new RegExp(`connection to 127\\.0\\.0\\.1:${menu.port} closed with 2 lines of input not sent`));
  });

  it('upper server (decode().upper()): UTF-8 lines come back upper-cased, one reply per line', async () => {
    const upper = await peer('upper_server.py');
    const c = runCli(['client', 'tcp', `127.0.0.1:${upper.port}`]);
    c.child.stdin.end('héllo wörld\nsocket lab\n');
    const { code, stdout } = await c.exit();
    assert.equal(code, 0);
    assert.equal(stdout, 'HÉLLO WÖRLD\nSOCKET LAB\n');
  });

  it('welcome server: \\r\\n line ends (one split between two sends) print as line ends, no \\r', async () => {
    const welcome = await peer('welcome_server.py');
    const c = runCli(['client', 'tcp', `127.0.0.1:${welcome.port}`]);
    c.child.stdin.end();
    const { code, stdout } = await c.exit();
    assert.equal(code, 0);
    assert.equal(stdout, 'Welcome to the lab\nYou are connected\nBye\n');
  });

  it('UDP upper server: every piped line is answered, in lockstep and without it', async () => {
    const udp = await peer('udp_upper_server.py');
    // Streamed, the replies come after the input ended: the wait after the last datagram keeps them
    // (a generous one: the machine may be busy).
    for (const flags of [[], ['--no-lockstep', '--wait', '2']]) {
      const c = runCli(['client', 'udp', `127.0.0.1:${udp.port}`, ...flags]);
      c.child.stdin.end('one\ntwo\nthree\n');
      const { code, stdout, stderr } = await c.exit();
      assert.equal(code, 0, stderr);
      assert.equal(stderr, '', flags.join(' '));
      // Without lockstep the three datagrams leave at once; loopback keeps their order.
      assert.equal(stdout, 'ONE\nTWO\nTHREE\n', flags.join(' '));
    }
  });

  it('UDP to a closed port: ICMP port unreachable is reported as ECONNREFUSED, exit 1', async () => {
    const port = await closedUdpPort();
    const c = runCli(['client', 'udp', `127.0.0.1:${port}`]);
    c.child.stdin.end('anyone?\nhello?\n');
    const { code, stdout, stderr } = await c.exit();
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`connection refused \\(ECONNREFUSED\\) 127\\.0\\.0\\.1:${port}: nothing listens on that UDP port`));
  });

  it('UDP to a server that never answers: waits --wait after the last datagram, then says no reply came (exit 0)', async () => {
    const silent = dgram.createSocket('udp4');
    let received = 0;
    silent.on('message', () => received++);
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    try {
      const started = performance.now();
      const c = runCli(['client', 'udp', `127.0.0.1:${silent.address().port}`, '--no-lockstep', '--wait', '0.5']);
      c.child.stdin.end('a\nb\n');
      const { code, stderr } = await c.exit();
      assert.equal(code, 0);
      assert.match(stderr, new RegExp(`^no reply from 127\\.0\\.0\\.1:${silent.address().port} \\(waited 0\\.5 s after the last datagram`));
      assert.ok(performance.now() - started >= 500, 'it waited');
      assert.equal(received, 2);
    } finally {
      silent.close();
    }
  });

  it('TCP: after the input ends (FIN) a server answering 8 lines 0.5 s apart is printed until it closes', async () => {
    const slow = await peer('slow_lines_server.py', ['8', '0.5']);
    const c = runCli(['client', 'tcp', `127.0.0.1:${slow.port}`]);
    c.child.stdin.end('request\n');
    const { code, stdout, stderr } = await c.exit();
    assert.equal(code, 0);
    assert.equal(stderr, '');
    // The server read our whole input (8 bytes) before its first line: it saw our FIN.
    assert.deepEqual(
      stdout.trimEnd().split('\n'),
      Array.from({ length: 8 }, (_, i) => `line ${i + 1} of 8 after 8 bytes`),
    );
  });

  it("TCP: a --wait shorter than the server's silences cuts, and says so on stderr", async () => {
    const slow = await peer('slow_lines_server.py', ['8', '0.5']);
    const c = runCli(['client', 'tcp', `127.0.0.1:${slow.port}`, '--wait', '0.2']);
    c.child.stdin.end('request\n');
    const { code, stdout, stderr } = await c.exit();
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n').filter(Boolean);
    assert.ok(lines.length < 8, `cut before the end: ${lines.length} lines`);
    assert.match(stderr, new RegExp(`stopped waiting: nothing arrived for 0\\.2 s after the input ended, and 127\\.0\\.0\\.1:${slow.port} had not closed the connection`));
  });

  it('TCP: a 64 MB reply sent after the input ended arrives whole (count and SHA-256), through a pipe', async () => {
    const size = 64 * 1024 * 1024;
    const bulk = await peer('bulk_server.py', [String(size)]);
    const pattern = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ\n');
    const expected = createHash('sha256');
    for (let left = size; left > 0; left -= pattern.length) expected.update(pattern.subarray(0, Math.min(left, pattern.length)));
    const child = spawn(process.execPath, [CLI, 'client', 'tcp', `127.0.0.1:${bulk.port}`], { stdio: 'pipe' });
    const got = createHash('sha256');
    let bytes = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      bytes += d.length;
      got.update(d);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end('send it all\n');
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const seconds = (performance.now() - started) / 1000;
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(bytes, size);
    assert.equal(got.digest('hex'), expected.digest('hex'));
    console.log(`      64 MB reply through the client in ${seconds.toFixed(2)} s (${(size / 1048576 / seconds).toFixed(0)} MB/s)`);
  });
});

/** A UDP port nothing is bound to right now. */
async function closedUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
