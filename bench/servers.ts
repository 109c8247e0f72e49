// Servers in five models, in one run, against Python's socketserver and raw Node:
//  1. thread-per-connection: closed-loop echo throughput and latency at 10 and 100 connections
//     (C load generator) vs Python's ThreadingTCPServer, with the C epoll echo as the ceiling;
//  2. process-per-connection: "connect + first echo" latency vs a raw Node pre-forked
//     child.send('socket', sock) server and Python's ForkingTCPServer;
//  3. 500 simultaneous connects to each of the five models, with default options;
//  4. server RSS per idle connection at 10,000 connections: event-loop vs a plain Node net echo.
// Usage: node --import tsx bench/servers.ts [--quick] [--seconds S --rounds R --warmup W10,W100
//        --samples N --burst N --burst-timeout S --idle N --mem-rounds R]
import { execFile, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { compileC, machine, median, root, startServer, type RunningServer } from './support';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    samples: { type: 'string' },
    burst: { type: 'string' },
    'burst-timeout': { type: 'string' },
    idle: { type: 'string' },
    'mem-rounds': { type: 'string' },
    'burst-runs': { type: 'string' },
    sections: { type: 'string', default: '1,2,3,4' },
  },
});
const quick = values.quick;
/** Measured seconds per echo run. */
const seconds = Number(values.seconds ?? (quick ? 1 : 3));
const rounds = Number(values.rounds ?? (quick ? 2 : 3));
/** Warm-up seconds (discarded) at 10 and at 100 connections: the same for every server. */
const [warm10, warm100] = (values.warmup ?? (quick ? '0.5,3' : '2,5')).split(',').map(Number) as [number, number];
/** Sequential connect + first echo samples per server (section 2). */
const samples = Number(values.samples ?? (quick ? 100 : 200));
const burstConns = Number(values.burst ?? 500);
const burstTimeoutS = Number(values['burst-timeout'] ?? (quick ? 20 : 30));
/** Runs of the burst for the two models whose target is "no connection waits over 1 s, in every run". */
const burstRuns = Number(values['burst-runs'] ?? 4);
const BURST_TARGET_MODELS = new Set<string>(['thread-per-connection', 'process-per-connection']);
const idleConns = Number(values.idle ?? 10_000);
const memRounds = Number(values['mem-rounds'] ?? (quick ? 1 : 2));
const sections = new Set(values.sections.split(',').map(Number));

const cli = path.join(root, 'dist', 'cli.js');
const ref = (f: string) => path.join(__dirname, 'ref', f);
const MODELS = ['iterative', 'event-loop', 'thread-per-connection', 'process-per-connection', 'thread-pool'] as const;
const MSG = 64;

// ---------------------------------------------------------------- process bookkeeping

const live = new Set<RunningServer>();
const helpers = new Set<ChildProcess>();

/** Every descendant pid of `pid` (children forked by a server), from /proc. */
function descendants(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const k of kids.get(p) ?? []) {
      out.push(k);
      walk(k);
    }
  };
  walk(pid);
  return out;
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Alive, not a zombie, and still the same program (pids are reused). */
function runningAs(pid: number, cmd: string): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z' && cmdline(pid) === cmd;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves to { t: 'timeout' } after ms without keeping the process alive. */
const giveUp = (ms: number) => new Promise<Record<string, unknown>>((r) => setTimeout(() => r({ t: 'timeout' }), ms).unref());

let stopping = false;
const starting = new Set<Promise<RunningServer>>();

async function start(name: string, command: string, args: string[]): Promise<RunningServer> {
  if (stopping) throw new Error('interrupted');
  const p = startServer(name, command, args);
  starting.add(p);
  try {
    const s = await p;
    live.add(s);
    if (stopping) throw new Error('interrupted');
    return s;
  } finally {
    starting.delete(p);
  }
}

