import * as vscode from 'vscode';
import type { EntityView, LabView } from '../../protocol/views';
import { OwnedRows, type OwnedNode, type OwnedRowsSpec, type Redraw, type RowFilter } from '../../feeds/ownedRows';
import type { StateMirror } from '../../feeds/stateMirror';

export type { OwnedNode };

/** One view: what it lists (the rows, src/feeds/ownedRows.ts) and how each row looks. */
export interface OwnedTreeSpec<V extends EntityView> extends OwnedRowsSpec<V> {
  item(v: V, now: number): vscode.TreeItem;
  /** How a row under an entity shows its target (default: "role: name"). */
  refItem?(target: EntityView, role: string, now: number): vscode.TreeItem | undefined;
}

const GREY = new vscode.ThemeColor('disabledForeground');

/**
 * A tree of live entities grouped by owner, drawn from OwnedRows. Redraws touch only the rows
 * that changed (an owner's list when rows come and go), and nothing happens while the view is
 * hidden.
 */
export class OwnedTreeProvider<V extends EntityView> implements vscode.TreeDataProvider<OwnedNode>, vscode.Disposable {
  private readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<OwnedNode | OwnedNode[] | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  private readonly rows: OwnedRows<V>;
  private readonly subscription: { dispose(): void };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    mirror: StateMirror,
    private readonly spec: OwnedTreeSpec<V>,
  ) {
    this.rows = new OwnedRows(mirror, spec);
    this.subscription = mirror.onDidChange((c) => this.redraw(this.rows.apply(c)));
  }

  /** Lists only what `accepts` lets through (undefined: everything); owners with nothing left go too. */
  setFilter(filter: RowFilter<V> | undefined): void {
    this.rows.setFilter(filter);
    this.redraw('all');
  }

  get filterName(): string | undefined {
    return this.rows.filterName;
  }

  setVisible(visible: boolean): void {
    clearInterval(this.timer);
    this.timer = visible ? setInterval(() => this.redraw(this.rows.ticking()), 1000) : undefined;
    if (visible) {
      // Changes while hidden (or while the view was opening) were not drawn: draw afresh.
      this.rows.reset();
      this.redraw('all');
    }
  }

  getChildren(element?: OwnedNode): OwnedNode[] {
    return this.rows.children(element);
  }

  /** The row of an entity this tree lists (with its owner's row, so `reveal` can walk up). */
  nodeFor(id: string): OwnedNode | undefined {
    return this.rows.nodeFor(id);
  }

  getParent(element: OwnedNode): OwnedNode | undefined {
    return this.rows.parent(element);
  }

  getTreeItem(element: OwnedNode): vscode.TreeItem {
    const now = Date.now();
    if (element.kind === 'owner') {
      const o = this.rows.get(element.id);
      const item = new vscode.TreeItem(o?.name ?? element.id, vscode.TreeItemCollapsibleState.Expanded);
      item.id = element.id;
      item.contextValue = o?.kind === 'lab' && o.endedAt !== null ? 'owner.ended' : 'owner';
      if (o?.kind === 'lab') {
        item.description = o.endedAt !== null ? `${labState(o)} · kept until the lab runs again` : labState(o);
        item.iconPath = new vscode.ThemeIcon('beaker', o.endedAt !== null ? GREY : undefined);
      } else if (o?.kind === 'server') {
        item.description = `${o.model} server`;
        item.iconPath = new vscode.ThemeIcon('radio-tower');
      }
      return item;
    }
    if (element.kind === 'entity') {
      const v = this.rows.entity(element);
      if (v) {
        const item = this.spec.item(v, now);
        item.id = element.id;
        const owner = this.rows.get(element.ownerId);
        if (owner?.kind === 'lab' && owner.endedAt !== null) greyOut(item);
        // Always expandable when the kind can have rows under it: VS Code keeps a row created
        // without children collapsed, so a lock first seen free would hide its later holder.
        if (this.spec.refs) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        return item;
      }
      return new vscode.TreeItem('(ended)');
    }
    const target = this.rows.get(element.targetId);
    const custom = target && this.spec.refItem?.(target, element.role, now);
    if (custom) {
      custom.id = element.id;
      return custom;
    }
    const item = new vscode.TreeItem(`${element.role}: ${target?.name ?? element.targetId}`);
    item.id = element.id;
    item.command = { command: 'socketLab.revealInTree', title: 'Reveal', arguments: [element.targetId] };
    item.tooltip = `Click to show ${target?.name ?? 'it'} in its view`;
    item.iconPath = new vscode.ThemeIcon(element.role === 'holder' ? 'key' : 'watch');
    return item;
  }

  private redraw(what: Redraw): void {
    if (what === 'all') this.onDidChangeTreeDataEmitter.fire(undefined);
    else if (what.length) this.onDidChangeTreeDataEmitter.fire([...what]);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.onDidChangeTreeDataEmitter.dispose();
  }
}

/** A finished run's row: greyed icon, no actions. */
function greyOut(item: vscode.TreeItem): void {
  if (item.iconPath instanceof vscode.ThemeIcon) item.iconPath = new vscode.ThemeIcon(item.iconPath.id, GREY);
  if (item.contextValue && !item.contextValue.endsWith('.ended')) item.contextValue = `${item.contextValue.replace(/\.(alive|event\.set|event\.clear)$/, '')}.ended`;
}

export function labState(l: LabView): string {
  if (l.state === 'running') return l.deadlock ? 'running · deadlocked' : 'running';
  return l.state;
}
