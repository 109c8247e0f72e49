import * as vscode from 'vscode';
import { LABS } from '../engine/labs/catalog';
import type { LabDefinition } from '../engine/labs/lab';
import type { LabView } from '../engine/state/views';
import { labState } from './ownedTree';
import type { MirrorChange, StateMirror } from './stateMirror';

export type LabsNode = { readonly kind: 'lab'; readonly id: string; readonly name: string } | { readonly kind: 'outcome'; readonly id: string; readonly name: string };

/**
 * The Labs view: every lab of the catalog, with its latest run. The run's entity expires a few
 * seconds after it ends; its outcome is what the user came for, so this view keeps it.
 */
export class LabsTreeProvider implements vscode.TreeDataProvider<LabsNode>, vscode.Disposable {
  private readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<LabsNode | LabsNode[] | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  private readonly latest = new Map<string, LabView>();
  private readonly nodes = new Map<string, LabsNode>(LABS.map((l) => [l.name, { kind: 'lab', id: `lab:${l.name}`, name: l.name }]));
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

  getChildren(element?: LabsNode): LabsNode[] {
    if (!element) return LABS.map((l) => this.nodes.get(l.name)!);
    const run = element.kind === 'lab' ? this.latest.get(element.name) : undefined;
    return run && (run.summary || run.deadlock || run.error) ? [{ kind: 'outcome', id: `outcome:${element.name}`, name: element.name }] : [];
  }

  getParent(element: LabsNode): LabsNode | undefined {
    return element.kind === 'outcome' ? this.nodes.get(element.name) : undefined;
  }

  getTreeItem(element: LabsNode): vscode.TreeItem {
    const def = LABS.find((l) => l.name === element.name)!;
    const run = this.latest.get(element.name);
    if (element.kind === 'outcome') {
      const text = run?.summary ?? (run?.deadlock ? `deadlock: ${run.deadlock.description}` : run?.error ? `failed: ${run.error.message}` : '');
      const item = new vscode.TreeItem(text);
      item.id = element.id;
      item.tooltip = text;
      item.iconPath = new vscode.ThemeIcon(run?.deadlock && run.state === 'running' ? 'error' : run?.state === 'failed' ? 'error' : 'info');
      return item;
    }
    // VS Code keeps a row's expansion per id and would show a row that gains children later as
    // collapsed: a row with an outcome gets an id of its own, so it opens expanded.
    const hasOutcome = Boolean(run?.summary || run?.deadlock || run?.error);
    const item = new vscode.TreeItem(def.title, hasOutcome ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.id = hasOutcome ? `${element.id}/${run!.id}/${run!.state}` : element.id;
    item.description = run ? labState(run) : def.name;
    item.contextValue = run?.state === 'running' ? 'lab.running' : 'lab';
    item.iconPath = new vscode.ThemeIcon(run?.state === 'running' ? 'loading~spin' : run?.state === 'failed' ? 'error' : run?.state === 'done' ? 'pass' : 'beaker');
    item.tooltip = labTooltip(def, run);
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
    }
    if (touched.size) this.onDidChangeTreeDataEmitter.fire([...touched]);
  }

  dispose(): void {
    this.subscription.dispose();
    this.onDidChangeTreeDataEmitter.dispose();
  }
}

function labTooltip(def: LabDefinition, run: LabView | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${def.title}** (\`${def.name}\`)\n\n`);
  md.appendText(def.explanation);
  if (def.params.length) {
    md.appendMarkdown('\n\n| parameter | default | |\n|---|---|---|\n');
    for (const p of def.params) md.appendMarkdown(`| ${p.name} | ${p.interactiveDefault ?? p.default} | ${p.description} |\n`);
  }
  if (run?.output.length) md.appendCodeblock(run.output.slice(-12).join('\n'), 'text');
  return md;
}
