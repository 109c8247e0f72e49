import { LabTwins } from './labs/labTwins';
import { tr } from '../protocol/l10n';
import * as vscode from 'vscode';
import { Engine } from '../engine/engine';
import type { LabRun } from '../engine/labs/labRun';
import type { SocketLabApi } from './api';
import type { CommandContext } from './commands/context';
import { registerCommands } from './commands/registry';
import { readSettings } from './config';
import { engineLogger, LabOutput } from './log';
import { CONNECTION_FILTERS, type ConnectionFilter } from '../feeds/serversRows';
import { ServersTreeProvider, type ServersNode } from './trees/serversTree';
import { StateMirror } from '../feeds/stateMirror';
import { ServersStatusBar } from './statusBar';
import { askClientTarget, targetArgs } from './terminals/clientTarget';
import { CliTerminals } from './terminals/terminals';
import { LabsTreeProvider, type LabsNode } from './trees/labsTree';
import { OwnedTreeProvider, type OwnedNode } from './trees/ownedTree';
import type { PoolView, SyncView, ThreadView } from '../protocol/views';
import { entityId } from './commands/pickTarget';
import { THREAD_FILTERS } from '../feeds/runtimeRows';
import { poolsSpec, syncSpec, threadsSpec } from './trees/runtimeViews';
import { Dashboard, DASHBOARD_VIEW_TYPE } from './dashboard/dashboard';
import { Diagnostics } from './diagnostics';
import { Recordings } from './recording/recordings';
import type { DashboardAction } from '../protocol/messages';
import { OtherWindows } from './otherWindows';
import { WalkthroughProgress } from './walkthrough';

/**
 * The engine's lifetime: from the first server or lab this window starts until deactivation,
 * with what listens to it. It ends first, so servers are stopped and ports freed while the views
 * that show them still exist.
 */
class RunningEngine {
  constructor(
    readonly engine: Engine,
    private readonly listeners: readonly vscode.Disposable[],
  ) {}

  /** Stops every server, lab and pool (an async end: not a vscode.Disposable). */
  async close(): Promise<void> {
    try {
      await this.engine.dispose();
    } finally {
      for (const l of this.listeners) l.dispose();
    }
  }
}

/**
 * Owns everything the extension creates. Two lifetimes: the extension's (views, commands,
 * status bar, terminals: `disposables`) and the engine's (`running`), which starts with the
 * first server or lab.
 */
export class Controller implements CommandContext {
  readonly log: vscode.LogOutputChannel;
  readonly terminals: CliTerminals;
  /** What the labs print, as it happens. */
  readonly labOutput: LabOutput;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly mirror = new StateMirror();
  private readonly tree: ServersTreeProvider;
  private readonly treeView: vscode.TreeView<ServersNode>;
  private readonly statusBar = new ServersStatusBar();
  readonly labsTree: LabsTreeProvider;
  readonly labsView: vscode.TreeView<LabsNode>;
  /** One mirror lease per visible view: a hidden view costs nothing. */
  private readonly viewLeases = new Map<object, vscode.Disposable>();
  private running: RunningEngine | undefined;
  readonly dashboard: Dashboard;
  readonly recordings: Recordings;
  private readonly threadsTree: OwnedTreeProvider<ThreadView>;
  private readonly threadsView: vscode.TreeView<OwnedNode>;
  private readonly syncTree: OwnedTreeProvider<SyncView>;
  private readonly syncView: vscode.TreeView<OwnedNode>;
  private readonly poolsTree: OwnedTreeProvider<PoolView>;
  private readonly poolsView: vscode.TreeView<OwnedNode>;
  /** What other windows' extension hosts still run (and this one's, for them). */
  readonly otherWindows: OtherWindows;
  /** The walkthrough's steps, done by doing them. */
  readonly walkthrough = new WalkthroughProgress();
  readonly labTwins: LabTwins;