/** SIGTERM, then SIGKILL after 10 s; then SIGKILL whatever it had forked that is still alive. */
async function stop(s: RunningServer): Promise<{ cleanMs: number | null }> {
  live.delete(s);
  const family = descendants(s.child.pid!).map((pid) => ({ pid, cmd: cmdline(pid) }));
  const t0 = performance.now();
  let clean = true;
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const timer = setTimeout(() => {
      clean = false;
      s.child.kill('SIGKILL');
    }, 10_000);
    await s.stop();
    clearTimeout(timer);
  }
  const cleanMs = clean ? performance.now() - t0 : null;
  for (const { pid, cmd } of family) {
    // A child may be on its way out; a zombie (state Z) has exited and waits for its reaper.
    for (let i = 0; i < 10 && runningAs(pid, cmd); i++) await sleep(50);
    if (!runningAs(pid, cmd)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      console.log(`  note: ${s.name} left pid ${pid} (${cmd.replace(/\0/g, ' ').trim()}) running after it exited; killed it`);
    } catch {
      // exited
    }
  }
  return { cleanMs };
}

async function stopEverything(): Promise<void> {
  stopping = true;
  await Promise.allSettled([...starting]);
  for (const h of helpers) h.kill('SIGKILL');
  await Promise.all([...live].map((s) => stop(s)));
}

// ---------------------------------------------------------------- small helpers

