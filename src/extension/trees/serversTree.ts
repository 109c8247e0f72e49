import * as vscode from 'vscode';
import type { ConnectionView, ServerView } from '../../protocol/views';
import { formatAge, formatBytes, formatRate } from '../../protocol/format';
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
  const kind = s.transport === 'unix' ? 'Unix stream' : s.transport.toUpperCase();
  md.appendMarkdown(`**${vscode.l10n.t('{0} server', kind)}** ${vscode.l10n.t('on {0}', `\`${s.address}\``)}\n\n| | |\n|---|---|\n`);
  const row = (label: string, value: string | number) => md.appendMarkdown(`| ${label} | ${value} |\n`);
  row(vscode.l10n.t('model'), s.model);
  row(vscode.l10n.t('handler'), s.handler);
  row(vscode.l10n.t('state'), s.state);
  row(s.transport === 'udp' ? vscode.l10n.t('live peers') : vscode.l10n.t('live connections'), s.liveConnections);
  row(s.transport === 'udp' ? vscode.l10n.t('peers seen') : vscode.l10n.t('connections accepted'), s.totalConnections);
  row(vscode.l10n.t('handler errors'), s.handlerErrors);
  row(vscode.l10n.t('backlog · recv size'), vscode.l10n.t('{0} · {1} bytes', s.backlog, s.recvSize));
  row(vscode.l10n.t('max connections · idle timeout'), `${s.maxConnections || vscode.l10n.t('no limit')} · ${s.idleTimeoutMs ? `${s.idleTimeoutMs / 1000} s` : vscode.l10n.t('off')}`);
  if (s.workers) {
    const w = s.workers;
    row(w.kind === 'thread' ? vscode.l10n.t('threads') : vscode.l10n.t('child processes'), vscode.l10n.t('{0} alive ({1} busy, {2} idle), cap {3}', w.live, w.busy, w.idle, w.cap));
    if (w.queued) row(vscode.l10n.t('queued'), w.queued);
    if (w.capNote) row('⚠', w.capNote);
  }
  if (s.waiting && !s.workers) row(vscode.l10n.t('waiting for their turn'), s.waiting);
  if (s.refused) row(vscode.l10n.t('refused'), vscode.l10n.t('{0} (last: {1})', s.refused, s.lastRefusal ?? ''));
  if (s.lastError) row(`⚠ ${vscode.l10n.t('last error')}`, s.lastError);
  md.appendMarkdown(`\n${vscode.l10n.t('Traffic, bytes and response times: the **traffic** row under it.')}`);
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
  const title = w.kind === 'thread' ? vscode.l10n.t('Threads of {0} ({1})', `\`${s.address}\``, s.model) : vscode.l10n.t('Child processes of {0} ({1})', `\`${s.address}\``, s.model);
  md.appendMarkdown(`**${title}**\n\n| | |\n|---|---|\n`);
  md.appendMarkdown(
    `| ${vscode.l10n.t('alive')} | ${w.live} |\n| ${vscode.l10n.t('busy (serving a connection)')} | ${w.busy} |\n| ${vscode.l10n.t('idle (waiting for one)')} | ${w.idle} |\n| ${vscode.l10n.t('cap')} | ${w.cap} |\n`,
  );
  if (w.queued) md.appendMarkdown(`| ${vscode.l10n.t('connections waiting for one')} | ${w.queued} |\n`);
  if (w.capNote) md.appendMarkdown(`| ⚠ | ${w.capNote} |\n`);
  md.appendMarkdown(`\n${vscode.l10n.t('Each is listed in **Threads & Processes** with what it is doing.')}`);
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
  md.appendMarkdown(`**${vscode.l10n.t('Traffic of {0}', `\`${s.address}\``)}**\n\n| | |\n|---|---|\n`);
  md.appendMarkdown(
    `| ${vscode.l10n.t('bytes in / out')} | ${formatBytes(s.bytesIn)} / ${formatBytes(s.bytesOut)} |\n| ${vscode.l10n.t('messages in')} | ${s.messagesIn} (${formatRate(s.messagesInPerSecond)}/s) |\n`,
  );
  if (s.responseTime) {
    const r = s.responseTime;
    md.appendMarkdown(
      `| ${vscode.l10n.t('response time (last {0} s, {1} replies)', (r.windowMs / 1000).toFixed(1), r.replies)} | p50 ${formatMsShort(r.p50Ms)} · p99 ${formatMsShort(r.p99Ms)} · max ${formatMsShort(r.maxMs)} |\n`,
    );
  }
  if (s.model === 'event-loop' && s.recentRounds.length) {
    md.appendMarkdown(
      `\n**${vscode.l10n.t('Readiness rounds')}** (${vscode.l10n.t('what `select()` returned; {0} so far, newest first', s.rounds)})\n\n| ${vscode.l10n.t('readable')} | ${vscode.l10n.t('writable')} | ${vscode.l10n.t('sockets')} |\n|---|---|---|\n`,
    );
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
  const from = `\`${c.peer}\``;
  const to = `\`${c.local}\``;
  md.appendMarkdown(`**${c.transport === 'udp' ? vscode.l10n.t('UDP peer {0} to {1}', from, to) : vscode.l10n.t('Connection from {0} to {1}', from, to)}**\n\n`);
  md.appendMarkdown(`| | |\n|---|---|\n| ${vscode.l10n.t('state')} | ${c.state}${c.closeReason ? ` (${c.closeReason})` : ''} |\n`);
  if (c.waitingReason) md.appendMarkdown(`| ${vscode.l10n.t('waiting')} | ${c.waitingReason} |\n`);
  md.appendMarkdown(`| ${vscode.l10n.t('served by')} | ${c.servedBy}${c.servedByState ? ` — ${c.servedByState}` : ''} |\n| ${vscode.l10n.t('handler phase')} | ${c.phase} |\n`);
  md.appendMarkdown(
    `| ${vscode.l10n.t('in')} | ${
      c.transport === 'udp'
        ? vscode.l10n.t('{0} in {1} datagrams, {2} recv calls (last {3}, most {4} per datagram)', formatBytes(c.bytesIn), c.messagesIn, c.reads, c.readsLastMessage, c.readsMaxMessage)
        : vscode.l10n.t('{0} in {1} segments, {2} recv calls (last {3}, most {4} per segment)', formatBytes(c.bytesIn), c.messagesIn, c.reads, c.readsLastMessage, c.readsMaxMessage)
    } |\n`,
  );
  md.appendMarkdown(`| ${vscode.l10n.t('out')} | ${vscode.l10n.t('{0} in {1} sends', formatBytes(c.bytesOut), c.messagesOut)} |\n`);
  md.appendMarkdown(`| ${vscode.l10n.t('back-pressure')} | ${c.backpressure ? vscode.l10n.t('paused: the peer is not reading (or the handler is behind)') : vscode.l10n.t('no')} |\n`);
  md.appendMarkdown(`| ${vscode.l10n.t('age')} | ${formatAge(end - c.createdAt)} |\n| ${vscode.l10n.t('idle')} | ${formatAge(Date.now() - c.lastActivityAt)} |\n`);
  if (c.lastReceived) md.appendCodeblock(c.lastReceived, 'text');
  if (c.error) md.appendCodeblock(c.error.stack ?? `${c.error.type}: ${c.error.message}`, 'text');
  item.tooltip = md;
  return item;
}

/** Response times are often under a millisecond: two significant digits there. */
function formatMsShort(ms: number): string {
  return ms < 1 ? `${ms.toPrecision(2)} ms` : `${ms.toFixed(1)} ms`;
}