  constructor(context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Socket Lab', { log: true });
    this.otherWindows = new OtherWindows(this.log);
    this.labOutput = new LabOutput(vscode.window.createOutputChannel('Socket Lab Labs'));
    this.terminals = new CliTerminals(context.asAbsolutePath('dist/cli.js'));
    this.tree = new ServersTreeProvider(this.mirror);
    this.treeView = vscode.window.createTreeView('socketLab.servers', { treeDataProvider: this.tree });
    this.labsTree = new LabsTreeProvider(this.mirror);
    this.labsView = vscode.window.createTreeView('socketLab.labs', { treeDataProvider: this.labsTree, showCollapseAll: true });
    const threadsTree = (this.threadsTree = new OwnedTreeProvider(this.mirror, threadsSpec));
    const syncTree = (this.syncTree = new OwnedTreeProvider(this.mirror, syncSpec));
    const threadsView = (this.threadsView = vscode.window.createTreeView<OwnedNode>('socketLab.threads', { treeDataProvider: threadsTree }));
    const syncView = (this.syncView = vscode.window.createTreeView<OwnedNode>('socketLab.sync', { treeDataProvider: syncTree }));
    const poolsTree = (this.poolsTree = new OwnedTreeProvider(this.mirror, poolsSpec));
    const poolsView = (this.poolsView = vscode.window.createTreeView<OwnedNode>('socketLab.pools', { treeDataProvider: poolsTree }));
    this.dashboard = new Dashboard({
      extensionUri: context.extensionUri,
      mirror: this.mirror,
      log: this.log,
      select: (id) => this.revealInTree(id),
      act: (action, id) => this.act(action, id),
      follow: (id) => this.engineIfStarted?.followConnection(id),
    });
    this.labTwins = new LabTwins({ extensionUri: context.extensionUri, log: this.log, engine: () => this.engine(), runLab: (name, params) => this.runLab(name, params) });
    this.recordings = new Recordings({
      extensionUri: context.extensionUri,
      storageUri: context.globalStorageUri,
      mirror: this.mirror,
      log: this.log,
      captureConnections: (limits, max) => this.engine().captureConnections(limits, max),
    });
    this.disposables.push(
      this.log,
      this.walkthrough,
      this.labTwins,
      this.otherWindows,
      vscode.commands.registerCommand('socketLab.otherWindows', () => this.otherWindows.check(false)),
      this.labOutput,
      this.mirror,
      this.tree,
      this.treeView,
      this.labsTree,
      this.labsView,
      threadsTree,
      threadsView,
      syncTree,
      syncView,
      poolsTree,
      poolsView,
      this.statusBar,
      this.dashboard,
      this.recordings,
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.dashboard.restore(panel),
      }),
      this.watchVisibility(this.treeView, (v) => this.tree.setVisible(v)),
      this.watchVisibility(this.labsView),
      this.watchVisibility(threadsView, (v) => threadsTree.setVisible(v)),
      this.watchVisibility(syncView, (v) => syncTree.setVisible(v)),
      this.watchVisibility(poolsView, (v) => poolsTree.setVisible(v)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('socketLab.closedConnectionRetentionSeconds') && this.running) {
          this.running.engine.model.retentionMs = readSettings().closedConnectionRetentionSeconds * 1000;
        }
      }),
      ...registerCommands(this),
      vscode.window.registerTerminalProfileProvider('socketLab.client', {
        provideTerminalProfile: async () => {
          const target = await askClientTarget(vscode.l10n.t('Socket Lab client'));
          if (!target) return undefined;
          const args = targetArgs(target);
          return new vscode.TerminalProfile(await this.terminals.options({ name: `Socket Lab client ${args[1]}`, args: ['client', ...args] }));
        },
      }),
    );
    const diagnostics = Diagnostics.fromEnvironment(
      { servers: this.tree.onDidChangeTreeData, threads: threadsTree.onDidChangeTreeData, sync: syncTree.onDidChangeTreeData, pools: poolsTree.onDidChangeTreeData },
      this.dashboard,
      this.mirror.onDidChange,
    );
    if (diagnostics) this.disposables.push(diagnostics);
    this.statusBar.update(0);
    void this.otherWindows.check(true);
  }

  /** What `activate` returns (the extension-host tests read the views through it). */
  get api(): SocketLabApi {
    return { trees: { servers: this.tree, labs: this.labsTree, threads: this.threadsTree, sync: this.syncTree, pools: this.poolsTree } };
  }

  /** Runs a lab in this window's engine; its lines go to the Socket Lab Labs output. */
  runLab(name: string, params: Readonly<Record<string, number>>): LabRun {
    const run = this.engine().startLab(name, params, true);
    this.labOutput.follow(
      run,
      `— ${tr(run.definition.title)} (${name}${
        Object.keys(params).length
          ? ` ${Object.entries(params)
              .map(([k, v]) => `--${k} ${v}`)
              .join(' ')}`
          : ''
      })`,
    );
    // A pool lab is about its workers: open the (collapsed by default) Pools view.
    if (run.definition.name === 'pool') void vscode.commands.executeCommand('socketLab.pools.focus');
    const node = this.labsTree.nodeFor(name);
    if (node && this.labsView.visible) void this.labsView.reveal(node, { select: true, focus: false });
    return run;
  }

  /** Scrolls a finished lab's outcome into view: its rows come with the next state tick. */
  async revealLabOutcome(name: string): Promise<void> {
    const deadline = Date.now() + 5000;
    let node = this.labsTree.lastOutcomeNode(name);
    while (!node && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const sub = this.labsTree.onDidChangeTreeData(() => {
          sub.dispose();
          resolve();
        });
        setTimeout(() => {
          sub.dispose();
          resolve();
        }, 500);
      });
      node = this.labsTree.lastOutcomeNode(name);
    }
    if (node && this.labsView.visible) await Promise.resolve(this.labsView.reveal(node, { select: false, focus: false })).catch(() => undefined);
  }

  /** The engine, created on first use: activation itself does no server work. */
  engine(): Engine {
    if (this.running) return this.running.engine;
    const engine = new Engine({
      log: engineLogger(this.log),
      retentionMs: readSettings().closedConnectionRetentionSeconds * 1000,
    });
    const serverCount = engine.onDidChangeServers(() => this.statusBar.update(engine.serverCount));
    const programCount = engine.onDidChangePrograms(() => void vscode.commands.executeCommand('setContext', 'socketLab.programCount', engine.listPrograms().filter((r) => r.isRunning).length));
    this.running = new RunningEngine(engine, [serverCount, programCount, this.walkthrough.attach(engine)]);
    this.mirror.setEngine(engine);
    this.otherWindows.attach(engine);
    return engine;
  }

  get engineIfStarted(): Engine | undefined {
    return this.running?.engine;
  }

  /** Shows the Servers view with the server selected. */
  async revealServer(serverId: string): Promise<void> {
    await vscode.commands.executeCommand('socketLab.servers.focus');
    this.running?.engine.publisher.tick();
    const node = this.tree.getChildren().find((n) => n.id === serverId);
    if (node) await this.treeView.reveal(node, { select: true, focus: false });
  }

  /** Shows an entity picked in the dashboard in the tree that lists it. */
  async revealInTree(id: string): Promise<void> {
    const v = this.mirror.get(id);
    if (!v) return;
    const reveal = async <T>(viewId: string, view: vscode.TreeView<T>, node: T | undefined) => {
      if (!node) return;
      // The view must be showing for reveal to work; keep the keyboard in the dashboard.
      if (!view.visible) await vscode.commands.executeCommand(`${viewId}.focus`);
      await view.reveal(node, { select: true, focus: false, expand: true });
    };
    if (v.kind === 'server' || v.kind === 'connection') await reveal('socketLab.servers', this.treeView, this.tree.nodeFor(id));
    else if (v.kind === 'thread' || v.kind === 'process') await reveal('socketLab.threads', this.threadsView, this.threadsTree.nodeFor(id));
    else if (v.kind === 'sync') await reveal('socketLab.sync', this.syncView, this.syncTree.nodeFor(id));
    else if (v.kind === 'pool') await reveal('socketLab.pools', this.poolsView, this.poolsTree.nodeFor(id));
    else if (v.kind === 'worker' && v.parentId) await reveal('socketLab.pools', this.poolsView, this.poolsTree.nodeFor(v.parentId));
  }

  /** From a row to what it relates to: a connection's thread, a thread's lock or client, a lock's holder. */
  async revealRelated(arg: unknown, relation: 'servedBy' | 'waitTarget' | 'holder'): Promise<void> {
    const id = entityId(arg);
    const v = id ? this.mirror.get(id) : undefined;
    let target: string | null | undefined;
    let none = vscode.l10n.t('Nothing related to reveal.');
    if (v?.kind === 'connection' && relation === 'servedBy') {
      target = v.servedById;
      none = vscode.l10n.t('{0} is served by the {1}, not by a thread or process.', v.peer, v.servedBy);
    } else if ((v?.kind === 'thread' || v?.kind === 'process') && relation === 'waitTarget') {
      target = v.waitingFor?.id ?? v.serving?.id;
      none = vscode.l10n.t('{0} is not waiting for anything ({1}).', v.name, v.state);
    } else if (v?.kind === 'sync' && relation === 'holder') {
      target = v.holderId;
      none = vscode.l10n.t('{0} is not held by anyone.', v.name);
    }
    if (!target || !this.mirror.get(target)) {
      void vscode.window.showInformationMessage(`Socket Lab: ${v ? none : vscode.l10n.t('that item has ended.')}`);
      return;
    }
    await this.revealInTree(target);
  }

  async pickThreadFilter(): Promise<void> {
    const pick = await vscode.window.showQuickPick(
      Object.entries(THREAD_FILTERS).map(([key, f]) => ({ label: f.label, key, picked: this.threadsTree.filterName === key })),
      { placeHolder: vscode.l10n.t('Which threads and processes to list') },
    );
    if (!pick) return;
    const f = THREAD_FILTERS[pick.key as keyof typeof THREAD_FILTERS];
    this.threadsTree.setFilter(pick.key === 'all' ? undefined : { name: pick.key, accepts: f.accepts });
    this.threadsView.description = pick.key === 'all' ? undefined : `filter: ${f.label.toLowerCase()}`;
  }

  async pickConnectionFilter(): Promise<void> {
    const pick = await vscode.window.showQuickPick(
      Object.entries(CONNECTION_FILTERS).map(([key, f]) => ({ label: f.label, key, picked: this.tree.connectionFilter === key })),
      { placeHolder: vscode.l10n.t('Which connections to list') },
    );
    if (!pick) return;
    const key = pick.key as ConnectionFilter;
    this.tree.setConnectionFilter(key);
    this.treeView.description = key === 'all' ? undefined : `filter: ${CONNECTION_FILTERS[key].label.toLowerCase()}`;
  }

  private async act(action: DashboardAction, id: string): Promise<void> {
    await vscode.commands.executeCommand(`socketLab.${action}`, id);
  }

  /** A hidden view costs nothing: no subscription, no refreshes. */
  private watchVisibility<T>(view: vscode.TreeView<T>, onChange?: (visible: boolean) => void): vscode.Disposable {
    const apply = (visible: boolean) => {
      const lease = this.viewLeases.get(view);
      if (visible && !lease) this.viewLeases.set(view, this.mirror.acquire());
      if (!visible && lease) {
        lease.dispose();
        this.viewLeases.delete(view);
      }
      onChange?.(visible);
    };
    apply(view.visible);
    return view.onDidChangeVisibility((e) => apply(e.visible));
  }

  /**
   * Closes client terminals, ends the engine's lifetime (servers stopped, ports freed), then the
   * extension's (views, commands). Async, so not a vscode.Disposable: deactivate awaits it.
   */
  async close(): Promise<void> {
    this.terminals.dispose();
    const running = this.running;
    this.running = undefined;
    try {
      await running?.close();
    } finally {
      for (const lease of this.viewLeases.values()) lease.dispose();
      for (const d of this.disposables.reverse()) d.dispose();
    }
  }
}