function quantile(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const k = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} k` : n.toFixed(0));
const us = (v: number) => Math.round(v).toLocaleString('en-US');
const x = (r: number) => `${r.toFixed(2)}×`;
const list = (rs: number[]) => rs.map((r) => r.toFixed(2)).join(', ');
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
const rotate = <T>(xs: readonly T[], r: number): T[] => xs.map((_, i) => xs[(i + r) % xs.length]!);

function ourServer(model: string, extra: string[] = []): Promise<RunningServer> {
  return start(`socket-lab ${model}`, process.execPath, [cli, 'serve', 'tcp', '--model', model, '--handler', 'echo', '--port', '0', '--quiet', ...extra]);
}

// ---------------------------------------------------------------- 1. thread-per-connection throughput

interface EchoRun {
  readonly msgs_per_s: number;
  readonly p50_us: number;
  readonly p99_us: number;
  readonly errors: number;
  readonly bad_bytes: number;
}

/** Runs the C load generator (asynchronously, so a signal can stop the run). */
function echoRun(client: string, port: number, conns: number, warmup: number): Promise<EchoRun> {
  const args = ['127.0.0.1', String(port), String(conns), String(seconds), String(MSG), String(warmup)];
  return new Promise((resolve, reject) => {
    const child = execFile(client, args, { encoding: 'utf8', timeout: (seconds + warmup + 60) * 1000 }, (err, stdout) => {
      helpers.delete(child);
      // Exit status 1 means errors or corrupt bytes; the JSON line is still on stdout.
      if (stdout.trim()) resolve(JSON.parse(stdout) as EchoRun);
      else reject(err ?? new Error('the load generator printed nothing'));
    });
    helpers.add(child);
  });
}

interface ThroughputRow {
  conns: number;
  ours: { msgsPerS: number; p50Us: number; p99Us: number; errors: number; badBytes: number };
  python: { msgsPerS: number; p50Us: number; p99Us: number; errors: number; badBytes: number };
  c: { msgsPerS: number; p50Us: number; p99Us: number; errors: number; badBytes: number };
  oursOverPython: number;
  oursOverPythonPerRound: number[];
  oursOverC: number;
  pythonOverC: number;
  target: number;
  met: boolean;
}

async function threadPerConnection(): Promise<ThroughputRow[]> {
  const client = compileC('echo_client');
  console.log(
    `\n## 1. thread-per-connection: closed-loop echo, ${MSG}-byte messages, C load generator; ${rounds} rounds × ${seconds} s measured after a discarded warm-up (${warm10} s at 10 connections, ${warm100} s at 100; the same for every server), server order rotated each round`,
  );
  const servers = [
    await ourServer('thread-per-connection', ['--max-threads', '100']),
    await start('python ThreadingTCPServer', 'python3', [ref('py-threading-echo.py')]),
    await start('C epoll', compileC('echo_server'), []),
  ];
  const [ours, py, c] = servers as [RunningServer, RunningServer, RunningServer];
  const rows: ThroughputRow[] = [];
  try {
    for (const [conns, warmup, target] of [
      [10, warm10, 0.5],
      [100, warm100, 1.0],
    ] as const) {
      const runs = new Map<RunningServer, EchoRun[]>(servers.map((s) => [s, []]));
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const got = new Map<RunningServer, EchoRun>();
        for (const s of rotate(servers, r)) {
          if (stopping) throw new Error('interrupted');
          const res = await echoRun(client, s.port, conns, warmup);
          runs.get(s)!.push(res);
          got.set(s, res);
          if (res.errors || res.bad_bytes) console.log(`  ${s.name}, ${conns} connections, round ${r + 1}: ${res.errors} socket errors, ${res.bad_bytes} wrong bytes`);
        }
        ratios.push(got.get(ours)!.msgs_per_s / got.get(py)!.msgs_per_s);
      }
      const sum = (s: RunningServer) => {
        const rs = runs.get(s)!;
        return {
          msgsPerS: median(rs.map((q) => q.msgs_per_s)),
          p50Us: median(rs.map((q) => q.p50_us)),
          p99Us: median(rs.map((q) => q.p99_us)),
          errors: rs.reduce((a, q) => a + q.errors, 0),
          badBytes: rs.reduce((a, q) => a + q.bad_bytes, 0),
        };
      };
      const o = sum(ours);
      const p = sum(py);
      const cc = sum(c);
      const row: ThroughputRow = {
        conns,
        ours: o,
        python: p,
        c: cc,
        oursOverPython: median(ratios),
        oursOverPythonPerRound: ratios,
        oursOverC: o.msgsPerS / cc.msgsPerS,
        pythonOverC: p.msgsPerS / cc.msgsPerS,
        target,
        met: median(ratios) >= target,
      };
      rows.push(row);
      console.log(
        `${conns} connections: ours ${k(o.msgsPerS)} msgs/s (p50 ${us(o.p50Us)} µs, p99 ${us(o.p99Us)} µs); Python ${k(p.msgsPerS)} msgs/s (p50 ${us(p.p50Us)} µs, p99 ${us(p.p99Us)} µs); C epoll ${k(cc.msgsPerS)} msgs/s (p50 ${us(cc.p50Us)} µs, p99 ${us(cc.p99Us)} µs)`,
      );
      console.log(
        `  ours / Python ${x(row.oursOverPython)} (per round ${list(ratios)}) — target ≥ ${target.toFixed(1)}×: ${met(row.met)}; ours / C ${x(row.oursOverC)}, Python / C ${x(row.pythonOverC)}`,
      );
    }
  } finally {
    for (const s of servers) await stop(s);
  }
  console.log('\n| conns | ours msgs/s (p50 / p99 µs) | Python ThreadingTCPServer msgs/s (p50 / p99 µs) | C epoll msgs/s (p50 / p99 µs) | ours / Python (median; per round) | target |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.conns} | ${k(r.ours.msgsPerS)} (${us(r.ours.p50Us)} / ${us(r.ours.p99Us)}) | ${k(r.python.msgsPerS)} (${us(r.python.p50Us)} / ${us(r.python.p99Us)}) | ${k(r.c.msgsPerS)} (${us(r.c.p50Us)} / ${us(r.c.p99Us)}) | **${x(r.oursOverPython)}** (${list(r.oursOverPythonPerRound)}) | ≥ ${r.target.toFixed(1)}×: ${met(r.met)} |`,
    );
  }
  return rows;
}

// ---------------------------------------------------------------- 2. process-per-connection latency

const payload = Buffer.alloc(MSG, 0);
for (let i = 0; i < MSG; i++) payload[i] = (i * 7 + 13) & 0xff;

