import * as vscode from 'vscode';
import type { ConnectionView, EntityView, ServerView } from '../../protocol/views';
import { formatAge, formatBytes, formatRate, plural } from '../../protocol/format';
import type { MirrorChange, StateMirror } from '../stateMirror';

/** Tree elements are plain data; one canonical object per id so targeted refreshes find them. */
export type ServersNode =
  | { readonly kind: 'server'; readonly id: string }
  | { readonly kind: 'connection'; readonly id: string; readonly serverId: string }
  | { readonly kind: 'range'; readonly id: string; readonly serverId: string; readonly index: number }
  | { readonly kind: 'traffic'; readonly id: string; readonly serverId: string }
  | { readonly kind: 'model'; readonly id: string; readonly serverId: string }
  | { readonly kind: 'workers'; readonly id: string; readonly serverId: string };

/** Beyond this many connections a server's rows are grouped in ranges of this many. */
export const MAX_CONNECTION_ROWS = 200;

/** Which connections the Servers view lists (the view's Filter action). */
export const CONNECTION_FILTERS = {
  all: { label: 'All connections', accepts: () => true },
  open: { label: 'Open only', accepts: (c: ConnectionView) => c.state !== 'closed' },
  waiting: { label: 'Waiting for a thread, child or turn', accepts: (c: ConnectionView) => c.state === 'waiting' },
  blocked: { label: 'Blocked: back-pressure or in recv', accepts: (c: ConnectionView) => c.backpressure || c.servedByState === 'blocked in recv' },
  failed: { label: 'With a handler error', accepts: (c: ConnectionView) => c.error !== null },
} as const;
export type ConnectionFilter = keyof typeof CONNECTION_FILTERS;
const AGE_REFRESH_MS = 5000;
const SERVER_ROW_MS = 1000;
/**
 * A server with its connections in ranges lists them again at most this often: each list refresh
 * animates the view's progress bar until the busy extension host answers (0.3–0.5 s under load),
 * and with thousands of connections coming and going only the ranges' bounds would move.
 */
const RANGED_SERVER_ROW_MS = 3000;

export class ServersTreeProvider implements vscode.TreeDataProvider<ServersNode>, vscode.Disposable {
  private readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<ServersNode | ServersNode[] | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  private readonly nodes = new Map<string, ServersNode>();
  /** A connection's row parent: its server, or the range row it is listed under. */
  private readonly parents = new Map<string, ServersNode>();
  private filter: ConnectionFilter = 'all';
  private readonly serverRefreshedAt = new Map<string, number>();
  private readonly serverPending = new Set<ServersNode>();
  /** What a server's row and its traffic row last showed: a refresh is sent only when it moved. */
  private readonly shown = new Map<string, string>();
  private serverTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ageTimer: NodeJS.Timeout | undefined;

  constructor(private readonly mirror: StateMirror) {
    this.disposables.push(mirror.onDidChange((c) => this.onMirrorChange(c)));
  }

  /** Ages in descriptions only move while the view is visible; the controller says when. */
  setVisible(visible: boolean): void {
    clearInterval(this.ageTimer);
    this.ageTimer = undefined;
    if (visible) this.ageTimer = setInterval(() => this.refreshAges(), AGE_REFRESH_MS);
  }

  getChildren(element?: ServersNode): ServersNode[] {
    if (!element) {
      return this.mirror
        .childrenOf(null)
        .filter((e): e is ServerView => e.kind === 'server')
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((s) => this.node({ kind: 'server', id: s.id }));
    }
    if (element.kind === 'range')
      return this.connections(element.serverId)
        .slice(element.index * MAX_CONNECTION_ROWS, (element.index + 1) * MAX_CONNECTION_ROWS)
        .map((c) => this.connectionNode(c.id, element.serverId, element));
    if (element.kind !== 'server') return [];
    const traffic = this.node({ kind: 'traffic', id: `${element.id}/traffic`, serverId: element.id });
    // The model and its threads or children first: the server's own row has no room for them.
    // One row for the model: its threads or children where it has them (the row names the model
    // in its hover), else what the model does. Every row here pushes connections down.
    const server = this.mirror.get(element.id);
    const fixed: ServersNode[] = [
      server?.kind === 'server' && server.workers
        ? this.node({ kind: 'workers', id: `${element.id}/workers`, serverId: element.id })
        : this.node({ kind: 'model', id: `${element.id}/model`, serverId: element.id }),
      traffic,
    ];
    const conns = this.connections(element.id);
    if (conns.length <= MAX_CONNECTION_ROWS) return [...fixed, ...conns.map((c) => this.connectionNode(c.id, element.id, element))];
    // Thousands of rows help nobody and cost the tree: group them in ranges of 200.
    return [
      ...fixed,
      ...Array.from({ length: Math.ceil(conns.length / MAX_CONNECTION_ROWS) }, (_, index) => this.node({ kind: 'range', id: `${element.id}/range/${index}`, serverId: element.id, index })),
    ];
  }

