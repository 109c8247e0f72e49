import * as vscode from 'vscode';
import type { PoolView, PoolWorkerView, SyncView, ThreadView } from '../../protocol/views';
import { formatSeconds } from '../../protocol/describe';
import { describeSync, describeThread } from '../../protocol/describe';
import { THREAD_STATES } from '../../protocol/states';
import { poolRows, syncRows, threadRows } from '../../feeds/runtimeRows';
import type { OwnedTreeSpec } from './ownedTree';

/** Primitives that hold data (drawn as variables), not locks. */
const DATA_PRIMITIVES = new Set<SyncView['primitive']>(['Value', 'Array', 'dict', 'list', 'Namespace', 'Queue']);

function icon(name: string, color?: string): vscode.ThemeIcon {
  return new vscode.ThemeIcon(name, color ? new vscode.ThemeColor(color) : undefined);
}

/** Threads & Processes: each row says what the thread is doing and, if waiting, on what and whom. */
export const threadsSpec: OwnedTreeSpec<ThreadView> = {
  ...threadRows,
  item(t, now) {
    const item = new vscode.TreeItem(t.name);
    item.description = `${t.kind === 'process' && t.ident ? `pid ${t.ident} · ` : ''}${describeThread(t, now)}`;
    const [name, color] = THREAD_STATES[t.state].icon;
    item.iconPath = t.kind === 'process' && t.alive ? icon('server-process', color) : icon(name, color);
    item.contextValue = t.alive && t.name !== 'MainThread' ? `${t.kind}.alive` : t.kind;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${t.kind === 'process' ? vscode.l10n.t('Process {0}', t.name) : vscode.l10n.t('Thread {0}', t.name)}**${t.daemon ? ` (${vscode.l10n.t('daemon')})` : ''}\n\n`);
    md.appendMarkdown(`| | |\n|---|---|\n| ${t.kind === 'process' ? 'pid' : 'ident'} | ${t.ident ?? '—'} |\n| ${vscode.l10n.t('state')} | ${describeThread(t, now)} |\n`);
    if (t.holding.length) md.appendMarkdown(`| ${vscode.l10n.t('holds')} | ${t.holding.join(', ')} |\n`);
    if (t.exitCode !== null) md.appendMarkdown(`| exitcode | ${t.exitCode} |\n`);
    if (t.error) md.appendCodeblock(t.error.stack ?? `${t.error.type}: ${t.error.message}`, 'text');
    item.tooltip = md;
    return item;
  },
};

/** Sync: every primitive with its holder, depth and FIFO waiters (as child rows). */
export const syncSpec: OwnedTreeSpec<SyncView> = {
  ...syncRows,
  item(s) {
    const item = new vscode.TreeItem(s.name);
    item.description = describeSync(s);
    const busy = s.holderId !== null || s.waiters.length > 0;
    item.iconPath =
      s.deadlocked || s.ownerDead || s.broken
        ? icon('error', 'errorForeground')
        : s.primitive === 'Event'
          ? icon(s.value ? 'bell-dot' : 'bell', s.value ? 'charts.green' : undefined)
          : icon(DATA_PRIMITIVES.has(s.primitive) ? 'symbol-variable' : busy ? 'lock' : 'unlock', busy ? 'charts.orange' : undefined);
    item.contextValue = s.primitive === 'Event' ? (s.value ? 'sync.event.set' : 'sync.event.clear') : 'sync';
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${s.primitive} ${s.name}** — ${sharingText(s.sharing)}\n\n| | |\n|---|---|\n`);
    md.appendMarkdown(`| ${vscode.l10n.t('holder')} | ${s.holderName ?? '—'} |\n| ${vscode.l10n.t('waiting (FIFO)')} | ${s.waiters.map((w) => w.name).join(', ') || '—'} |\n`);
    md.appendMarkdown(`| ${vscode.l10n.t('acquisitions')} | ${vscode.l10n.t('{0} ({1} had to wait)', s.acquisitions, s.contended)} |\n`);
    md.appendMarkdown(
      `| ${vscode.l10n.t('wait total / max')} | ${s.totalWaitMs.toFixed(1)} / ${s.maxWaitMs.toFixed(1)} ms |\n| ${vscode.l10n.t('hold total / max')} | ${s.totalHoldMs.toFixed(1)} / ${s.maxHoldMs.toFixed(1)} ms |\n`,
    );
    item.tooltip = md;
    return item;
  },
};

