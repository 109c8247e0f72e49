import * as vscode from 'vscode';
import type { Target } from '../../engine/target';
import { targetArgs } from './clientTarget';
import { LANG_ENV } from '../../cli/language';
import { IN_EXTENSION_TERMINAL } from '../../cli/terminal';
import { Lifeline } from '../lifeline';

/** A wildcard listener is reached through loopback. */
export function connectableTarget(t: Target): Target {
  if (t.transport === 'unix') return t;
  if (t.host === '0.0.0.0') return { ...t, host: '127.0.0.1' };
  if (t.host === '::' || t.host === '0:0:0:0:0:0:0:0') return { ...t, host: '::1' };
  return t;
}

export interface CliTerminalOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly icon?: string;
  /** Split next to this terminal (a terminal group). */
  readonly parent?: vscode.Terminal;
  readonly cwd?: string;
  /** Added to the environment (a traced program's channel). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Terminals running Socket Lab's own CLI with an argument array (nothing is typed into a shell).
 * They belong to the extension: disposing this closes them, and their lifeline ends any that
 * VS Code would leave behind.
 */
export class CliTerminals implements vscode.Disposable {
  private readonly terminals = new Set<vscode.Terminal>();
  private readonly subscription: vscode.Disposable;
  private lifeline: Promise<Lifeline> | undefined;

  constructor(private readonly cliPath: string) {
    this.subscription = vscode.window.onDidCloseTerminal((t) => this.terminals.delete(t));
  }

  /** Options for a terminal (also used by the terminal profile provider). */
  async options(o: CliTerminalOptions): Promise<vscode.TerminalOptions> {
    this.lifeline ??= Lifeline.create();
    const lifeline = await this.lifeline;
    return {
      name: this.unusedName(o.name),
      shellPath: process.execPath,
      shellArgs: [this.cliPath, ...o.args],
      env: {
        // In desktop VS Code execPath is Electron: this makes it behave as plain Node.
        ELECTRON_RUN_AS_NODE: '1',
        SOCKET_LAB_LIFELINE: lifeline.path,
        // The CLI then keeps its own words on screen until a key is pressed, and exits 0 (see src/cli/terminal.ts).
        [IN_EXTENSION_TERMINAL]: '1',
        // The CLI speaks VS Code's display language, whatever the shell's locale says.
        [LANG_ENV]: vscode.env.language,
        ...o.env,
      },
      cwd: o.cwd,
      iconPath: new vscode.ThemeIcon(o.icon ?? 'plug'),
      isTransient: true,
      location: o.parent ? { parentTerminal: o.parent } : undefined,
    };
  }

  /**
   * Three clients of one server must be told apart in the terminal list: a name in use gets the
   * lowest free number, `(2)`, `(3)`….
   */
  private unusedName(name: string): string {
    const taken = new Set([...vscode.window.terminals, ...this.terminals].map((t) => t.name));
    if (!taken.has(name)) return name;
    let n = 2;
    while (taken.has(`${name} (${n})`)) n++;
    return `${name} (${n})`;
  }

  async open(o: CliTerminalOptions): Promise<vscode.Terminal> {
    const terminal = vscode.window.createTerminal(await this.options(o));
    this.terminals.add(terminal);
    terminal.show();
    return terminal;
  }

  openClient(target: Target, parent?: vscode.Terminal): Promise<vscode.Terminal> {
    const t = connectableTarget(target);
    const args = targetArgs(t);
    return this.open({ name: `Socket Lab client ${args[1]}`, args: ['client', ...args], parent });
  }

  dispose(): void {
    this.subscription.dispose();
    for (const t of this.terminals) t.dispose();
    this.terminals.clear();
    void this.lifeline?.then((l) => l.dispose());
  }
}
