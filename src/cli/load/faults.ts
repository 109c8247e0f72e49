import crypto from 'node:crypto';
import net from 'node:net';
import * as l10n from '@vscode/l10n';
import { describeConnectError, SocketLabError } from '../../engine/errors';
import { formatBytes } from '../../protocol/format';
import { formatTarget, type Target } from '../../engine/target';
import { fillPattern } from './pattern';
import { expectedReply, fillMessage, randomText, type ExpectKind, type PayloadKind } from './payload';

// Client-side misbehaviour for the reliability labs: each preset does one bad thing to a server
// and reports, in figures, what the server did about it.

export const FAULT_NAMES = ['garbage', 'huge', 'half-close', 'reset', 'slowloris', 'never-read', 'connect-storm'] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export function isFaultName(v: string): v is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(v);
}

export interface FaultOptions {
  readonly json: boolean;
  readonly connections: number;
  readonly durationS: number;
  /** Bytes per message, for presets that send messages. */
  readonly size: number;
  readonly payload: PayloadKind;
  readonly expect: ExpectKind;
}

/** What the server did; `failure` says why that is wrong (exit 3) when the preset checks a reply. */
type Report = Record<string, unknown> & { summary: string; failure?: string };

function connect(target: Target, allowHalfOpen = false): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = target.transport === 'unix' ? net.connect({ path: target.path, allowHalfOpen }) : net.connect({ host: target.host, port: target.port, allowHalfOpen });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', (err) => reject(target.transport === 'unix' ? describeConnectError(err, target.path, 0) : describeConnectError(err, target.host, target.port)));
  });
}

/** Collects what the server sends back until `want` bytes came, it closed, or it went quiet. */
function collect(s: net.Socket, want: number, quietMs: number): Promise<{ data: Buffer; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let got = 0;
    let timer = setTimeout(done, quietMs);
    let closed = false;
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      clearTimeout(timer);
      if (got >= want) done();
      else timer = setTimeout(done, quietMs);
    });
    s.once('end', () => {
      closed = true;
      done();
    });
    s.once('error', () => {
      closed = true;
      done();
    });
    function done() {
      clearTimeout(timer);
      s.removeAllListeners('data');
      resolve({ data: Buffer.concat(chunks), closedByServer: closed });
    }
  });
}