/** Connect, send 64 bytes, wait for the echo (µs from connect start), close and wait for the close. */
function connectEcho(port: number, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let t1 = 0n;
    const chunks: Buffer[] = [];
    let got = 0;
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no echo within ${timeoutMs} ms (${got} bytes back)`));
    }, timeoutMs);
    s.on('connect', () => s.write(payload));
    s.on('data', (d) => {
      chunks.push(d);
      got += d.length;
      if (got >= MSG && !t1) {
        t1 = process.hrtime.bigint();
        if (!Buffer.concat(chunks).equals(payload)) {
          clearTimeout(timer);
          s.destroy();
          reject(new Error('wrong echo'));
          return;
        }
        s.end();
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      if (t1) resolve(Number(t1 - t0) / 1000);
      else reject(new Error(`closed after ${got} bytes, before the echo`));
    });
  });
}

interface LatencyFigures {
  samples: number;
  failures: string[];
  p50Us: Record<string, number>;
  p90Us: Record<string, number>;
  oursOverNode: number;
  oursOverNodePerRound: number[];
  oursOverPython: number;
  oursOverPythonPerRound: number[];
  target: string;
  met: boolean;
}

async function processPerConnection(): Promise<LatencyFigures> {
  const latRounds = Math.max(rounds, 4);
  const per = Math.ceil(samples / latRounds);
  console.log(
    `\n## 2. process-per-connection: connect + first echo (connect, send ${MSG} bytes, echo received; then close), sequential, ${per * latRounds} samples per server in ${latRounds} rounds of ${per}, servers interleaved sample by sample in rotating order, after 10 discarded per server`,
  );
  const servers = [
    await ourServer('process-per-connection'),
    await start('raw Node fork + send(socket)', process.execPath, [ref('node-fork-echo.js')]),
    await start('python ForkingTCPServer', 'python3', [ref('py-forking-echo.py')]),
    // The floor: the same client against a C epoll echo (no process hand-off at all).
    await start('C epoll (floor)', compileC('echo_server'), []),
  ];
  const [ours, node, py] = servers as [RunningServer, RunningServer, RunningServer, RunningServer];
  const lat = new Map<RunningServer, number[]>(servers.map((s) => [s, []]));
  const r1: number[] = [];
  const r2: number[] = [];
  const failures: string[] = [];
  const sample = async (s: RunningServer, into?: number[]) => {
    try {
      const us = await connectEcho(s.port);
      into?.push(us);
    } catch (err) {
      failures.push(`${s.name}: ${err instanceof Error ? err.message : String(err)}`);
      if (failures.length > 20) throw new Error(`too many failed samples: ${failures.slice(0, 5).join('; ')}`);
    }
  };
  try {
    await sleep(1000); // spares up
    for (const s of servers) for (let i = 0; i < 10; i++) await sample(s);
    for (let r = 0; r < latRounds; r++) {
      // Interleaved sample by sample (the order rotating each time), so drift hits all alike.
      const xs = new Map<RunningServer, number[]>(servers.map((s) => [s, []]));
      for (let i = 0; i < per; i++) for (const s of rotate(servers, r + i)) await sample(s, xs.get(s));
      for (const s of servers) lat.get(s)!.push(...xs.get(s)!);
      const p50 = (s: RunningServer) => median(xs.get(s)!);
      r1.push(p50(ours) / p50(node));
      r2.push(p50(ours) / p50(py));
    }
  } finally {
    for (const s of servers) await stop(s);
  }
  for (const fl of failures) console.log(`  failed sample: ${fl}`);
  const f: LatencyFigures = {
    samples: per * latRounds,
    failures,
    p50Us: Object.fromEntries(servers.map((s) => [s.name, median(lat.get(s)!)])),
    p90Us: Object.fromEntries(servers.map((s) => [s.name, quantile(lat.get(s)!, 0.9)])),
    oursOverNode: median(r1),
    oursOverNodePerRound: r1,
    oursOverPython: median(r2),
    oursOverPythonPerRound: r2,
    target: 'ours p50 ≤ 1 ms',
    met: median(lat.get(ours)!) <= 1000,
  };
  console.log('\n| server | p50 | p90 |\n|---|---|---|');
  for (const s of servers) console.log(`| ${s.name} | ${(f.p50Us[s.name]! / 1000).toFixed(2)} ms | ${(f.p90Us[s.name]! / 1000).toFixed(2)} ms |`);
  console.log(`ours p50 ${(f.p50Us[ours.name]! / 1000).toFixed(2)} ms — target ≤ 1 ms: ${met(f.met)}`);
  console.log(`ours / raw Node (p50 per round): ${x(f.oursOverNode)} (${list(r1)}); ours / Python ForkingTCPServer: ${x(f.oursOverPython)} (${list(r2)})`);
  return f;
}

