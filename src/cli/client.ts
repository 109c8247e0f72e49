import { parseTarget, type ClientTransportKind } from '../engine/target';
import { ClientSession } from './client/session';
import { holdLifeline } from './terminal';
import { UsageError } from './usage';

const TRANSPORTS: readonly ClientTransportKind[] = ['tcp', 'udp', 'unix'];

/** `socket-lab client tcp|udp|unix TARGET`: the tutorials' `>> ` client. */
export async function client(argv: string[]): Promise<number> {
  const [transport, ...rest] = argv;
  if (!TRANSPORTS.includes(transport as ClientTransportKind)) throw new UsageError(`client: transport must be tcp, udp or unix; got ${transport ?? 'nothing'}.`);
  const target = parseTarget(transport as ClientTransportKind, rest);
  if (typeof target === 'string') throw new UsageError(`client: ${target}`);
  const session = new ClientSession(target, Boolean(process.stdin.isTTY && process.stdout.isTTY));
  holdLifeline(() => session.abandon('Socket Lab closed this client (the extension was deactivated).'));
  if (!(await session.connect())) return 1;
  return session.done;
}
