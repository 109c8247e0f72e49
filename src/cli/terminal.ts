import net from 'node:net';
import * as l10n from '@vscode/l10n';

// How CLI commands behave inside terminals the extension opened.

/** Set by the extension on every terminal it opens (see src/extension/terminals.ts). */
export const IN_EXTENSION_TERMINAL = 'SOCKET_LAB_TERMINAL';

/** When launched by the extension, end together with it (see src/extension/lifeline.ts). */
export function holdLifeline(onLost: () => void): void {
  const where = process.env.SOCKET_LAB_LIFELINE;
  if (!where) return;
  // `@name` stands for the Linux abstract socket `\0name` (environment variables cannot hold NUL).
  const line = net.connect(where.startsWith('@') ? `\0${where.slice(1)}` : where);
  line.on('error', () => undefined);
  line.on('close', onLost);
  line.unref();
}

/** Whether this process runs in a terminal the extension opened, with a keyboard. */
export function inExtensionTerminal(): boolean {
  return process.env[IN_EXTENSION_TERMINAL] === '1' && Boolean(process.stdin.isTTY);
}

/**
 * VS Code closes a terminal as soon as its process exits with 0, taking the output with it:
 * wait for a key first (when there is a keyboard), so results can be read.
 */
export function waitForKey(): Promise<void> {
  if (!process.stdin.isTTY) return Promise.resolve();
  process.stdout.write(`${l10n.t('press any key to close this terminal')}\n`);
  return new Promise((resolve) => {
    const done = () => {
      process.stdin.pause();
      resolve();
    };
    process.stdin.setRawMode(true);
    process.stdin.resume();
    process.stdin.once('data', done);
    process.stdin.once('end', done);
    holdLifeline(done);
  });
}

/**
 * Ends a command whose outcome is read in its terminal: once a key was pressed, exit 0. A
 * non-zero code would add nothing there but VS Code's own "terminal process terminated with exit
 * code" popup, which names our internal paths and none of our words. Without a keyboard (a pipe,
 * a script) the code is the outcome, and is kept.
 */
export async function holdThenExit(code: number): Promise<number> {
  if (!process.stdin.isTTY) return code;
  await waitForKey();
  return 0;
}
