// The rows of the Servers view, as plain data: servers, the rows under each (its model or its
// threads/children, its traffic, its connections — in ranges beyond 200), which parent each row
// has, and which rows a change of the live state redraws, and when. No `vscode` here: unit-tested
// against a real engine's state mirror; src/extension/trees/serversTree.ts draws the rows.
import { describeProgram } from '../protocol/describe';
import type { ConnectionView, EntityView, ProgramView, ServerView } from '../protocol/views';
import { Emitter } from '../engine/lifecycle';
import { NodeCache, type Redraw } from './nodeCache';
import type { EntityLookup, RowModel } from './rowModel';
import type { MirrorChange } from './stateMirror';

/** Tree elements are plain data; one canonical object per id so targeted refreshes find them. */
export type ServersNode =
  | { readonly kind: 'server'; readonly id: string }
  /** A traced Python program: its listening sockets, and the connections it made, under it. */
  | { readonly kind: 'program'; readonly id: string }
  | { readonly kind: 'connection'; readonly id: string; readonly serverId: string }
  | { readonly kind: 'range'; readonly id: string; readonly serverId: string; readonly index: number }
  | { readonly kind: 'traffic'; readonly id: string; readonly serverId: string }
  | { readonly kind: 'model'; readonly id: string; readonly serverId: string }
  | { readonly kind: 'workers'; readonly id: string; readonly serverId: string };

/** The rows under a server that show the server's own figures. */
export type ServerDetail = 'traffic' | 'model' | 'workers';

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

const SERVER_ROW_MS = 1000;
const AGE_REFRESH_MS = 5000;
/**
 * A server with its connections in ranges lists them again at most this often: each list refresh
 * animates the view's progress bar until the busy extension host answers (0.3–0.5 s under load),
 * and with thousands of connections coming and going only the ranges' bounds would move.
 */
const RANGED_SERVER_ROW_MS = 3000;

/** What a server's row or one of its detail rows shows, as a string (the view knows how a row looks). */
export type RowKey = (server: ServerView, row: 'server' | ServerDetail) => string;

export class ServersRows implements RowModel<ServersNode> {
  private readonly nodes = new NodeCache<ServersNode>();
  /** A connection's row parent: its server, or the range row it is listed under. */
  private readonly parents = new Map<string, ServersNode>();
  private filter: ConnectionFilter = 'all';
  private readonly serverRefreshedAt = new Map<string, number>();
  private readonly serverPending = new Set<ServersNode>();
  /** What a server's row and its detail rows last showed: a refresh is sent only when it moved. */
  private readonly shown = new Map<string, string>();
  private serverTimer: NodeJS.Timeout | undefined;
  private readonly redrawLater = new Emitter<readonly ServersNode[]>();
  /** Paced redraws: a server's rows, at most once a second. */
  readonly onDidRedrawLater = this.redrawLater.event;
  /** A live connection's age moves: its row is redrawn every few seconds. */
  readonly timed = { periodMs: AGE_REFRESH_MS, rows: () => this.ageRows() };

  constructor(
    private readonly source: EntityLookup,
    private readonly rowKey: RowKey,
  ) {}

  children(element?: ServersNode): ServersNode[] {
    if (!element) {
      return this.source
        .childrenOf(null)
        .filter((e): e is ServerView | ProgramView => e.kind === 'server' || e.kind === 'program')
        .sort((a, b) => a.createdAt - b.createdAt)
        .map((s) => this.nodes.node({ kind: s.kind, id: s.id }));
    }
    if (element.kind === 'program') {
      const children = this.source.childrenOf(element.id);
      const servers = children.filter((e) => e.kind === 'server').sort((a, b) => a.createdAt - b.createdAt);
      return [
        ...servers.map((s) => this.nodes.node({ kind: 'server', id: s.id })),
        ...this.connections(element.id)
          .slice(0, MAX_CONNECTION_ROWS)
          .map((c) => this.connectionNode(c.id, element.id, element)),
      ];
    }
    if (element.kind === 'range')
      return this.connections(element.serverId)
        .slice(element.index * MAX_CONNECTION_ROWS, (element.index + 1) * MAX_CONNECTION_ROWS)
        .map((c) => this.connectionNode(c.id, element.serverId, element));
    if (element.kind !== 'server') return [];
    const traffic = this.nodes.node({ kind: 'traffic', id: `${element.id}/traffic`, serverId: element.id });
    // The model and its threads or children first: the server's own row has no room for them.
    // One row for the model: its threads or children where it has them (the row names the model
    // in its hover), else what the model does. Every row here pushes connections down.
    const server = this.source.get(element.id);
    const fixed: ServersNode[] = [
      server?.kind === 'server' && server.workers
        ? this.nodes.node({ kind: 'workers', id: `${element.id}/workers`, serverId: element.id })
        : this.nodes.node({ kind: 'model', id: `${element.id}/model`, serverId: element.id }),
      traffic,
    ];
    const conns = this.connections(element.id);
    if (conns.length <= MAX_CONNECTION_ROWS) return [...fixed, ...conns.map((c) => this.connectionNode(c.id, element.id, element))];
    // Thousands of rows help nobody and cost the tree: group them in ranges of 200.
    return [
      ...fixed,
      ...Array.from({ length: Math.ceil(conns.length / MAX_CONNECTION_ROWS) }, (_, index) => this.nodes.node({ kind: 'range', id: `${element.id}/range/${index}`, serverId: element.id, index })),
    ];
  }

  parent(element: ServersNode): ServersNode | undefined {
    if (element.kind === 'program') return undefined;
    if (element.kind === 'server') {
      const owner = this.source.get(element.id)?.parentId;
      return owner ? this.nodes.node({ kind: 'program', id: owner }) : undefined;
    }
    if (element.kind === 'range' || element.kind === 'traffic' || element.kind === 'model' || element.kind === 'workers') return this.nodes.get(element.serverId);
    return this.parents.get(element.id) ?? this.nodes.get(element.serverId);
  }

