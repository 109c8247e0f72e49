import * as vscode from 'vscode';
import { LABS } from '../../engine/labs/catalog';
import { GROUP_TITLES, LAB_GROUPS, type LabDefinition, type LabGroup } from '../../engine/labs/lab';
import type { LabView } from '../../protocol/views';
import { describeProgress } from '../../protocol/describe';
import { wrapProse } from '../../protocol/format';
import { tr } from '../../protocol/l10n';
import { labState } from './ownedTree';
import type { MirrorChange, StateMirror } from '../../feeds/stateMirror';

export type LabsNode =
  | { readonly kind: 'group'; readonly id: string; readonly group: LabGroup }
  | { readonly kind: 'lab'; readonly id: string; readonly name: string }
  | { readonly kind: 'outcome'; readonly id: string; readonly name: string; readonly line: number };

/**
 * Tree rows do not wrap: an outcome is broken into rows this long, which fit the sidebar at its
 * default width two levels deep (measured in code-server at 1400 px).
 */
const OUTCOME_LINE_CHARS = 34;
/** A run shorter than this needs no progress: it is over before anyone reads it. */
const PROGRESS_AFTER_MS = 3000;

function groupOf(name: string): LabGroup {
  return LABS.find((l) => l.name === name)?.group ?? 'threads';
}

/**
 * The Labs view: the catalog grouped as the tutorials are (collapsible, so every lab is a click
 * away at the sidebar's default height), each lab with its latest run. The run's entity expires
 * a few seconds after it ends; its outcome is what the user came for, so this view keeps it.
 */
export class LabsTreeProvider implements vscode.TreeDataProvider<LabsNode>, vscode.Disposable {
  private readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<LabsNode | LabsNode[] | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  private readonly latest = new Map<string, LabView>();
  private readonly nodes = new Map<string, LabsNode>(LABS.map((l) => [l.name, { kind: 'lab', id: `lab:${l.name}`, name: l.name }]));
  private readonly groups = new Map<LabGroup, LabsNode>(LAB_GROUPS.map((g) => [g, { kind: 'group', id: `group:${g}`, group: g }]));
  private readonly subscription: vscode.Disposable;

  constructor(mirror: StateMirror) {
    this.subscription = mirror.onDidChange((c) => this.onMirrorChange(c));
  }

  latestRun(name: string): LabView | undefined {
    return this.latest.get(name);
  }

  nodeFor(name: string): LabsNode | undefined {
    return this.nodes.get(name);
  }

  /** The last row of a lab's outcome, once the view has it (to scroll the whole outcome into view). */
  lastOutcomeNode(name: string): LabsNode | undefined {
    const lab = this.nodes.get(name);
    return lab ? this.getChildren(lab).at(-1) : undefined;
  }

  getChildren(element?: LabsNode): LabsNode[] {
    // Groups without labs (no socket labs yet) are not listed.
    if (!element) return LAB_GROUPS.filter((g) => LABS.some((l) => l.group === g)).map((g) => this.groups.get(g)!);
    if (element.kind === 'group') return LABS.filter((l) => l.group === element.group).map((l) => this.nodes.get(l.name)!);
    if (element.kind !== 'lab') return [];
    const run = this.latest.get(element.name);
    return outcomeLines(run).map((_, line) => ({ kind: 'outcome', id: `outcome:${element.name}:${run!.id}:${line}`, name: element.name, line }));
  }

  getParent(element: LabsNode): LabsNode | undefined {
    if (element.kind === 'group') return undefined;
    if (element.kind === 'lab') return this.groups.get(groupOf(element.name));
    return this.nodes.get(element.name);
  }

