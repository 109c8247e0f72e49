import net from 'node:net';
import * as l10n from '@vscode/l10n';
import { parseArgs } from 'node:util';
import { errnoCode } from '../engine/errors';
import { formatTarget, parseTarget } from '../engine/target';
import { UsageError } from './usage';

/** What an errno from connect() means, in the user's words; ETIMEDOUT says how long we waited. */
function meaning(code: string, timeoutMs: number): string {
  switch (code) {
    case 'ECONNREFUSED':
      return l10n.t('connection refused: the host answered, but nothing listens on that port');
    case 'ETIMEDOUT':
      return l10n.t('no answer: the host is down, or a firewall silently drops the packets (waited {0} ms)', timeoutMs);
    case 'EHOSTUNREACH':
      return l10n.t('host unreachable: no route to that host');
    case 'ENETUNREACH':
      return l10n.t('network unreachable: this machine has no route to that network');
    case 'ECONNRESET':
      return l10n.t('connection reset while connecting');
    case 'ENOTFOUND':
      return l10n.t('host name not found (DNS)');
    case 'EAI_AGAIN':
      return l10n.t('host name lookup failed for now (DNS)');
    case 'EADDRNOTAVAIL':
      return l10n.t('address not available on this machine');
    case 'EACCES':
      return l10n.t('permission denied');
    default:
      return l10n.t('connection failed');
  }
}

/** `socket-lab probe HOST PORT`: like Python's `connect_ex` — `open`, or the errno and what it means. */
export async function probe(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { timeout: { type: 'string', default: '3000' } } });
  const target = parseTarget('tcp', positionals);
  if (typeof target === 'string') throw new UsageError(`probe: ${target}`);
  if (target.transport === 'unix') throw new UsageError(l10n.t('probe: expected HOST PORT.'));
  const timeoutMs = Number(values.timeout);
  if (!(timeoutMs > 0)) throw new UsageError(l10n.t('probe: --timeout must be a positive number of milliseconds; got "{0}".', values.timeout));
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
  // `open` and the errno name stay as they are, for scripts; what the errno means is the user's language.
  process.stdout.write(`${code} ${formatTarget(target)}: ${meaning(code, timeoutMs)}\n`);
  return 1;
}
