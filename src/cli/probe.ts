import net from 'node:net';
import { parseArgs } from 'node:util';
import { errnoCode } from '../engine/errors';
import { formatTarget, parseTarget } from '../engine/target';
import { UsageError } from './usage';

const MEANINGS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: the host answered, but nothing listens on that port',
  ETIMEDOUT: 'no answer: the host is down, or a firewall silently drops the packets',
  EHOSTUNREACH: 'host unreachable: no route to that host',
  ENETUNREACH: 'network unreachable: this machine has no route to that network',
  ECONNRESET: 'connection reset while connecting',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'host name lookup failed for now (DNS)',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
};

/** `socket-lab probe HOST PORT`: like Python's `connect_ex` — `open`, or the errno and what it means. */
export async function probe(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { timeout: { type: 'string', default: '3000' } } });
  const target = parseTarget('tcp', positionals);
  if (typeof target === 'string') throw new UsageError(`probe: ${target}`);
  if (target.transport === 'unix') throw new UsageError('probe: expected HOST PORT.');
  const timeoutMs = Number(values.timeout);
  if (!(timeoutMs > 0)) throw new UsageError(`probe: --timeout must be a positive number of milliseconds; got "${values.timeout}".`);
  const code = await new Promise<string | undefined>((resolve) => {
    const s = net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve('ETIMEDOUT');
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(undefined);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      resolve(errnoCode(err) ?? 'ERROR');
    });
  });
  if (code === undefined) {
    process.stdout.write(`open ${formatTarget(target)}\n`);
    return 0;
  }
  process.stdout.write(`${code} ${formatTarget(target)}: ${MEANINGS[code] ?? 'connection failed'}${code === 'ETIMEDOUT' ? ` (waited ${timeoutMs} ms)` : ''}\n`);
  return 1;
}