const faults: Record<FaultName, (t: Target, o: FaultOptions) => Promise<Report>> = {
  async garbage(t) {
    const payload = crypto.randomBytes(1024 * 1024);
    const s = await connect(t);
    s.write(payload);
    const { data, closedByServer } = await collect(s, payload.length, 2000);
    s.destroy();
    const identical = data.equals(payload);
    return {
      sent: payload.length,
      received: data.length,
      identical,
      closedByServer,
      summary: garbageSummary(formatBytes(payload.length), formatBytes(data.length), identical, closedByServer),
    };
  },
  async huge(t) {
    const size = 64 * 1024 * 1024;
    const payload = Buffer.allocUnsafe(size);
    fillPattern(payload, 0, 1);
    const s = await connect(t);
    const t0 = performance.now();
    s.write(payload);
    const { data, closedByServer } = await collect(s, size, 5000);
    const ms = performance.now() - t0;
    s.destroy();
    const identical = data.length === size && data.equals(payload);
    return {
      sent: size,
      received: data.length,
      identical,
      ms: Math.round(ms),
      closedByServer,
      summary: identical
        ? l10n.t('one {0} write; got {1} back in {2} ms, byte for byte identical', formatBytes(size), formatBytes(data.length), Math.round(ms))
        : l10n.t('one {0} write; got {1} back in {2} ms', formatBytes(size), formatBytes(data.length), Math.round(ms)),
    };
  },
  async 'half-close'(t, o) {
    const sent = halfClosePayload(o);
    const want = expectedReply(sent, o.expect);
    // Our side must stay readable after our FIN: that is the whole point of a half-close.
    const s = await connect(t, true);
    s.on('error', () => undefined);
    s.end(sent);
    const { data, closedByServer } = await collect(s, Infinity, 3000);
    s.destroy();
    const figures = { sent: sent.length, received: data.length, expected: want?.length ?? null, closedByServer };
    const what =
      o.payload === 'text'
        ? l10n.t('sent {0} {1}-byte text messages and {2} of random text ({3}), then FIN (shutdown write)', HALF_CLOSE_MESSAGES, o.size, formatBytes(HALF_CLOSE_BLOCK), formatBytes(sent.length))
        : l10n.t('sent {0} {1}-byte binary messages and {2} of random bytes ({3}), then FIN (shutdown write)', HALF_CLOSE_MESSAGES, o.size, formatBytes(HALF_CLOSE_BLOCK), formatBytes(sent.length));
    if (want === undefined) {
      const replied = closedByServer
        ? l10n.t('the server replied with {0} and then closed its side', formatBytes(data.length))
        : l10n.t('the server replied with {0} and kept its side open for 3 s', formatBytes(data.length));
      const summary = clauses(what, replied);
      if (data.length > 0) return { ...figures, summary };
      return {
        ...figures,
        summary,
        failure: closedByServer
          ? l10n.t('expected some reply after our FIN (--expect any), received none; the server then closed its side.')
          : l10n.t('expected some reply after our FIN (--expect any), received none; the server kept its side open for 3 s.'),
      };
    }
    const corrupt = countDifferent(data, want);
    const got = corrupt
      ? l10n.t('expected {0} back ({1}), received {2}, {3} corrupt', count(want.length), o.expect, count(data.length), corrupt)
      : l10n.t('expected {0} back ({1}), received {2}', count(want.length), o.expect, count(data.length));
    const summary = clauses(what, got, closedByServer ? l10n.t('the server then closed its side') : l10n.t('the server kept its side open for 3 s'));
    const result = { ...figures, corruptBytes: corrupt, summary };
    if (data.length < want.length) {
      const args = [count(want.length), o.expect, count(data.length), count(want.length - data.length)] as const;
      return {
        ...result,
        failure: closedByServer
          ? l10n.t('expected {0} back after our FIN (--expect {1}), received {2} ({3} short); the server closed its side without answering everything sent before the FIN.', ...args)
          : l10n.t('expected {0} back after our FIN (--expect {1}), received {2} ({3} short); the server went quiet for 3 s without answering the rest.', ...args),
      };
    }
    if (data.length > want.length)
      return {
        ...result,
        failure: l10n.t('expected {0} back after our FIN (--expect {1}), received {2} ({3} more than expected).', count(want.length), o.expect, count(data.length), count(data.length - want.length)),
      };
    if (corrupt) return { ...result, failure: l10n.t('received the {0} expected after our FIN (--expect {1}), but {2} of them differ.', count(want.length), o.expect, corrupt) };
    return result;
  },
  async reset(t) {
    const s = await connect(t);
    s.write('about to reset\n');
    s.resetAndDestroy();
    const after = await connect(t).then(
      (c) => (c.destroy(), true),
      () => false,
    );
    return {
      stillAccepting: after,
      summary: after ? l10n.t('sent a line then RST; the server still accepts new connections') : l10n.t('sent a line then RST; the server no longer accepts connections'),
    };
  },
  async slowloris(t, o) {
    const s = await connect(t);
    let sent = 0;
    let echoed = 0;
    let closedByServer = false;
    s.on('data', (d: Buffer) => (echoed += d.length));
    s.once('close', () => (closedByServer = true));
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        if (closedByServer || sent >= o.durationS) {
          clearInterval(tick);
          resolve();
          return;
        }
        s.write('x');
        sent++;
      }, 1000);
    });
    s.destroy();
    return {
      sent,
      echoed,
      closedByServer,
      summary: closedByServer
        ? l10n.t('sent 1 byte/s for {0} s; {1} echoed; the server closed the connection (idle timeout?)', sent, echoed)
        : l10n.t('sent 1 byte/s for {0} s; {1} echoed; the server kept the connection open', sent, echoed),
    };
  },
  async 'never-read'(t, o) {
    const s = await connect(t);
    s.pause(); // never read: the server's replies pile up on its side
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const t0 = performance.now();
    const stalled = await new Promise<boolean>((resolve) => {
      const deadline = setTimeout(() => resolve(false), o.durationS * 1000);
      const pump = () => {
        while (performance.now() - t0 < o.durationS * 1000) {
          if (!s.write(chunk)) {
            // Wait for the kernel to take more; if it never does, the server stopped reading.
            const stall = setTimeout(() => {
              clearTimeout(deadline);
              resolve(true);
            }, 1000);
            s.once('drain', () => {
              clearTimeout(stall);
              pump();
            });
            return;
          }
        }
      };
      s.on('error', () => {
        clearTimeout(deadline);
        resolve(false);
      });
      pump();
    });
    const accepted = s.bytesWritten;
    s.destroy();
    return {
      acceptedBytes: accepted,
      stalled,
      summary: stalled
        ? l10n.t('wrote without reading for up to {0} s: the server took {1}, then stopped reading (back-pressure held)', o.durationS, formatBytes(accepted))
        : l10n.t('wrote without reading for up to {0} s: the server took {1} and kept reading', o.durationS, formatBytes(accepted)),
    };
  },
  async 'connect-storm'(t, o) {
    const n = o.connections;
    const t0 = performance.now();
    const times: number[] = [];
    const codes: Record<string, number> = {};
    await Promise.all(
      Array.from({ length: n }, async () => {
        try {
          const s = await connect(t);
          s.write('x');
          const { data } = await collect(s, 1, 10_000);
          s.destroy();
          if (data.length >= 1) times.push(performance.now() - t0);
          else codes.NO_REPLY = (codes.NO_REPLY ?? 0) + 1;
        } catch (err) {
          const code = err instanceof SocketLabError ? err.code : 'ERROR';
          codes[code] = (codes[code] ?? 0) + 1;
        }
      }),
    );
    times.sort((a, b) => a - b);
    const max = Math.round(times.at(-1) ?? 0);
    return {
      connections: n,
      completed: times.length,
      failures: codes,
      maxMs: max,
      p50Ms: Math.round(times[Math.floor(times.length / 2)] ?? 0),
      summary: Object.keys(codes).length
        ? l10n.t('{0} simultaneous connects, one echo each: {1} completed (slowest {2} ms), failures {3}', n, times.length, max, JSON.stringify(codes))
        : l10n.t('{0} simultaneous connects, one echo each: {1} completed (slowest {2} ms)', n, times.length, max),
    };
  },
};

