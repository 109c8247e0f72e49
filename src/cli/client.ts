import * as l10n from '@vscode/l10n';
import { ClientSession } from './client/session';
import { parseClientArgs } from './client/options';
import { holdLifeline, holdThenExit, inExtensionTerminal } from './terminal';

/** `socket-lab client tcp|udp|unix TARGET [--eol …] [--lockstep] [--wait S]`: the tutorials' `>> ` client. */
export async function client(argv: string[]): Promise<number> {
  const { target, options } = parseClientArgs(argv, Boolean(process.stdin.isTTY));
  const session = new ClientSession(target, Boolean(process.stdin.isTTY && process.stdout.isTTY), options);
  // In a terminal the extension opened, the terminal is where the user reads why it ended.
  const held = inExtensionTerminal();
  if (held) session.takeFreshTerminal();
  holdLifeline(() => session.abandon(l10n.t('Socket Lab closed this client (the extension was deactivated).')));
  if (!(await session.connect())) {
    if (!held) return 1;
    return session.cancelled ? 0 : holdThenExit(1);
  }
  const code = await session.done;
  return held ? 0 : code;
}
