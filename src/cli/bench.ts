import { parseArgs } from 'node:util';
import { SocketLabError } from '../engine/errors';
import { formatBytes } from '../protocol/format';
import { parseTarget, type ClientTransportKind } from '../engine/target';
import { FAULT_NAMES, isFaultName, runFault } from './load/faults';
import { NO_GREETING } from './load/greeting';
import { EXPECT_KINDS, isExpectKind, isPayloadKind, PAYLOAD_KINDS } from './load/payload';
import type { LoadResult } from './load/result';
import { runLoad } from './load/run';
import { holdThenExit } from './terminal';
import { UsageError } from './usage';

const TRANSPORTS: readonly ClientTransportKind[] = ['tcp', 'udp', 'unix'];

// Every number has a ceiling: past it a value is not a bigger test but a broken one (a timer
// that overflows and fires at once, an array nobody can allocate), so it is refused, not warned about.
const MAX_SECONDS = 86_400;
const MAX_RATE = 10_000_000;

function positiveNumber(name: string, text: string, { integer = true, max }: { integer?: boolean; max: number }): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)) || n > max) {
    throw new UsageError(`bench: ${name} must be a positive ${integer ? 'whole ' : ''}number up to ${max}; got "${text}".`);
  }
  return n;
}

/** `socket-lab bench tcp|udp|unix TARGET …`: the load generator, or a fault preset with --fault. */
export async function bench(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      connections: { type: 'string', short: 'c', default: '10' },
      duration: { type: 'string', short: 'd', default: '5' },
      size: { type: 'string', default: '64' },
      rate: { type: 'string' },
      warmup: { type: 'string', default: '0' },
      fault: { type: 'string' },
      payload: { type: 'string', default: 'binary' },
      expect: { type: 'string', default: 'echo' },
      json: { type: 'boolean', default: false },
      hold: { type: 'boolean', default: false },
    },
  });
  const code = await run(values, positionals);
  return values.hold ? holdThenExit(code) : code;
}

type BenchValues = { connections: string; duration: string; size: string; rate?: string; warmup: string; fault?: string; payload: string; expect: string; json: boolean; hold: boolean };