  getParent(element: ServersNode): ServersNode | undefined {
    if (element.kind === 'server') return undefined;
    if (element.kind === 'range' || element.kind === 'traffic' || element.kind === 'model' || element.kind === 'workers') return this.nodes.get(element.serverId);
    return this.parents.get(element.id) ?? this.nodes.get(element.serverId);
  }

  /** The server's listed connections, oldest first, as the filter allows. */
  private connections(serverId: string): ConnectionView[] {
    const accepts = CONNECTION_FILTERS[this.filter].accepts;
    return this.mirror
      .childrenOf(serverId)
      .filter((e): e is ConnectionView => e.kind === 'connection' && accepts(e))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  private connectionNode(id: string, serverId: string, parent: ServersNode): ServersNode {
    this.parents.set(id, parent);
    return this.node({ kind: 'connection', id, serverId });
  }

  get connectionFilter(): ConnectionFilter {
    return this.filter;
  }

  setConnectionFilter(filter: ConnectionFilter): void {
    this.filter = filter;
    this.nodes.clear();
    this.parents.clear();
    this.onDidChangeTreeDataEmitter.fire(undefined);
  }

  getTreeItem(element: ServersNode): vscode.TreeItem {
    const view = this.mirror.get(element.kind === 'range' || element.kind === 'traffic' || element.kind === 'model' || element.kind === 'workers' ? element.serverId : element.id);
    if (element.kind === 'traffic' || element.kind === 'model' || element.kind === 'workers') {
      const item = view?.kind !== 'server' ? new vscode.TreeItem(element.kind) : element.kind === 'traffic' ? trafficItem(view) : element.kind === 'model' ? modelItem(view) : workersItem(view);
      item.id = element.id;
      this.shown.set(element.id, itemKey(item));
      return item;
    }
    if (element.kind === 'range') {
      const total = this.connections(element.serverId).length;
      const first = element.index * MAX_CONNECTION_ROWS + 1;
      const item = new vscode.TreeItem(`connections ${first}–${Math.min(total, first + MAX_CONNECTION_ROWS - 1)}`, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = element.id;
      item.description = `of ${total}`;
      item.iconPath = new vscode.ThemeIcon('list-tree');
      return item;
    }
    if (view?.kind === 'server') {
      const item = serverItem(view);
      this.shown.set(element.id, itemKey(item));
      return item;
    }
    if (view?.kind === 'connection') return connectionItem(view);
    const gone = new vscode.TreeItem('(ended)');
    gone.id = element.id;
    return gone;
  }

  /** Looks up the canonical node for an entity id (for reveal and commands). */
  nodeFor(id: string): ServersNode | undefined {
    const known = this.nodes.get(id);
    if (known) return known;
    const v = this.mirror.get(id);
    if (v?.kind === 'server') return this.node({ kind: 'server', id });
    if (v?.kind === 'connection' && v.parentId) {
      const server = this.node({ kind: 'server', id: v.parentId });
      const conns = this.connections(v.parentId);
      const i = conns.findIndex((c) => c.id === id);
      if (i < 0) return undefined; // filtered out
      const parent =
        conns.length > MAX_CONNECTION_ROWS
          ? this.node({ kind: 'range', id: `${v.parentId}/range/${Math.floor(i / MAX_CONNECTION_ROWS)}`, serverId: v.parentId, index: Math.floor(i / MAX_CONNECTION_ROWS) })
          : server;
      return this.connectionNode(id, v.parentId, parent);
    }
    return undefined;
  }

  private node<N extends ServersNode>(n: N): N {
    const existing = this.nodes.get(n.id);
    if (existing) return existing as N;
    this.nodes.set(n.id, n);
    return n;
  }

  private onMirrorChange(change: MirrorChange): void {
    if (change.full) {
      this.nodes.clear();
      this.parents.clear();
      this.onDidChangeTreeDataEmitter.fire(undefined);
      return;
    }
    // Refresh only what changed: a connection's own row, or its server when rows come and go.
    const targets = new Set<ServersNode>();
    let root = false;
    const parentOf = (e: EntityView) => (e.parentId ? this.nodes.get(e.parentId) : undefined);
    for (const e of [...change.added, ...change.removed]) {
      if (e.kind !== 'server' && e.kind !== 'connection') continue;
      if (e.parentId === null) root = true;
      else {
        const p = parentOf(e);
        if (p) targets.add(p);
      }
    }
    for (const e of change.removed) {
      this.nodes.delete(e.id);
      this.parents.delete(e.id);
      this.shown.delete(e.id);
      if (e.kind === 'server') {
        for (const row of [`${e.id}/traffic`, `${e.id}/model`, `${e.id}/workers`]) {
          this.nodes.delete(row);
          this.shown.delete(row);
        }
      }
    }
    if (root) {
      this.onDidChangeTreeDataEmitter.fire(undefined);
      return;
    }
    for (const e of change.changed) {
      const n = this.nodes.get(e.id);
      // Filtered: a change of state may add or drop the row, so its server lists again.
      if (this.filter !== 'all' && e.kind === 'connection' && e.parentId) {
        const server = this.nodes.get(e.parentId);
        if (server) targets.add(server);
        continue;
      }
      if (n?.kind === 'server' && !targets.has(n)) {
        if (e.kind === 'server') this.serverChanged(n, e);
        continue;
      }
      if (n && !(n.kind === 'connection' && targets.has(this.nodes.get(n.serverId)!))) targets.add(n);
    }
    // A server's list (connections came or went) follows the same once-a-second pace as its row:
    // 1,000 connections arriving must not make VS Code fetch the list five times a second.
    const rows: ServersNode[] = [];
    for (const t of targets) {
      if (t.kind === 'server') this.refreshServerLater(t);
      else rows.push(t);
    }
    if (rows.length) this.onDidChangeTreeDataEmitter.fire(rows);
  }

  /**
   * A busy server's figures move on every tick. Refreshing its row makes VS Code fetch the rows
   * under it again — with the view's progress bar animating until the answer comes back, which
   * costs the workbench more than anything else in the sidebar — so the moving figures live in a
   * leaf row of their own ("traffic"), refreshed alone, and the server's row only when what it
   * shows changed (connections came or went, workers, state, errors).
   */
  private serverChanged(n: ServersNode, s: ServerView): void {
    const traffic = this.nodes.get(`${s.id}/traffic`);
    const model = this.nodes.get(`${s.id}/model`);
    const workers = this.nodes.get(`${s.id}/workers`);
    if (this.shown.get(s.id) !== itemKey(serverItem(s)) || (workers ? !s.workers : Boolean(s.workers) && Boolean(model))) {
      this.refreshServerLater(n);
      return;
    }
    if (traffic && this.shown.get(traffic.id) !== itemKey(trafficItem(s))) this.refreshServerLater(traffic);
    if (model && !s.workers && this.shown.get(model.id) !== itemKey(modelItem(s))) this.refreshServerLater(model);
    if (workers && this.shown.get(workers.id) !== itemKey(workersItem(s))) this.refreshServerLater(workers);
  }

  /** Each server's rows are refreshed at most once a second (every 3 s when its connections are in ranges). */
  private refreshServerLater(n: ServersNode): void {
    this.serverPending.add(n);
    this.flushServerRows();
  }

  private pace(n: ServersNode): number {
    const v = n.kind === 'server' ? this.mirror.get(n.id) : undefined;
    return v?.kind === 'server' && v.liveConnections > MAX_CONNECTION_ROWS ? RANGED_SERVER_ROW_MS : SERVER_ROW_MS;
  }

  /** Sends the pending rows that are due, each at its own pace, and waits for the next one. */
  private flushServerRows(): void {
    clearTimeout(this.serverTimer);
    this.serverTimer = undefined;
    const now = Date.now();
    const due: ServersNode[] = [];
    let next = Infinity;
    for (const x of this.serverPending) {
      // Dropped since (its server went, or the tree was rebuilt): nothing to refresh.
      if (this.nodes.get(x.id) !== x) {
        this.serverPending.delete(x);
        continue;
      }
      const wait = this.pace(x) - (now - (this.serverRefreshedAt.get(x.id) ?? 0));
      if (wait <= 0) due.push(x);
      else next = Math.min(next, wait);
    }
    for (const x of due) {
      this.serverPending.delete(x);
      this.serverRefreshedAt.set(x.id, now);
    }
    // A server row's refresh redraws its model and traffic rows too.
    const rows = due.filter((x) => !((x.kind === 'traffic' || x.kind === 'model' || x.kind === 'workers') && due.some((d) => d.id === x.serverId)));
    if (rows.length) this.onDidChangeTreeDataEmitter.fire(rows);
    if (next < Infinity) this.serverTimer = setTimeout(() => this.flushServerRows(), next);
  }

  private refreshAges(): void {
    const rows = [...this.nodes.values()].filter((n) => n.kind === 'connection' && this.mirror.get(n.id)?.endedAt === null);
    if (rows.length) this.onDidChangeTreeDataEmitter.fire(rows);
  }

  dispose(): void {
    clearInterval(this.ageTimer);
    clearTimeout(this.serverTimer);
    for (const d of this.disposables) d.dispose();
    this.onDidChangeTreeDataEmitter.dispose();
  }
}

function serverItem(s: ServerView): vscode.TreeItem {
  const label = s.path !== null ? `UNIX ${s.path}` : `${s.transport.toUpperCase()} ${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
  const item = new vscode.TreeItem(label);
  item.id = s.id;
  item.contextValue = s.state === 'listening' ? 'server' : 'server.stopping';
  // Always expandable: VS Code does not expand a row that was created without children.
  item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
  // Short, so the row reads in full at the sidebar's default width (measured: about 90 px are
  // left after the address): the model and its threads or children, the connection count and the
  // figures are in the rows under it and in the hover.
  const parts = [s.handler];
  if (s.state !== 'listening') parts.push(s.state);
  const waiting = s.workers?.queued ?? s.waiting;
  if (waiting > 0) parts.push(`${waiting} waiting`);
  if (s.lastError) parts.push('⚠ ' + s.lastError.split(':')[0]!);
  item.description = parts.join(' · ');
  item.iconPath = new vscode.ThemeIcon(
    s.state === 'listening' ? (s.lastError || s.workers?.capNote ? 'warning' : 'radio-tower') : 'loading~spin',
    s.state === 'listening' ? new vscode.ThemeColor(s.lastError || s.workers?.capNote ? 'charts.orange' : 'charts.green') : undefined,
  );
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${s.transport === 'unix' ? 'Unix stream' : s.transport.toUpperCase()} server** on \`${s.address}\`\n\n`);
  md.appendMarkdown(`| | |\n|---|---|\n`);
  md.appendMarkdown(`| model | ${s.model} |\n| handler | ${s.handler} |\n| state | ${s.state} |\n`);
  md.appendMarkdown(
    `| live ${s.transport === 'udp' ? 'peers' : 'connections'} | ${s.liveConnections} |\n| ${s.transport === 'udp' ? 'peers seen' : 'connections accepted'} | ${s.totalConnections} |\n`,
  );
  md.appendMarkdown(`| handler errors | ${s.handlerErrors} |\n`);
  md.appendMarkdown(`| backlog · recv size | ${s.backlog} · ${s.recvSize} bytes |\n`);
  md.appendMarkdown(`| max connections · idle timeout | ${s.maxConnections || 'no limit'} · ${s.idleTimeoutMs ? `${s.idleTimeoutMs / 1000} s` : 'off'} |\n`);
  if (s.workers) {
    const w = s.workers;
    md.appendMarkdown(`| ${w.kind === 'thread' ? 'threads' : 'child processes'} | ${w.live} alive (${w.busy} busy, ${w.idle} idle), cap ${w.cap} |\n`);
    if (w.queued) md.appendMarkdown(`| queued | ${w.queued} |\n`);
    if (w.capNote) md.appendMarkdown(`| ⚠ | ${w.capNote} |\n`);
  }
  if (s.waiting && !s.workers) md.appendMarkdown(`| waiting for their turn | ${s.waiting} |\n`);
  if (s.refused) md.appendMarkdown(`| refused | ${s.refused} (last: ${s.lastRefusal}) |\n`);
  if (s.lastError) md.appendMarkdown(`| ⚠ last error | ${s.lastError} |\n`);
  md.appendMarkdown(`\nTraffic, bytes and response times: the **traffic** row under it.`);
  item.tooltip = md;
  return item;
}

/** What an iterative or event-loop server does (the thread and process models show their threads or children instead). */
function modelItem(s: ServerView): vscode.TreeItem {
  const item = new vscode.TreeItem(s.model);
  item.contextValue = 'model';
  const blurb: Record<ServerView['model'], string> = {
    iterative: 'Like socketserver.TCPServer: one client is served until it leaves; the others wait for their turn.',
    'event-loop': 'Like a select() server: one thread serves every socket as it becomes ready. Hover the traffic row for the last readiness rounds.',
    'thread-per-connection': 'Like ThreadingTCPServer: a real worker thread per connection, whose recv() blocks.',
    'process-per-connection': 'Like ForkingTCPServer, as a prefork server: warm child processes each take one connection.',
    'thread-pool': 'A fixed set of threads; extra connections wait for one.',
  };
  if (s.model === 'iterative') item.description = s.waiting ? `one client at a time · ${s.waiting} waiting` : 'one client at a time';
  else if (s.model === 'event-loop') item.description = 'one thread serves every ready socket';
  item.iconPath = new vscode.ThemeIcon(s.model === 'iterative' ? 'list-ordered' : s.model === 'event-loop' ? 'sync' : 'type-hierarchy');
  item.tooltip = blurb[s.model];
  return item;
}

/**
 * The threads or child processes serving the connections, counted as they are: busy with a
 * connection, idle (warm spares, which Threads & Processes lists too) and the cap — not
 * "threads 0/100" while idle ones are listed.
 */
function workersItem(s: ServerView): vscode.TreeItem {
  const w = s.workers!;
  const item = new vscode.TreeItem(w.kind === 'thread' ? 'threads' : 'children');
  item.contextValue = 'workers';
  const parts = [`${w.busy} busy`, `${w.idle} idle`];
  const starting = w.live - w.busy - w.idle;
  if (starting > 0) parts.push(`${starting} starting`);
  parts.push(`cap ${w.cap}`);
  if (w.queued) parts.push(`${w.queued} waiting`);
  item.description = parts.join(' · ');
  item.iconPath = new vscode.ThemeIcon(w.capNote ? 'warning' : 'server-process', w.capNote ? new vscode.ThemeColor('charts.orange') : undefined);
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${w.kind === 'thread' ? 'Threads' : 'Child processes'}** of \`${s.address}\` (${s.model})\n\n| | |\n|---|---|\n`);
  md.appendMarkdown(`| alive | ${w.live} |\n| busy (serving a connection) | ${w.busy} |\n| idle (waiting for one) | ${w.idle} |\n| cap | ${w.cap} |\n`);
  if (w.queued) md.appendMarkdown(`| connections waiting for one | ${w.queued} |\n`);
  if (w.capNote) md.appendMarkdown(`| ⚠ | ${w.capNote} |\n`);
  md.appendMarkdown('\nEach is listed in **Threads & Processes** with what it is doing.');
  item.tooltip = md;
  return item;
}