export async function runFault(name: FaultName, target: Target, options: FaultOptions): Promise<number> {
  if (target.transport === 'udp' && name !== 'garbage') {
    process.stderr.write(`${l10n.t('error: --fault {0} needs a stream transport (tcp or unix).', name)}\n`);
    return 2;
  }
  let report: Report;
  try {
    report = await faults[name](target, options);
  } catch (err) {
    if (err instanceof SocketLabError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const { summary, failure, ...figures } = report;
  if (options.json) process.stdout.write(JSON.stringify({ fault: name, target: formatTarget(target), ...figures, ok: failure === undefined, ...(failure ? { failure } : {}), summary }) + '\n');
  else process.stdout.write(`${l10n.t('fault {0} → {1}: {2}', name, formatTarget(target), summary)}\n`);
  if (failure === undefined) return 0;
  process.stderr.write(`${l10n.t('{0}: FAILED: {1}', name, failure)}\n`);
  return 3;
}

// What half-close sends: a few messages, then a large block whose last line has no newline (a
// peer that half-closes mid-line), so a server that answers only complete lines, or drops what it
// has not answered yet when it reads EOF, comes back short.
const HALF_CLOSE_MESSAGES = 5;
const HALF_CLOSE_BLOCK = 1024 * 1024;

function halfClosePayload(o: FaultOptions): Buffer {
  const messages = Buffer.allocUnsafe(HALF_CLOSE_MESSAGES * o.size);
  for (let seq = 0; seq < HALF_CLOSE_MESSAGES; seq++) fillMessage(o.payload, messages.subarray(seq * o.size, (seq + 1) * o.size), 0, seq);
  const block = o.payload === 'text' ? randomText(HALF_CLOSE_BLOCK, 64, crypto.randomBytes) : crypto.randomBytes(HALF_CLOSE_BLOCK);
  if (o.payload === 'binary' && block.at(-1) === 0x0a) block[block.length - 1] = 0x2e;
  return Buffer.concat([messages, block]);
}

/** Exact byte counts: a reply a few bytes short must not round to the same figure as a full one. */
function count(bytes: number): string {
  return bytes === 1 ? l10n.t('1 byte') : l10n.t('{0} bytes', bytes.toLocaleString('en'));
}

/** Sentences of one report, one after another. */
function clauses(first: string, ...rest: string[]): string {
  return rest.reduce((text, next) => l10n.t('{0}; {1}', text, next), first);
}

function garbageSummary(sent: string, received: string, identical: boolean, closedByServer: boolean): string {
  if (identical) {
    return closedByServer
      ? l10n.t('sent {0} of random bytes; got {1} back, byte for byte identical; the server closed the connection', sent, received)
      : l10n.t('sent {0} of random bytes; got {1} back, byte for byte identical; the connection stayed open', sent, received);
  }
  return closedByServer
    ? l10n.t('sent {0} of random bytes; got {1} back; the server closed the connection', sent, received)
    : l10n.t('sent {0} of random bytes; got {1} back; the connection stayed open', sent, received);
}

/** Bytes of the common prefix of `got` and `want` that differ. */
function countDifferent(got: Buffer, want: Buffer): number {
  let bad = 0;
  for (let i = 0, n = Math.min(got.length, want.length); i < n; i++) if (got[i] !== want[i]) bad++;
  return bad;
}