async function run(values: BenchValues, positionals: string[]): Promise<number> {
  const [transport, ...rest] = positionals;
  if (!TRANSPORTS.includes(transport as ClientTransportKind)) throw new UsageError(`bench: transport must be tcp, udp or unix; got ${transport ?? 'nothing'}.`);
  const target = parseTarget(transport as ClientTransportKind, rest);
  if (typeof target === 'string') throw new UsageError(`bench: ${target}`);
  const connections = positiveNumber('-c', values.connections, { max: 100_000 });
  const durationS = positiveNumber('-d', values.duration, { integer: false, max: MAX_SECONDS });
  const size = positiveNumber('--size', values.size, { max: target.transport === 'udp' ? 65_507 : 64 * 1024 * 1024 });
  const rate = values.rate === undefined ? undefined : positiveNumber('--rate', values.rate, { integer: false, max: MAX_RATE });
  const warmupS = Number(values.warmup);
  if (!(warmupS >= 0 && warmupS <= MAX_SECONDS)) throw new UsageError(`bench: --warmup must be 0 to ${MAX_SECONDS} seconds; got "${values.warmup}".`);
  const { payload, expect } = values;
  if (!isPayloadKind(payload)) throw new UsageError(`bench: --payload must be ${PAYLOAD_KINDS.join(' or ')}; got "${payload}".`);
  if (!isExpectKind(expect)) throw new UsageError(`bench: --expect must be one of ${EXPECT_KINDS.join(', ')}; got "${expect}".`);

  if (expect === 'greeting' && (target.transport === 'udp' || values.fault !== undefined)) {
    throw new UsageError(`bench: --expect greeting reads a greeting per connection until the server closes it: it takes tcp or unix, without --fault.`);
  }

  if (values.fault !== undefined) {
    if (!isFaultName(values.fault)) throw new UsageError(`bench: --fault must be one of ${FAULT_NAMES.join(', ')}; got "${values.fault}".`);
    return runFault(values.fault, target, { json: values.json, connections, durationS, size, payload, expect });
  }

  const tty = Boolean(process.stderr.isTTY) && !values.json;
  if (!values.json) {
    const check = expect === 'echo' ? '' : expect === 'upper' ? ', replies expected in upper case' : expect === 'any' ? ', any reply accepted' : ', no reply expected';
    const what = expect === 'greeting' ? 'each connecting, reading the greeting and being closed by the server, again and again' : `${size}-byte ${payload === 'text' ? 'text ' : ''}messages${check}`;
    process.stdout.write(
      `bench ${transport} ${rest.join(' ')} — ${connections} connection${connections === 1 ? '' : 's'}, ${what}, ${rate ? `open loop at ${rate} ${expect === 'greeting' ? 'connections' : 'msgs'}/s` : 'closed loop'}, ${durationS} s\n`,
    );
  }
  let result: LoadResult;
  try {
    result = await runLoad({
      target,
      connections,
      durationS,
      size,
      payload,
      expect,
      rate,
      warmupS,
      onProgress: tty
        ? (p) => process.stderr.write(`\r  ${p.elapsedS.toFixed(1)} s  ${Math.round(p.msgsPerS).toLocaleString('en')} msgs/s  ${p.errors} errors  ${p.openConnections} open   `)
        : undefined,
    });
  } catch (err) {
    if (err instanceof SocketLabError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(formatResult(result));
  return checkFailed(result) ? 3 : 0;
}

/** Replies that were wrong or missing (a lost datagram is UDP's nature, not a failure), or a connection closed without its greeting. */
function checkFailed(r: LoadResult): boolean {
  return r.corruptBytes > 0 || (r.missingBytes > 0 && r.transport !== 'udp') || (r.expect === 'greeting' && (r.errorCodes[NO_GREETING] ?? 0) > 0);
}

function us(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} ms` : `${v} µs`;
}

export function formatResult(r: LoadResult): string {
  const l = r.latencyUs;
  const errors =
    Object.entries(r.errorCodes)
      .map(([code, n]) => `${code} ×${n}`)
      .join(', ') || 'none';
  const endedEarly = r.measuredS < r.durationS;
  const unit = r.expect === 'greeting' ? ['connections/s', 'greetings'] : ['msgs/s', 'messages'];
  const lines = [
    `result: ${Math.round(r.msgsPerS).toLocaleString('en')} ${unit[0]} (${r.msgs.toLocaleString('en')} ${unit[1]} in ${endedEarly ? `${r.measuredS} s of ${r.durationS} s` : `${r.durationS} s`}, ${r.connected}/${r.connections} connected)`,
    `${r.expect === 'greeting' ? 'connect to close' : 'latency'}: p50 ${us(l.p50)} · p90 ${us(l.p90)} · p99 ${us(l.p99)} · p99.9 ${us(l.p999)} · max ${us(l.max)}`,
    r.expect === 'greeting' ? `bytes: ${replyFigures(r)}` : `bytes: ${formatBytes(r.bytesSent)} sent, ${replyFigures(r)}, ${r.missingBytes} missing`,
    `errors: ${errors}`,
  ];
  if (r.expect === 'greeting') {
    const without = r.errorCodes[NO_GREETING] ?? 0;
    if (without > 0) lines.push(`closed without a greeting: ${without} connection${without === 1 ? '' : 's'} (${NO_GREETING} above)`);
  } else if (r.closedByServer > 0) {
    lines.push(`closed by the server: ${r.closedByServer} of ${r.connected} connection${r.connected === 1 ? '' : 's'}${endedEarly ? ' (all of them, so the run ended early)' : ''}`);
  }
  return lines.join('\n') + '\n';
}

function replyFigures(r: LoadResult): string {
  if (r.expect === 'greeting') return `${formatBytes(r.bytesReceived)} of greetings received (nothing is sent)`;
  if (r.expect === 'any') return `${formatBytes(r.bytesReceived)} received (any reply accepted)`;
  if (r.expect === 'none') return `${formatBytes(r.bytesReceived)} received (no reply expected), ${r.corruptBytes} corrupt`;
  return `${formatBytes(r.bytesVerified)} verified${r.expect === 'upper' ? ' (upper case)' : ''}, ${r.corruptBytes} corrupt`;
}