// ---------------------------------------------------------------- 3. 500 simultaneous connects

interface BurstResult {
  model: string;
  run: number;
  allCompleted: boolean;
  completed: number;
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  over1s: number;
  notAnswered: number;
  errors: Record<string, number>;
  stopMs: number | null;
}

/** Opens n connections at once; each sends 64 bytes, waits for the echo, closes. */
function burst(port: number, n: number, timeoutMs: number): Promise<{ times: number[]; errors: Record<string, number>; pending: number }> {
  return new Promise((resolve) => {
    const times: number[] = [];
    const errors: Record<string, number> = {};
    const sockets = new Set<net.Socket>();
    let settled = 0;
    const count = (code: string) => (errors[code] = (errors[code] ?? 0) + 1);
    const finish = () => {
      clearTimeout(timer);
      const pending = sockets.size;
      for (const s of sockets) s.destroy();
      resolve({ times, errors, pending });
    };
    const timer = setTimeout(finish, timeoutMs);
    const settle = (s: net.Socket) => {
      if (!sockets.delete(s)) return;
      if (++settled === n) finish();
    };
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
      sockets.add(s);
      const chunks: Buffer[] = [];
      let got = 0;
      s.on('connect', () => s.write(payload));
      s.on('data', (d) => {
        chunks.push(d);
        got += d.length;
        if (got < MSG) return;
        if (Buffer.concat(chunks).equals(payload)) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        else count('wrong echo');
        s.end();
        settle(s);
      });
      s.on('error', (e: NodeJS.ErrnoException) => {
        if (sockets.has(s)) count(e.code ?? e.message);
        settle(s);
      });
      s.on('close', () => {
        if (sockets.has(s)) count('closed before the echo');
        settle(s);
      });
    }
  });
}

