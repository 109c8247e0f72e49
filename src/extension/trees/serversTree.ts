import * as vscode from 'vscode';
import type { ConnectionView, ServerView } from '../../protocol/views';
import { formatAge, formatBytes, formatRate, plural } from '../../protocol/format';
import { ServersRows, type ConnectionFilter, type ServersNode } from '../../feeds/serversRows';
import type { StateMirror } from '../../feeds/stateMirror';
import { RowsTreeProvider } from './rowsTree';
import { describeProgram } from '../../protocol/describe';
import { programTooltip } from './programRow';

export type { ServersNode };

/** The Servers view: the rows of ServersRows (src/feeds/serversRows.ts), drawn. */
export class ServersTreeProvider extends RowsTreeProvider<ServersNode> {
  private readonly servers: ServersRows;

  constructor(mirror: StateMirror) {
    const rows = new ServersRows(mirror, (s, row) => itemKey(row === 'server' ? serverItem(s) : row === 'traffic' ? trafficItem(s) : row === 'model' ? modelItem(s) : workersItem(s)));
    super(mirror, rows);
    this.servers = rows;
  }

  get connectionFilter(): ConnectionFilter {
    return this.servers.connectionFilter;
  }

  setConnectionFilter(filter: ConnectionFilter): void {
    this.servers.setConnectionFilter(filter);
    this.redraw('all');
  }

  protected row(element: ServersNode): vscode.TreeItem {
    const view = this.servers.view(element);
    if (element.kind === 'traffic' || element.kind === 'model' || element.kind === 'workers') {
      const item = view?.kind !== 'server' ? new vscode.TreeItem(element.kind) : element.kind === 'traffic' ? trafficItem(view) : element.kind === 'model' ? modelItem(view) : workersItem(view);
      item.id = element.id;
      this.servers.drawn(element, itemKey(item));
      return item;
    }
    if (element.kind === 'range') {
      const { first, last, total } = this.servers.range(element);
      const item = new vscode.TreeItem(`connections ${first}–${last}`, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = element.id;
      item.description = `of ${total}`;
      item.iconPath = new vscode.ThemeIcon('list-tree');
      return item;
    }
    if (view?.kind === 'program') {
      const item = new vscode.TreeItem(view.name, vscode.TreeItemCollapsibleState.Expanded);
      item.id = view.id;
      item.description = describeProgram(view);
      item.iconPath = new vscode.ThemeIcon(
        view.state === 'exited' ? 'debug-stop' : 'run',
        view.state === 'exited' ? new vscode.ThemeColor('disabledForeground') : new vscode.ThemeColor('charts.green'),
      );
      item.contextValue = view.state === 'exited' ? 'program.ended' : 'program.running';
      item.tooltip = programTooltip(view);
      return item;
    }
    if (view?.kind === 'server') {
      const item = serverItem(view);
      this.servers.drawn(element, itemKey(item));
      return item;
    }
    if (view?.kind === 'connection') return connectionItem(view);
    const gone = new vscode.TreeItem('(ended)');
    gone.id = element.id;
    return gone;
  }
}

function serverItem(s: ServerView): vscode.TreeItem {
  const label = s.path !== null ? `UNIX ${s.path}` : `${s.transport.toUpperCase()} ${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;
  const item = new vscode.TreeItem(label);
  item.id = s.id;
  item.contextValue = s.traced ? (s.state === 'listening' ? 'server.traced' : 'server.traced.stopped') : s.state === 'listening' ? 'server' : 'server.stopping';
  // Always expandable: VS Code does not expand a row that was created without children.
  item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
  // Short, so the row reads in full at the sidebar's default width (measured: about 90 px are
  // left after the address): the model and its threads or children, the connection count and the
  // figures are in the rows under it and in the hover.
  const parts = [s.handler];
  if (s.state !== 'listening') parts.push(s.state);
  const waiting = s.workers?.queued ?? s.waiting;
  if (waiting > 0) parts.push(vscode.l10n.t('{0} waiting', waiting));
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
    iterative: vscode.l10n.t('Like socketserver.TCPServer: one client is served until it leaves; the others wait for their turn.'),
    'event-loop': vscode.l10n.t('Like a select() server: one thread serves every socket as it becomes ready. Hover the traffic row for the last readiness rounds.'),
    'thread-per-connection': vscode.l10n.t('Like ThreadingTCPServer: a real worker thread per connection, whose recv() blocks.'),
    'process-per-connection': vscode.l10n.t('Like ForkingTCPServer, as a prefork server: warm child processes each take one connection.'),
    'thread-pool': vscode.l10n.t('A fixed set of threads; extra connections wait for one.'),
  };
  if (s.model === 'iterative') item.description = s.waiting ? vscode.l10n.t('one client at a time · {0} waiting', s.waiting) : vscode.l10n.t('one client at a time');
  else if (s.model === 'event-loop') item.description = vscode.l10n.t('one thread serves every ready socket');
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
  const item = new vscode.TreeItem(w.kind === 'thread' ? vscode.l10n.t('threads') : vscode.l10n.t('children'));
  item.contextValue = 'workers';
  const parts = [vscode.l10n.t('{0} busy', w.busy), vscode.l10n.t('{0} idle', w.idle)];
  const starting = w.live - w.busy - w.idle;
  if (starting > 0) parts.push(vscode.l10n.t('{0} starting', starting));
  parts.push(vscode.l10n.t('cap {0}', w.cap));
  if (w.queued) parts.push(vscode.l10n.t('{0} waiting', w.queued));
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
  const item = new vscode.TreeItem(vscode.l10n.t('traffic'));
  item.contextValue = 'traffic';
  const n = s.liveConnections;
  const parts: string[] = [s.transport === 'udp' ? (n === 1 ? vscode.l10n.t('1 peer') : vscode.l10n.t('{0} peers', n)) : n === 1 ? vscode.l10n.t('1 conn') : vscode.l10n.t('{0} conns', n)];
  if (s.messagesInPerSecond > 0) parts.push(vscode.l10n.t('{0} msgs/s', formatRate(s.messagesInPerSecond)));
  else parts.push(s.messagesIn > 0 ? vscode.l10n.t('idle') : vscode.l10n.t('no messages yet'));
  parts.push(vscode.l10n.t('{0} in, {1} out', formatBytes(s.bytesIn), formatBytes(s.bytesOut)));
  if (s.responseTime) parts.push(vscode.l10n.t('reply p50 {0}', formatMsShort(s.responseTime.p50Ms)));
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
  if (c.state === 'waiting') parts.push(c.waitingReason ?? vscode.l10n.t('waiting'));
  else {
    if (c.servedById) parts.push(vscode.l10n.t('served by {0}', c.servedBy) + (c.servedByState ? ` · ${c.servedByState}` : ''));
    parts.push(`↓${formatBytes(c.bytesIn)} ↑${formatBytes(c.bytesOut)}`, c.messagesIn === 1 ? vscode.l10n.t('1 msg') : vscode.l10n.t('{0} msgs', c.messagesIn));
  }
  parts.push(formatAge(end - c.createdAt));
  if (c.state !== 'open' && c.state !== 'waiting') parts.unshift(c.state);
  if (c.backpressure) parts.unshift(vscode.l10n.t('paused: back-pressure'));
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
