import { ClientSession } from './client/session';
import { parseClientArgs } from './client/options';
import { holdLifeline } from './terminal';

/** `socket-lab client tcp|udp|unix TARGET [--eol …] [--lockstep] [--wait S]`: the tutorials' `>> ` client. */
export async function client(argv: string[]): Promise<number> {
  const { target, options } = parseClientArgs(argv, Boolean(process.stdin.isTTY));
  const session = new ClientSession(target, Boolean(process.stdin.isTTY && process.stdout.isTTY), options);
  holdLifeline(() => session.abandon('Socket Lab closed this client (the extension was deactivated).'));
  if (!(await session.connect())) return 1;
  return session.done;
}
