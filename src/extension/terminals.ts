import * as vscode from 'vscode';
import { Lifeline } from './lifeline';

export interface ClientTarget {
  readonly host: string;
  readonly port: number;
}

/** A wildcard listener is reached through loopback. */
function connectHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '0:0:0:0:0:0:0:0') return '::1';
  return host;
}

/**
 * Client terminals run Socket Lab's own CLI with an argument array (nothing is typed into a
 * shell). They belong to the extension: disposing this closes them.
 */
export class ClientTerminals implements vscode.Disposable {
  private readonly terminals = new Set<vscode.Terminal>();
  private readonly subscription: vscode.Disposable;
  private lifeline: Promise<Lifeline> | undefined;

  constructor(private readonly cliPath: string) {
    this.subscription = vscode.window.onDidCloseTerminal((t) => this.terminals.delete(t));
  }

  get count(): number {
    return this.terminals.size;
  }

  async open(target: ClientTarget): Promise<vscode.Terminal> {
    this.lifeline ??= Lifeline.create();
    const lifeline = await this.lifeline;
    const host = connectHost(target.host);
    const terminal = vscode.window.createTerminal({
      name: `Socket Lab client ${host.includes(':') ? `[${host}]` : host}:${target.port}`,
      shellPath: process.execPath,
      shellArgs: [this.cliPath, 'client', 'tcp', host, String(target.port)],
      // In desktop VS Code execPath is Electron: this makes it behave as plain Node.
      env: { ELECTRON_RUN_AS_NODE: '1', SOCKET_LAB_LIFELINE: lifeline.path },
      iconPath: new vscode.ThemeIcon('plug'),
      isTransient: true,
    });
    this.terminals.add(terminal);
    terminal.show();
    return terminal;
  }

  dispose(): void {
    this.subscription.dispose();
    for (const t of this.terminals) t.dispose();
    this.terminals.clear();
    void this.lifeline?.then((l) => l.dispose());
  }
}
