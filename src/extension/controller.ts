import * as vscode from 'vscode';
import { Engine } from '../engine/engine';
import { registerCommands } from './commands';
import { readSettings } from './config';
import { engineLogger } from './log';
import { ServersTreeProvider, type ServersNode } from './serversTree';
import { StateMirror } from './stateMirror';
import { ServersStatusBar } from './statusBar';
import { askClientTarget, targetArgs } from './clientTarget';
import { CliTerminals } from './terminals';

/**
 * Owns everything the extension creates. Two lifetimes: the extension's (views, commands,
 * status bar, terminals) and the engine's, which starts with the first server.
 */
export class Controller {
  readonly log: vscode.LogOutputChannel;
  readonly terminals: CliTerminals;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly mirror = new StateMirror();
  private readonly tree: ServersTreeProvider;
  private readonly treeView: vscode.TreeView<ServersNode>;
  private readonly statusBar = new ServersStatusBar();
  private viewLease: vscode.Disposable | undefined;
  private currentEngine: Engine | undefined;

  constructor(context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Socket Lab', { log: true });
    this.terminals = new CliTerminals(context.asAbsolutePath('dist/cli.js'));
    this.tree = new ServersTreeProvider(this.mirror);
    this.treeView = vscode.window.createTreeView('socketLab.servers', { treeDataProvider: this.tree });
    this.disposables.push(
      this.log,
      this.mirror,
      this.tree,
      this.treeView,
      this.statusBar,
      this.treeView.onDidChangeVisibility((e) => this.onViewVisibility(e.visible)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('socketLab.closedConnectionRetentionSeconds') && this.currentEngine) {
          this.currentEngine.model.retentionMs = readSettings().closedConnectionRetentionSeconds * 1000;
        }
      }),
      ...registerCommands(this),
      vscode.window.registerTerminalProfileProvider('socketLab.client', {
        provideTerminalProfile: async () => {
          const target = await askClientTarget('Socket Lab client');
          if (!target) return undefined;
          const args = targetArgs(target);
          return new vscode.TerminalProfile(await this.terminals.options({ name: `Socket Lab client ${args[1]}`, args: ['client', ...args] }));
        },
      }),
    );
    this.onViewVisibility(this.treeView.visible);
    this.statusBar.update(0);
  }

  /** The engine, created on first use: activation itself does no server work. */
  engine(): Engine {
    if (this.currentEngine) return this.currentEngine;
    const engine = new Engine({
      log: engineLogger(this.log),
      retentionMs: readSettings().closedConnectionRetentionSeconds * 1000,
    });
    const sub = engine.onDidChangeServers(() => this.statusBar.update(engine.serverCount));
    this.disposables.push({ dispose: () => sub.dispose() });
    this.currentEngine = engine;
    this.mirror.setEngine(engine);
    return engine;
  }

  get engineIfStarted(): Engine | undefined {
    return this.currentEngine;
  }

  /** Shows the Servers view with the server selected. */
  async revealServer(serverId: string): Promise<void> {
    await vscode.commands.executeCommand('socketLab.servers.focus');
    this.currentEngine?.publisher.tick();
    const node = this.tree.getChildren().find((n) => n.id === serverId);
    if (node) await this.treeView.reveal(node, { select: true, focus: false });
  }

  private onViewVisibility(visible: boolean): void {
    // A hidden view costs nothing: no subscription, no refreshes.
    if (visible && !this.viewLease) this.viewLease = this.mirror.acquire();
    if (!visible) {
      this.viewLease?.dispose();
      this.viewLease = undefined;
    }
    this.tree.setVisible(visible);
  }

  /** Closes client terminals, stops every server (freeing ports), then releases the UI. */
  async dispose(): Promise<void> {
    this.terminals.dispose();
    const engine = this.currentEngine;
    this.currentEngine = undefined;
    try {
      await engine?.dispose();
    } finally {
      this.viewLease?.dispose();
      for (const d of this.disposables.reverse()) d.dispose();
    }
  }
}