  getTreeItem(element: LabsNode): vscode.TreeItem {
    if (element.kind === 'group') return this.groupItem(element.group);
    const def = LABS.find((l) => l.name === element.name)!;
    const run = this.latest.get(element.name);
    if (element.kind === 'outcome') {
      const text = outcomeText(run);
      const item = new vscode.TreeItem(outcomeLines(run)[element.line] ?? '');
      item.id = element.id;
      item.tooltip = text;
      // Only the first row carries the icon: the rest read as its continuation.
      if (element.line === 0) item.iconPath = new vscode.ThemeIcon(run?.deadlock && run.state === 'running' ? 'error' : run?.state === 'failed' ? 'error' : 'info');
      item.contextValue = 'lab.outcome';
      item.command = { command: 'socketLab.showLabOutput', title: vscode.l10n.t('Show Lab Output') };
      return item;
    }
    // VS Code keeps a row's expansion per id and would show a row that gains children later as
    // collapsed: a row with an outcome gets an id of its own, so it opens expanded.
    const hasOutcome = outcomeLines(run).length > 0;
    const item = new vscode.TreeItem(tr(def.title), hasOutcome ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = hasOutcome ? `${element.id}/${run!.id}/${run!.state}` : element.id;
    item.description = run ? labDescription(run) : def.name;
    item.contextValue = run?.state === 'running' ? 'lab.running' : 'lab';
    item.iconPath = new vscode.ThemeIcon(run?.state === 'running' ? 'loading~spin' : run?.state === 'failed' ? 'error' : run?.state === 'done' ? 'pass' : 'beaker');
    item.tooltip = labTooltip(def, run);
    return item;
  }

  private groupItem(group: LabGroup): vscode.TreeItem {
    const labs = LABS.filter((l) => l.group === group);
    const running = labs.filter((l) => this.latest.get(l.name)?.state === 'running').length;
    const item = new vscode.TreeItem(tr(GROUP_TITLES[group]), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `group:${group}`;
    const count = labs.length === 1 ? vscode.l10n.t('1 lab') : vscode.l10n.t('{0} labs', labs.length);
    item.description = running ? vscode.l10n.t('{0} · {1} running', count, running) : count;
    item.tooltip = labs.map((l) => tr(l.title)).join('\n');
    item.contextValue = 'labGroup';
    item.iconPath = new vscode.ThemeIcon('folder-library');
    return item;
  }

  private onMirrorChange(change: MirrorChange): void {
    const touched = new Set<LabsNode>();
    for (const e of [...change.added, ...change.changed]) {
      if (e.kind !== 'lab') continue;
      const previous = this.latest.get(e.lab);
      if (previous && previous.createdAt > e.createdAt) continue;
      this.latest.set(e.lab, e);
      touched.add(this.nodes.get(e.lab)!);
      // The group row counts running labs: only when that changed.
      if (previous?.state !== e.state || previous.id !== e.id) touched.add(this.groups.get(groupOf(e.lab))!);
    }
    if (touched.size) this.onDidChangeTreeDataEmitter.fire([...touched]);
  }

  dispose(): void {
    this.subscription.dispose();
    this.onDidChangeTreeDataEmitter.dispose();
  }
}

function outcomeText(run: LabView | undefined): string {
  return run?.summary ?? (run?.deadlock ? vscode.l10n.t('deadlock: {0}', run.deadlock.description) : run?.error ? vscode.l10n.t('failed: {0}', run.error.message) : '');
}

function outcomeLines(run: LabView | undefined): string[] {
  return wrapProse(outcomeText(run), OUTCOME_LINE_CHARS);
}

/** `running · 40% · 6 s left` once a run has gone on long enough to be waited for. */
function labDescription(run: LabView, now = Date.now()): string {
  const state = labState(run);
  const p = run.progress;
  if (run.state !== 'running' || !p) return state;
  const elapsed = now - run.createdAt;
  const long = elapsed >= PROGRESS_AFTER_MS || (p.leftMs !== null && elapsed + p.leftMs >= PROGRESS_AFTER_MS);
  return long ? `${state} · ${describeProgress(p)}` : state;
}

function labTooltip(def: LabDefinition, run: LabView | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${tr(def.title)}** (\`${def.name}\`)\n\n`);
  md.appendText(tr(def.explanation));
  if (def.params.length) {
    md.appendMarkdown(`\n\n| ${vscode.l10n.t('parameter')} | ${vscode.l10n.t('watch')} | ${vscode.l10n.t('fast')} | |\n|---|---|---|---|\n`);
    for (const p of def.params) md.appendMarkdown(`| ${p.name} | ${p.watchDefault ?? p.interactiveDefault ?? p.default} | ${p.interactiveDefault ?? p.default} | ${tr(p.description)} |\n`);
  }
  if (run?.progress) md.appendMarkdown(`\n\n${describeProgress(run.progress)}`);
  if (run?.output.length) md.appendCodeblock(run.output.slice(-12).join('\n'), 'text');
  return md;
}