async function simultaneous(): Promise<BurstResult[]> {
  console.log(
    `\n## 3. ${burstConns} simultaneous connects per model (default options: backlog 511, max-threads 100, pool-size 4, max-children 40, spares 2); each sends ${MSG} bytes, waits for the echo, closes; gives up after ${burstTimeoutS} s`,
  );
  const out: BurstResult[] = [];
  for (const model of MODELS) {
    const runs = BURST_TARGET_MODELS.has(model) ? burstRuns : 1;
    for (let run = 1; run <= runs; run++) {
      const s = await ourServer(model);
      let res: Awaited<ReturnType<typeof burst>>;
      let stopMs: number | null = null;
      try {
        await sleep(1000); // spares up, as a server that has been listening a while
        res = await burst(s.port, burstConns, burstTimeoutS * 1000);
      } finally {
        stopMs = (await stop(s)).cleanMs;
      }
      const t = res.times;
      const r: BurstResult = {
        model,
        run,
        allCompleted: t.length === burstConns,
        completed: t.length,
        maxMs: t.length ? Math.max(...t) : NaN,
        p99Ms: quantile(t, 0.99),
        p50Ms: median(t.length ? t : [NaN]),
        over1s: t.filter((v) => v > 1000).length,
        notAnswered: res.pending,
        errors: res.errors,
        stopMs,
      };
      out.push(r);
      const errs = Object.entries(r.errors)
        .map(([c, v]) => `${v}× ${c}`)
        .join(', ');
      console.log(
        `${model}${runs > 1 ? ` run ${run}/${runs}` : ''}: ${r.completed}/${burstConns} echoed${r.notAnswered ? `, ${r.notAnswered} still waiting at ${burstTimeoutS} s` : ''}${errs ? `, errors: ${errs}` : ''}; p50 ${r.p50Ms.toFixed(0)} ms, p99 ${r.p99Ms.toFixed(0)} ms, max ${r.maxMs.toFixed(0)} ms; ${r.over1s} waited over 1 s; SIGTERM → exit ${stopMs === null ? 'needed SIGKILL after 10 s' : `${stopMs.toFixed(0)} ms`}`,
      );
    }
    if (runs > 1) {
      const mine = out.filter((r) => r.model === model);
      const good = mine.filter((r) => r.allCompleted && r.over1s === 0).length;
      console.log(`${model}: no connection waited over 1 s in ${good} of ${runs} runs — target ${runs} of ${runs}: ${met(good === runs)}`);
    }
  }
  console.log('(iterative serves one connection at a time by design: Node accepts at once and the others wait unread in its own queue, which holds up to backlog (511) connections.)');
  console.log(`\n| model | run | all ${burstConns} echoed | echoed | p50 | p99 | max | waited > 1 s | not answered / errors |\n|---|---|---|---|---|---|---|---|---|`);
  for (const r of out) {
    const errs = Object.entries(r.errors)
      .map(([c, v]) => `${v}× ${c}`)
      .join(', ');
    console.log(
      `| ${r.model} | ${r.run} | ${r.allCompleted ? 'yes' : 'no'} | ${r.completed} | ${r.p50Ms.toFixed(0)} ms | ${r.p99Ms.toFixed(0)} ms | ${r.maxMs.toFixed(0)} ms | ${r.over1s} | ${r.notAnswered}${errs ? `; ${errs}` : ''} |`,
    );
  }
  return out;
}

// ---------------------------------------------------------------- 4. memory per idle connection

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

interface Holder {
  child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
}

function holder(port: number, n: number): Holder {
  const child = fork(ref('conn-holder.js'), ['127.0.0.1', String(port), String(n), '256'], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  helpers.add(child);
  child.once('exit', () => helpers.delete(child));
  const queue: Record<string, unknown>[] = [];
  const waiters: ((m: Record<string, unknown>) => void)[] = [];
  let exited = false;
  child.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m as Record<string, unknown>);
    else queue.push(m as Record<string, unknown>);
  });
  child.once('exit', (code) => {
    exited = true;
    for (const w of waiters.splice(0)) w({ t: 'exit', code });
  });
  return {
    child,
    next: () => {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      if (exited) return Promise.resolve({ t: 'exit' });
      return new Promise((r) => waiters.push(r));
    },
  };
}

interface MemorySample {
  server: string;
  beforeKiB: number;
  afterKiB: number;
  kibPerConn: number;
  echoed: number;
  failed: number;
  openMs: number;
  afterCloseKiB: number;
  lostWhileIdle: number;
}

async function memoryOnce(name: string, launch: () => Promise<RunningServer>): Promise<MemorySample> {
  const s = await launch();
  try {
    await sleep(1000);
    const before = rssKiB(s.child.pid!);
    const h = holder(s.port, idleConns);
    let ready: Record<string, unknown>;
    try {
      ready = await Promise.race([h.next(), giveUp(120_000)]);
      if (ready.t !== 'ready') throw new Error(`${name}: the connection holder reported ${JSON.stringify(ready)}`);
      await sleep(1000);
      const after = rssKiB(s.child.pid!);
      h.child.send('close');
      const closed = await Promise.race([h.next(), giveUp(60_000)]);
      await sleep(1000);
      const afterClose = rssKiB(s.child.pid!);
      const errs = ready.errors as Record<string, number>;
      if (Object.keys(errs).length) console.log(`  ${name}: errors while opening: ${JSON.stringify(errs)}`);
      if (closed.t !== 'closed') console.log(`  ${name}: closing: ${JSON.stringify(closed)}`);
      return {
        server: name,
        beforeKiB: before,
        afterKiB: after,
        kibPerConn: (after - before) / idleConns,
        echoed: ready.echoed as number,
        failed: ready.failed as number,
        openMs: ready.ms as number,
        afterCloseKiB: afterClose,
        lostWhileIdle: (closed.lostWhileIdle as number | undefined) ?? NaN,
      };
    } finally {
      if (h.child.exitCode === null) h.child.kill('SIGKILL');
    }
  } finally {
    await stop(s);
  }
}

