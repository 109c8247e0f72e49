import * as vscode from 'vscode';
import { parseTarget, type ClientTransportKind, type Target } from '../../engine/target';

/** Asks for a transport and an address to connect to (any server, in any language). */
export async function askClientTarget(title: string): Promise<Target | undefined> {
  const transport = await vscode.window.showQuickPick(
    [
      { label: 'TCP', description: 'HOST:PORT', value: 'tcp' as const },
      { label: 'UDP', description: vscode.l10n.t('HOST:PORT — each line is one datagram'), value: 'udp' as const },
      { label: 'Unix stream socket', description: vscode.l10n.t('a socket file path'), value: 'unix' as const },
    ],
    { title: vscode.l10n.t('{0} ({1}/{2}): {3}', title, 1, 2, vscode.l10n.t('transport')), ignoreFocusOut: true },
  );
  if (!transport) return undefined;
  const kind: ClientTransportKind = transport.value;
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t('{0} ({1}/{2}): {3}', title, 2, 2, kind === 'unix' ? vscode.l10n.t('socket path') : vscode.l10n.t('address')),
    prompt: kind === 'unix' ? vscode.l10n.t('Path of the Unix socket, e.g. /tmp/lab.sock') : vscode.l10n.t('HOST:PORT, e.g. 127.0.0.1:9000 or [::1]:9000'),
    value: kind === 'unix' ? '' : '127.0.0.1:',
    ignoreFocusOut: true,
    validateInput: (v) => {
      const t = parseTarget(kind, [v.trim()]);
      return typeof t === 'string' ? t : undefined;
    },
  });
  if (text === undefined) return undefined;
  const target = parseTarget(kind, [text.trim()]);
  return typeof target === 'string' ? undefined : target;
}

/** The CLI arguments that select a target: `tcp 127.0.0.1:9000`, `unix /tmp/x.sock`. */
export function targetArgs(t: Target): string[] {
  if (t.transport === 'unix') return ['unix', t.path];
  return [t.transport, t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`];
}
