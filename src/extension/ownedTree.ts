import * as vscode from 'vscode';
import type { EntityView, LabView } from '../engine/state/views';
import type { MirrorChange, StateMirror } from './stateMirror';

/** Rows: an owner (a lab; later a server or pool), an entity it owns, or a reference row under one. */
export type OwnedNode =
  | { readonly kind: 'owner'; readonly id: string }
  | { readonly kind: 'entity'; readonly id: string; readonly ownerId: string }
  | { readonly kind: 'ref'; readonly id: string; readonly parentId: string; readonly targetId: string; readonly role: string };

export interface OwnedTreeSpec<V extends EntityView> {
  /** Which entities this tree lists. */
  accepts(e: EntityView): e is V;
  item(v: V, now: number): vscode.TreeItem;
  /** Rows under an entity (a lock's holder and waiters, a pool's workers). */
  refs?(v: V, childrenOf: (id: string) => readonly EntityView[]): { readonly targetId: string; readonly role: string }[];
  /** How a row under an entity shows its target (default: "role: name"). */
  refItem?(target: EntityView, role: string, now: number): vscode.TreeItem | undefined;
  /** Rows whose text moves with time (waiting for 1.2 s): refreshed every second while visible. */
  ticking?(v: V): boolean;
}

const MAX_ROWS = 300;

/**
 * A tree of live entities grouped by owner. Refreshes touch only the rows that changed (an
 * owner's list when rows come and go), and nothing happens while the view is hidden.
 */
export class OwnedTreeProvider<V extends EntityView> implements vscode.TreeDataProvider<OwnedNode>, vscode.Disposable {
  private readonly onDidChangeTreeDataEmitter = new vscode.EventEmitter<OwnedNode | OwnedNode[] | undefined>();
  readonly onDidChangeTreeData = this.onDidChangeTreeDataEmitter.event;
  private readonly nodes = new Map<string, OwnedNode>();
  private readonly subscription: vscode.Disposable;
  private timer: NodeJS.Timeout | undefined;
  private filter: { readonly name: string; accepts(v: V): boolean } | undefined;

  constructor(
    private readonly mirror: StateMirror,
    private readonly spec: OwnedTreeSpec<V>,
  ) {
    this.subscription = mirror.onDidChange((c) => this.onMirrorChange(c));
  }

  /** Lists only what `accepts` lets through (undefined: everything); owners with nothing left go too. */
  setFilter(filter: { readonly name: string; accepts(v: V): boolean } | undefined): void {
    this.filter = filter;
    this.nodes.clear();
    this.onDidChangeTreeDataEmitter.fire(undefined);
  }

  get filterName(): string | undefined {
    return this.filter?.name;
  }

  setVisible(visible: boolean): void {
    clearInterval(this.timer);
    this.timer = visible ? setInterval(() => this.tick(), 1000) : undefined;
    if (visible) {
      // Changes while hidden (or while the view was opening) were not drawn: draw afresh.
      this.nodes.clear();
      this.onDidChangeTreeDataEmitter.fire(undefined);
    }
  }

  getChildren(element?: OwnedNode): OwnedNode[] {
    if (!element) {
      return this.owners().map((o) => this.node({ kind: 'owner', id: o.id }));
    }
    if (element.kind === 'owner') {
      return this.owned(element.id)
        .slice(0, MAX_ROWS)
        .map((v) => this.node({ kind: 'entity', id: v.id, ownerId: element.id }));
    }
    if (element.kind === 'entity') {
      const v = this.mirror.get(element.id);
      if (!v || !this.spec.accepts(v) || !this.spec.refs) return [];
      return this.spec.refs(v, (id) => this.mirror.childrenOf(id)).map((r, i) => this.node({ kind: 'ref', id: `${element.id}/${r.role}/${i}/${r.targetId}`, parentId: element.id, targetId: r.targetId, role: r.role }));
    }
    return [];
  }

  /** The row of an entity this tree lists (with its owner's row, so `reveal` can walk up). */
  nodeFor(id: string): OwnedNode | undefined {
    const v = this.mirror.get(id);
    if (!v || !this.spec.accepts(v) || !v.parentId) return undefined;
    this.node({ kind: 'owner', id: v.parentId });
    return this.node({ kind: 'entity', id, ownerId: v.parentId });
  }

  getParent(element: OwnedNode): OwnedNode | undefined {
    if (element.kind === 'owner') return undefined;
    if (element.kind === 'entity') return this.nodes.get(element.ownerId);
    return this.nodes.get(element.parentId);
  }

