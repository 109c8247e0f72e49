import { parseArgs } from 'node:util';
import * as l10n from '@vscode/l10n';
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
    throw new UsageError(
      integer ? l10n.t('bench: {0} must be a positive whole number up to {1}; got "{2}".', name, max, text) : l10n.t('bench: {0} must be a positive number up to {1}; got "{2}".', name, max, text),
    );
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
  if (!TRANSPORTS.includes(transport as ClientTransportKind)) {
    throw new UsageError(transport === undefined ? l10n.t('bench: transport must be tcp, udp or unix; got nothing.') : l10n.t('bench: transport must be tcp, udp or unix; got {0}.', transport));
  }
  const target = parseTarget(transport as ClientTransportKind, rest);
  if (typeof target === 'string') throw new UsageError(`bench: ${target}`);
  const connections = positiveNumber('-c', values.connections, { max: 100_000 });
  const durationS = positiveNumber('-d', values.duration, { integer: false, max: MAX_SECONDS });
  const size = positiveNumber('--size', values.size, { max: target.transport === 'udp' ? 65_507 : 64 * 1024 * 1024 });
  const rate = values.rate === undefined ? undefined : positiveNumber('--rate', values.rate, { integer: false, max: MAX_RATE });
  const warmupS = Number(values.warmup);
  if (!(warmupS >= 0 && warmupS <= MAX_SECONDS)) throw new UsageError(l10n.t('bench: --warmup must be 0 to {0} seconds; got "{1}".', MAX_SECONDS, values.warmup));
  const { payload, expect } = values;
  if (!isPayloadKind(payload)) throw new UsageError(l10n.t('bench: --payload must be {0} or {1}; got "{2}".', PAYLOAD_KINDS[0], PAYLOAD_KINDS[1], payload));
  if (!isExpectKind(expect)) throw new UsageError(l10n.t('bench: --expect must be one of {0}; got "{1}".', EXPECT_KINDS.join(', '), expect));

  if (expect === 'greeting' && (target.transport === 'udp' || values.fault !== undefined)) {
    throw new UsageError(l10n.t('bench: --expect greeting reads a greeting per connection until the server closes it: it takes tcp or unix, without --fault.'));
  }

  if (values.fault !== undefined) {
    if (!isFaultName(values.fault)) throw new UsageError(l10n.t('bench: --fault must be one of {0}; got "{1}".', FAULT_NAMES.join(', '), values.fault));
    return runFault(values.fault, target, { json: values.json, connections, durationS, size, payload, expect });
  }

  const tty = Boolean(process.stderr.isTTY) && !values.json;
  if (!values.json) {
    const conns = connections === 1 ? l10n.t('1 connection') : l10n.t('{0} connections', connections);
    const loop = !rate ? l10n.t('closed loop') : expect === 'greeting' ? l10n.t('open loop at {0} connections/s', rate) : l10n.t('open loop at {0} msgs/s', rate);
    process.stdout.write(`${l10n.t('bench {0} {1} — {2}, {3}, {4}, {5} s', transport!, rest.join(' '), conns, messages(expect, payload, size), loop, durationS)}\n`);
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
        ? (p) => process.stderr.write(`\r  ${l10n.t('{0} s  {1} msgs/s  {2} errors  {3} open', p.elapsedS.toFixed(1), Math.round(p.msgsPerS).toLocaleString('en'), p.errors, p.openConnections)}   `)
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

/** What each connection does, for the line that opens a run. */
function messages(expect: string, payload: string, size: number): string {
  if (expect === 'greeting') return l10n.t('each connecting, reading the greeting and being closed by the server, again and again');
  if (payload === 'text') {
    if (expect === 'upper') return l10n.t('{0}-byte text messages, replies expected in upper case', size);
    if (expect === 'any') return l10n.t('{0}-byte text messages, any reply accepted', size);
    if (expect === 'none') return l10n.t('{0}-byte text messages, no reply expected', size);
    return l10n.t('{0}-byte text messages', size);
  }
  if (expect === 'upper') return l10n.t('{0}-byte messages, replies expected in upper case', size);
  if (expect === 'any') return l10n.t('{0}-byte messages, any reply accepted', size);
  if (expect === 'none') return l10n.t('{0}-byte messages, no reply expected', size);
  return l10n.t('{0}-byte messages', size);
}

export function formatResult(r: LoadResult): string {
  const l = r.latencyUs;
  const errors = Object.entries(r.errorCodes)
    .map(([code, n]) => `${code} ×${n}`)
    .join(', ');
  const endedEarly = r.measuredS < r.durationS;
  const lines = [
    resultLine(r, endedEarly),
    r.expect === 'greeting'
      ? l10n.t('connect to close: p50 {0} · p90 {1} · p99 {2} · p99.9 {3} · max {4}', us(l.p50), us(l.p90), us(l.p99), us(l.p999), us(l.max))
      : l10n.t('latency: p50 {0} · p90 {1} · p99 {2} · p99.9 {3} · max {4}', us(l.p50), us(l.p90), us(l.p99), us(l.p999), us(l.max)),
    bytesLine(r),
    errors ? l10n.t('errors: {0}', errors) : l10n.t('errors: none'),
  ];
  if (r.expect === 'greeting') {
    const without = r.errorCodes[NO_GREETING] ?? 0;
    if (without === 1) lines.push(l10n.t('closed without a greeting: 1 connection ({0} above)', NO_GREETING));
    else if (without > 0) lines.push(l10n.t('closed without a greeting: {0} connections ({1} above)', without, NO_GREETING));
  } else if (r.closedByServer > 0) {
    if (r.connected === 1) {
      lines.push(
        endedEarly
          ? l10n.t('closed by the server: {0} of 1 connection (all of them, so the run ended early)', r.closedByServer)
          : l10n.t('closed by the server: {0} of 1 connection', r.closedByServer),
      );
    } else {
      lines.push(
        endedEarly
          ? l10n.t('closed by the server: {0} of {1} connections (all of them, so the run ended early)', r.closedByServer, r.connected)
          : l10n.t('closed by the server: {0} of {1} connections', r.closedByServer, r.connected),
      );
    }
  }
  return lines.join('\n') + '\n';
}

function resultLine(r: LoadResult, endedEarly: boolean): string {
  const rate = Math.round(r.msgsPerS).toLocaleString('en');
  const msgs = r.msgs.toLocaleString('en');
  if (r.expect === 'greeting') {
    return endedEarly
      ? l10n.t('result: {0} connections/s ({1} greetings in {2} s of {3} s, {4}/{5} connected)', rate, msgs, r.measuredS, r.durationS, r.connected, r.connections)
      : l10n.t('result: {0} connections/s ({1} greetings in {2} s, {3}/{4} connected)', rate, msgs, r.durationS, r.connected, r.connections);
  }
  return endedEarly
    ? l10n.t('result: {0} msgs/s ({1} messages in {2} s of {3} s, {4}/{5} connected)', rate, msgs, r.measuredS, r.durationS, r.connected, r.connections)
    : l10n.t('result: {0} msgs/s ({1} messages in {2} s, {3}/{4} connected)', rate, msgs, r.durationS, r.connected, r.connections);
}

function bytesLine(r: LoadResult): string {
  const sent = formatBytes(r.bytesSent);
  const received = formatBytes(r.bytesReceived);
  const verified = formatBytes(r.bytesVerified);
  switch (r.expect) {
    case 'greeting':
      return l10n.t('bytes: {0} of greetings received (nothing is sent)', received);
    case 'any':
      return l10n.t('bytes: {0} sent, {1} received (any reply accepted), {2} missing', sent, received, r.missingBytes);
    case 'none':
      return l10n.t('bytes: {0} sent, {1} received (no reply expected), {2} corrupt, {3} missing', sent, received, r.corruptBytes, r.missingBytes);
    case 'upper':
      return l10n.t('bytes: {0} sent, {1} verified (upper case), {2} corrupt, {3} missing', sent, verified, r.corruptBytes, r.missingBytes);
    default:
      return l10n.t('bytes: {0} sent, {1} verified, {2} corrupt, {3} missing', sent, verified, r.corruptBytes, r.missingBytes);
  }
}