  /** The entity a row shows (a detail or range row: its server). */
  view(element: ServersNode): EntityView | undefined {
    return this.source.get(element.kind === 'server' || element.kind === 'connection' || element.kind === 'program' ? element.id : element.serverId);
  }

  /** A range row's bounds: its first connection's number and how many the server lists. */
  range(element: ServersNode & { kind: 'range' }): { readonly first: number; readonly last: number; readonly total: number } {
    const total = this.connections(element.serverId).length;
    const first = element.index * MAX_CONNECTION_ROWS + 1;
    return { first, last: Math.min(total, first + MAX_CONNECTION_ROWS - 1), total };
  }

  /** The view drew this row showing `key` (see RowKey). */
  drawn(element: ServersNode, key: string): void {
    this.shown.set(element.id, key);
  }

  get connectionFilter(): ConnectionFilter {
    return this.filter;
  }

  /** Lists only the connections the filter accepts; every row is drawn again. */
  setConnectionFilter(filter: ConnectionFilter): void {
    this.filter = filter;
    this.nodes.clear();
    this.parents.clear();
  }

  /** Looks up the canonical node for an entity id (for reveal and commands). */
  nodeFor(id: string): ServersNode | undefined {
    const known = this.nodes.get(id);
    if (known) return known;
    const v = this.source.get(id);
    if (v?.kind === 'server') return this.nodes.node({ kind: 'server', id });
    if (v?.kind === 'program') return this.nodes.node({ kind: 'program', id });
    if (v?.kind === 'connection' && v.parentId) {
      const server: ServersNode = this.source.get(v.parentId)?.kind === 'program' ? this.nodes.node({ kind: 'program', id: v.parentId }) : this.nodes.node({ kind: 'server', id: v.parentId });
      const conns = this.connections(v.parentId);
      const i = conns.findIndex((c) => c.id === id);
      if (i < 0) return undefined; // filtered out
      const index = Math.floor(i / MAX_CONNECTION_ROWS);
      const parent = conns.length > MAX_CONNECTION_ROWS ? this.nodes.node({ kind: 'range', id: `${v.parentId}/range/${index}`, serverId: v.parentId, index }) : server;
      return this.connectionNode(id, v.parentId, parent);
    }
    return undefined;
  }

  /**
   * What a change of the live state redraws now: a connection's own row, or everything when
   * servers come or go. A server's rows (its list, its figures) are redrawn later, at their pace.
   */
  apply(change: MirrorChange): Redraw<ServersNode> {
    if (change.full) {
      this.nodes.clear();
      this.parents.clear();
      return 'all';
    }
    const targets = new Set<ServersNode>();
    let root = false;
    const parentOf = (e: EntityView) => (e.parentId ? this.nodes.get(e.parentId) : undefined);
    for (const e of [...change.added, ...change.removed]) {
      if (e.kind !== 'server' && e.kind !== 'connection' && e.kind !== 'program') continue;
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
    if (root) return 'all';
    for (const e of change.changed) {
      const n = this.nodes.get(e.id);
      // A program changes with every batch it sends: its row only when what it says moved.
      if (n?.kind === 'program') {
        const key = e.kind === 'program' ? describeProgram(e) : '';
        if (this.shown.get(e.id) !== key) {
          this.shown.set(e.id, key);
          targets.add(n);
        }
        continue;
      }
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
      if (t.kind === 'server' || t.kind === 'program') this.refreshServerLater(t);
      else rows.push(t);
    }
    return rows;
  }

  /** The rows whose age moves (live connections), for the view's few-seconds redraw. */
  ageRows(): ServersNode[] {
    return [...this.nodes.values()].filter((n) => n.kind === 'connection' && this.source.get(n.id)?.endedAt === null);
  }

  dispose(): void {
    clearTimeout(this.serverTimer);
    this.serverTimer = undefined;
    this.serverPending.clear();
    this.redrawLater.dispose();
  }

  /** The server's listed connections, oldest first, as the filter allows. */
  private connections(serverId: string): ConnectionView[] {
    const accepts = CONNECTION_FILTERS[this.filter].accepts;
    return this.source
      .childrenOf(serverId)
      .filter((e): e is ConnectionView => e.kind === 'connection' && accepts(e))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  private connectionNode(id: string, serverId: string, parent: ServersNode): ServersNode {
    this.parents.set(id, parent);
    return this.nodes.node({ kind: 'connection', id, serverId });
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
    if (this.shown.get(s.id) !== this.rowKey(s, 'server') || (workers ? !s.workers : Boolean(s.workers) && Boolean(model))) {
      this.refreshServerLater(n);
      return;
    }
    if (traffic && this.shown.get(traffic.id) !== this.rowKey(s, 'traffic')) this.refreshServerLater(traffic);
    if (model && !s.workers && this.shown.get(model.id) !== this.rowKey(s, 'model')) this.refreshServerLater(model);
    if (workers && this.shown.get(workers.id) !== this.rowKey(s, 'workers')) this.refreshServerLater(workers);
  }

  /** Each server's rows are refreshed at most once a second (every 3 s when its connections are in ranges). */
  private refreshServerLater(n: ServersNode): void {
    this.serverPending.add(n);
    this.flushServerRows();
  }

  private pace(n: ServersNode): number {
    const v = n.kind === 'server' ? this.source.get(n.id) : undefined;
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
      if (!this.nodes.isCurrent(x)) {
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
    if (rows.length) this.redrawLater.fire(rows);
    if (next < Infinity) this.serverTimer = setTimeout(() => this.flushServerRows(), next);
  }
}