interface MemoryFigures {
  conns: number;
  samples: MemorySample[];
  oursKiBPerConn: number;
  pipeKiBPerConn: number;
  ratio: number;
  ratiosPerRound: number[];
}

async function memory(): Promise<MemoryFigures> {
  console.log(
    `\n## 4. server RSS per idle connection: ${idleConns} connections from a separate client process, one 5-byte message echoed on each, RSS (VmRSS) of a fresh server before and 1 s after; ${memRounds} round(s), order alternated`,
  );
  const launchers: [string, () => Promise<RunningServer>][] = [
    ['socket-lab event-loop', () => ourServer('event-loop')],
    ['node net pipe echo', () => start('node net pipe echo', process.execPath, [ref('node-pipe-echo.js')])],
  ];
  const got: MemorySample[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < memRounds; r++) {
    const round = new Map<string, MemorySample>();
    for (const [name, launch] of rotate(launchers, r)) {
      const m = await memoryOnce(name, launch);
      got.push(m);
      round.set(name, m);
      console.log(
        `${name}: RSS ${(m.beforeKiB / 1024).toFixed(1)} MiB → ${(m.afterKiB / 1024).toFixed(1)} MiB with ${m.echoed} connections echoed (${m.failed} failed; opened in ${(m.openMs / 1000).toFixed(1)} s) = ${m.kibPerConn.toFixed(2)} KiB per connection; ${(m.afterCloseKiB / 1024).toFixed(1)} MiB 1 s after all closed${m.lostWhileIdle ? `; ${m.lostWhileIdle} closed by the server while idle` : ''}`,
      );
    }
    ratios.push(round.get('socket-lab event-loop')!.kibPerConn / round.get('node net pipe echo')!.kibPerConn);
  }
  const med = (name: string) => median(got.filter((m) => m.server === name).map((m) => m.kibPerConn));
  const f: MemoryFigures = {
    conns: idleConns,
    samples: got,
    oursKiBPerConn: med('socket-lab event-loop'),
    pipeKiBPerConn: med('node net pipe echo'),
    ratio: median(ratios),
    ratiosPerRound: ratios,
  };
  console.log(`ours ${f.oursKiBPerConn.toFixed(2)} KiB/connection, plain Node ${f.pipeKiBPerConn.toFixed(2)} KiB/connection → ${x(f.ratio)} (per round ${list(ratios)})`);
  return f;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run "node esbuild.js" first`);
  const t0 = performance.now();
  console.log(`# servers in five models — ${machine()}${quick ? ' (--quick)' : ''}`);
  const throughput = sections.has(1) ? await threadPerConnection() : null;
  const latency = sections.has(2) ? await processPerConnection() : null;
  const bursts = sections.has(3) ? await simultaneous() : null;
  const mem = sections.has(4) ? await memory() : null;
  console.log(`\n(total ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  console.log(JSON.stringify({ machine: machine(), quick, seconds, rounds, warmup: [warm10, warm100], throughput, latency, bursts, memory: mem }));
}

// Last resort (an exception escaped, or process.exit): nothing may outlive the script.
process.on('exit', () => {
  for (const h of helpers) h.kill('SIGKILL');
  for (const s of live) {
    for (const pid of descendants(s.child.pid!)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    s.child.kill('SIGKILL');
  }
});

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.log(`\n${sig}: stopping every server`);
    void stopEverything().finally(() => process.exit(130));
  });
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => stopEverything());