/** The figures that move with every message: a leaf row, so refreshing it refetches nothing. */
function trafficItem(s: ServerView): vscode.TreeItem {
  const item = new vscode.TreeItem('traffic');
  item.contextValue = 'traffic';
  const parts: string[] = [plural(s.liveConnections, s.transport === 'udp' ? 'peer' : 'conn')];
  if (s.messagesInPerSecond > 0) parts.push(`${formatRate(s.messagesInPerSecond)} msgs/s`);
  else parts.push(s.messagesIn > 0 ? 'idle' : 'no messages yet');
  parts.push(`${formatBytes(s.bytesIn)} in, ${formatBytes(s.bytesOut)} out`);
  if (s.responseTime) parts.push(`reply p50 ${formatMsShort(s.responseTime.p50Ms)}`);
  item.description = parts.join(' · ');
  item.iconPath = new vscode.ThemeIcon('pulse');
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**Traffic** of \`${s.address}\`\n\n| | |\n|---|---|\n`);
  md.appendMarkdown(`| bytes in / out | ${formatBytes(s.bytesIn)} / ${formatBytes(s.bytesOut)} |\n| messages in | ${s.messagesIn} (${formatRate(s.messagesInPerSecond)}/s) |\n`);
  if (s.responseTime) {
    const r = s.responseTime;
    md.appendMarkdown(
      `| response time (last ${(r.windowMs / 1000).toFixed(1)} s, ${r.replies} replies) | p50 ${formatMsShort(r.p50Ms)} · p99 ${formatMsShort(r.p99Ms)} · max ${formatMsShort(r.maxMs)} |\n`,
    );
  }
  if (s.model === 'event-loop' && s.recentRounds.length) {
    md.appendMarkdown(`\n**Readiness rounds** (what \`select()\` returned; ${s.rounds} so far, newest first)\n\n| readable | writable | sockets |\n|---|---|---|\n`);
    for (const r of [...s.recentRounds].reverse()) md.appendMarkdown(`| ${r.readable} | ${r.writable} | ${r.sockets.join(', ')}${r.readable + r.writable > r.sockets.length ? ' …' : ''} |\n`);
  }
  item.tooltip = md;
  return item;
}