function sharingText(sharing: SyncView['sharing']): string {
  switch (sharing) {
    case 'shared memory (threads)':
      return vscode.l10n.t('shared memory (threads)');
    case 'shared via broker':
      return vscode.l10n.t('shared via broker');
    case 'shared between processes':
      return vscode.l10n.t('shared between processes');
    case 'in a Manager process':
      return vscode.l10n.t('in a Manager process');
  }
}

function describeWorker(w: PoolWorkerView, now: number): string {
  const who = w.ident !== null ? `${w.workerKind === 'process' ? 'pid' : 'thread'} ${w.ident} · ` : '';
  if (w.state === 'busy' && w.task) return who + vscode.l10n.t('busy · {0} ({1}) · {2} done', w.task, formatSeconds(now - (w.taskSince ?? now)), w.tasksDone);
  if (w.state === 'exited') return who + vscode.l10n.t('exited · {0}', w.exitReason ?? '');
  return who + vscode.l10n.t('{0} · {1} done', w.state === 'idle' ? vscode.l10n.t('idle') : vscode.l10n.t('starting'), w.tasksDone);
}

/** Pools: each pool with its queue and its workers (busy with what, for how long). */
export const poolsSpec: OwnedTreeSpec<PoolView> = {
  ...poolRows,
  item(p) {
    const item = new vscode.TreeItem(p.name);
    const queue = p.queued ? vscode.l10n.t('{0} queued (oldest {1})', p.queued, formatSeconds(p.oldestWaitMs)) : vscode.l10n.t('queue empty');
    item.description = vscode.l10n.t('{0} · {1}/{2} busy · {3} · {4} done', p.state, p.busy, p.size, queue, p.tasksDone) + (p.tasksFailed ? vscode.l10n.t(' · {0} failed', p.tasksFailed) : '');
    item.iconPath = icon(p.startError ? 'error' : p.busy ? 'server-process' : 'layers', p.startError ? 'errorForeground' : p.busy ? 'charts.green' : undefined);
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**${p.name}** — ${p.poolKind === 'thread' ? vscode.l10n.t('worker threads') : vscode.l10n.t('child processes')}\n\n| | |\n|---|---|\n`);
    md.appendMarkdown(
      `| ${vscode.l10n.t('state')} | ${p.state} |\n| ${vscode.l10n.t('workers')} | ${vscode.l10n.t('{0} ({1} busy)', p.size, p.busy)} |\n| ${vscode.l10n.t('queue')} | ${p.queued} |\n| ${vscode.l10n.t('done / failed')} | ${p.tasksDone} / ${p.tasksFailed} |\n`,
    );
    md.appendMarkdown(`| ${vscode.l10n.t('workers replaced after a crash')} | ${p.workersReplaced} |\n| ${vscode.l10n.t('callbacks run on')} | ${p.callbackThread} |\n`);
    if (p.startError) md.appendCodeblock(`${p.startError.type}: ${p.startError.message}`, 'text');
    item.tooltip = md;
    return item;
  },
  refItem(target, _role, now) {
    if (target.kind !== 'worker') return undefined;
    const item = new vscode.TreeItem(target.name);
    item.description = describeWorker(target, now);
    item.iconPath = icon(
      target.state === 'busy' ? 'gear~spin' : target.state === 'exited' ? 'circle-slash' : target.state === 'starting' ? 'loading~spin' : 'circle-outline',
      target.state === 'busy' ? 'charts.green' : undefined,
    );
    return item;
  },
};