  getTreeItem(element: OwnedNode): vscode.TreeItem {
    const now = Date.now();
    if (element.kind === 'owner') {
      const o = this.mirror.get(element.id);
      const item = new vscode.TreeItem(o?.name ?? element.id, vscode.TreeItemCollapsibleState.Expanded);
      item.id = element.id;
      item.contextValue = 'owner';
      if (o?.kind === 'lab') {
        item.description = labState(o);
        item.iconPath = new vscode.ThemeIcon('beaker');
      } else if (o?.kind === 'server') {
        item.description = `${o.model} server`;
        item.iconPath = new vscode.ThemeIcon('radio-tower');
      }
      return item;
    }
    if (element.kind === 'entity') {
      const v = this.mirror.get(element.id);
      if (v && this.spec.accepts(v)) {
        const item = this.spec.item(v, now);
        item.id = element.id;
        // Always expandable when the kind can have rows under it: VS Code keeps a row created
        // without children collapsed, so a lock first seen free would hide its later holder.
        if (this.spec.refs) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        return item;
      }
      return new vscode.TreeItem('(ended)');
    }
    const target = this.mirror.get(element.targetId);
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

  private owners(): EntityView[] {
    const ids = new Set<string>();
    for (const root of this.mirror.childrenOf(null)) if (this.owned(root.id).length) ids.add(root.id);
    return [...ids].map((id) => this.mirror.get(id)!).sort((a, b) => a.createdAt - b.createdAt);
  }

  private owned(ownerId: string): V[] {
    return this.mirror
      .childrenOf(ownerId)
      .filter((e): e is V => this.spec.accepts(e) && (!this.filter || this.filter.accepts(e)))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  private node<N extends OwnedNode>(n: N): N {
    const existing = this.nodes.get(n.id);
    if (existing) return existing as N;
    this.nodes.set(n.id, n);
    return n;
  }

  private onMirrorChange(change: MirrorChange): void {
    if (change.full) {
      this.nodes.clear();
      this.onDidChangeTreeDataEmitter.fire(undefined);
      return;
    }
    const targets = new Set<OwnedNode>();
    let root = false;
    for (const e of [...change.added, ...change.removed, ...change.changed]) {
      // A child of a listed entity (a pool's worker) shows in its parent's rows.
      const parent = e.parentId ? this.nodes.get(e.parentId) : undefined;
      if (!this.spec.accepts(e) && parent?.kind === 'entity') targets.add(parent);
    }
    for (const e of [...change.added, ...change.removed]) {
      if (!this.spec.accepts(e)) continue;
      const owner = e.parentId ? this.nodes.get(e.parentId) : undefined;
      // An owner's row appears with its first entity (unknown until then) and goes with its last.
      if (!owner || this.owned(e.parentId!).length === 0) root = true;
      else targets.add(owner);
    }
    for (const e of change.removed) this.nodes.delete(e.id);
    for (const e of change.changed) {
      // Filtered: a change of state may add or drop the row, so its owner lists again.
      if (this.filter && this.spec.accepts(e) && e.parentId) {
        const owner = this.nodes.get(e.parentId);
        if (owner && this.owned(e.parentId).length > 0) targets.add(owner);
        else root = true;
        continue;
      }
      const n = this.nodes.get(e.id);
      if (!n) continue;
      if (n.kind === 'owner') targets.add(n);
      else if (n.kind === 'entity' && !targets.has(this.nodes.get(n.ownerId)!)) {
        targets.add(n);
      }
    }
    if (root) this.onDidChangeTreeDataEmitter.fire(undefined);
    else if (targets.size) this.onDidChangeTreeDataEmitter.fire([...targets]);
  }

  private tick(): void {
    if (!this.spec.ticking) return;
    const rows: OwnedNode[] = [];
    for (const n of this.nodes.values()) {
      if (n.kind !== 'entity') continue;
      const v = this.mirror.get(n.id);
      if (v && this.spec.accepts(v) && this.spec.ticking(v)) rows.push(n);
    }
    if (rows.length) this.onDidChangeTreeDataEmitter.fire(rows);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.onDidChangeTreeDataEmitter.dispose();
  }
}

export function labState(l: LabView): string {
  if (l.state === 'running') return l.deadlock ? 'running · deadlocked' : 'running';
  return l.state;
}