/** What a row shows, to tell whether a refresh would change anything. */
function itemKey(item: vscode.TreeItem): string {
  const label = typeof item.label === 'string' ? item.label : item.label?.label;
  // A ThemeIcon and its colour are plain data at run time ({ id, color: { id } }).
  const icon = JSON.stringify(item.iconPath ?? null);
  const tooltip = typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
  return `${label}\u0000${String(item.description)}\u0000${icon}\u0000${item.contextValue}\u0000${tooltip}`;
}

function connectionItem(c: ConnectionView): vscode.TreeItem {
  const item = new vscode.TreeItem(c.peer);
  item.id = c.id;
  item.contextValue = c.state === 'closed' ? 'connection.closed' : 'connection';
  const end = c.endedAt ?? Date.now();
  const parts: string[] = [];
  if (c.state === 'waiting') parts.push(c.waitingReason ?? 'waiting');
  else {
    if (c.servedById) parts.push(`served by ${c.servedBy}${c.servedByState ? ` · ${c.servedByState}` : ''}`);
    parts.push(`↓${formatBytes(c.bytesIn)} ↑${formatBytes(c.bytesOut)}`, plural(c.messagesIn, 'msg'));
  }
  parts.push(formatAge(end - c.createdAt));
  if (c.state !== 'open' && c.state !== 'waiting') parts.unshift(c.state);
  if (c.backpressure) parts.unshift('paused: back-pressure');
  if (c.error) parts.unshift(`${c.error.type}`);
  item.description = parts.join(' · ');
  const icon = c.state === 'closed' ? 'debug-disconnect' : c.error ? 'error' : c.backpressure ? 'debug-pause' : c.state === 'waiting' ? 'watch' : 'plug';
  const color = c.state === 'closed' ? new vscode.ThemeColor('disabledForeground') : c.error ? new vscode.ThemeColor('errorForeground') : undefined;
  item.iconPath = new vscode.ThemeIcon(icon, color);
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${c.transport === 'udp' ? 'UDP peer' : 'Connection'}** from \`${c.peer}\` to \`${c.local}\`\n\n`);
  md.appendMarkdown(`| | |\n|---|---|\n| state | ${c.state}${c.closeReason ? ` (${c.closeReason})` : ''} |\n`);
  if (c.waitingReason) md.appendMarkdown(`| waiting | ${c.waitingReason} |\n`);
  md.appendMarkdown(`| served by | ${c.servedBy}${c.servedByState ? ` — ${c.servedByState}` : ''} |\n| handler phase | ${c.phase} |\n`);
  md.appendMarkdown(
    `| in | ${formatBytes(c.bytesIn)} in ${plural(c.messagesIn, c.transport === 'udp' ? 'datagram' : 'segment')}, ${plural(c.reads, 'recv')} (last ${c.readsLastMessage}, most ${c.readsMaxMessage} per segment) |\n`,
  );
  md.appendMarkdown(`| out | ${formatBytes(c.bytesOut)} in ${plural(c.messagesOut, 'send')} |\n`);
  md.appendMarkdown(`| back-pressure | ${c.backpressure ? 'paused: the peer is not reading (or the handler is behind)' : 'no'} |\n`);
  md.appendMarkdown(`| age | ${formatAge(end - c.createdAt)} |\n| idle | ${formatAge(Date.now() - c.lastActivityAt)} |\n`);
  if (c.lastReceived) md.appendCodeblock(c.lastReceived, 'text');
  if (c.error) md.appendCodeblock(c.error.stack ?? `${c.error.type}: ${c.error.message}`, 'text');
  item.tooltip = md;
  return item;
}

/** Response times are often under a millisecond: two significant digits there. */
function formatMsShort(ms: number): string {
  return ms < 1 ? `${ms.toPrecision(2)} ms` : `${ms.toFixed(1)} ms`;
}
