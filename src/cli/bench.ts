import { parseArgs } from 'node:util';
import { SocketLabError } from '../engine/errors';
import { formatBytes } from '../engine/text/format';
import { parseTarget, type ClientTransportKind } from '../engine/target';
import { FAULT_NAMES, isFaultName, runFault } from './load/faults';
import type { LoadResult } from './load/result';
import { runLoad } from './load/run';
import { waitForKey } from './terminal';
import { UsageError } from './usage';

const TRANSPORTS: readonly ClientTransportKind[] = ['tcp', 'udp', 'unix'];

function positiveNumber(name: string, text: string, { integer = true, max = Infinity } = {}): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)) || n > max) {
    throw new UsageError(`bench: ${name} must be a positive ${integer ? 'whole ' : ''}number${max < Infinity ? ` up to ${max}` : ''}; got "${text}".`);
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
      json: { type: 'boolean', default: false },
      hold: { type: 'boolean', default: false },
    },
  });
  const code = await run(values, positionals);
  if (values.hold) await waitForKey();
  return code;
}

type BenchValues = { connections: string; duration: string; size: string; rate?: string; warmup: string; fault?: string; json: boolean; hold: boolean };

async function run(values: BenchValues, positionals: string[]): Promise<number> {
  const [transport, ...rest] = positionals;
  if (!TRANSPORTS.includes(transport as ClientTransportKind)) throw new UsageError(`bench: transport must be tcp, udp or unix; got ${transport ?? 'nothing'}.`);
  const target = parseTarget(transport as ClientTransportKind, rest);
  if (typeof target === 'string') throw new UsageError(`bench: ${target}`);
  const connections = positiveNumber('-c', values.connections, { max: 100_000 });
  const durationS = positiveNumber('-d', values.duration, { integer: false, max: 86_400 });
  const size = positiveNumber('--size', values.size, { max: target.transport === 'udp' ? 65_507 : 64 * 1024 * 1024 });
  const rate = values.rate === undefined ? undefined : positiveNumber('--rate', values.rate, { integer: false });
  const warmupS = Number(values.warmup);
  if (!(warmupS >= 0)) throw new UsageError(`bench: --warmup must be 0 or more seconds; got "${values.warmup}".`);

  if (values.fault !== undefined) {
    if (!isFaultName(values.fault)) throw new UsageError(`bench: --fault must be one of ${FAULT_NAMES.join(', ')}; got "${values.fault}".`);
    return runFault(values.fault, target, { json: values.json, connections, durationS });
  }

  const tty = Boolean(process.stderr.isTTY) && !values.json;
  if (!values.json) {
    process.stdout.write(`bench ${transport} ${rest.join(' ')} — ${connections} connection${connections === 1 ? '' : 's'}, ${size}-byte messages, ${rate ? `open loop at ${rate} msgs/s` : 'closed loop'}, ${durationS} s\n`);
  }
  let result: LoadResult;
  try {
    result = await runLoad({
      target,
      connections,
      durationS,
      size,
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
  return result.corruptBytes > 0 || (result.missingBytes > 0 && result.transport !== 'udp') ? 3 : 0;
}

function us(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)} ms` : `${v} µs`;
}

export function formatResult(r: LoadResult): string {
  const l = r.latencyUs;
  const errors = Object.entries(r.errorCodes).map(([code, n]) => `${code} ×${n}`).join(', ') || 'none';
  return [
    `result: ${Math.round(r.msgsPerS).toLocaleString('en')} msgs/s (${r.msgs.toLocaleString('en')} messages in ${r.durationS} s, ${r.connected}/${r.connections} connected)`,
    `latency: p50 ${us(l.p50)} · p90 ${us(l.p90)} · p99 ${us(l.p99)} · p99.9 ${us(l.p999)} · max ${us(l.max)}`,
    `bytes: ${formatBytes(r.bytesSent)} sent, ${formatBytes(r.bytesVerified)} verified, ${r.corruptBytes} corrupt, ${r.missingBytes} missing`,
    `errors: ${errors}`,
    '',
  ].join('\n');
}
