import * as vscode from 'vscode';
import type { EntityView, LabView } from '../../protocol/views';
import type { MirrorChange, StateMirror } from '../stateMirror';

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
const GREY = new vscode.ThemeColor('disabledForeground');

/**
 * What a finished lab run left: its entities as last seen, kept after the engine forgot them
 * (greyed) until the same lab runs again, so the threads a learner watched do not vanish the
 * moment it ends.
 */
class KeptRuns {
  private readonly views = new Map<string, EntityView>();
  private readonly children = new Map<string | null, Set<string>>();
  /** When the newest lab run began: what an earlier run leaves behind is not kept. */
  private newestRunAt = 0;

  get(id: string): EntityView | undefined {
    return this.views.get(id);
  }

  childrenOf(parentId: string | null): EntityView[] {
    return [...(this.children.get(parentId) ?? [])].map((id) => this.views.get(id)!);
  }

  /** Keeps what belongs to a lab run (the run, its threads, primitives, pools and their workers). */
  keep(removed: readonly EntityView[], lookup: (id: string) => EntityView | undefined): void {
    const batch = new Map(removed.map((e) => [e.id, e]));
    const find = (id: string) => batch.get(id) ?? lookup(id) ?? this.views.get(id);
    const labOf = (e: EntityView): EntityView | undefined => {
      for (let x: EntityView | undefined = e, depth = 0; x && depth < 4; x = x.parentId ? find(x.parentId) : undefined, depth++) if (x.kind === 'lab') return x;
      return undefined;
    };
    for (const e of removed) {
      const run = labOf(e);
      if (!run || run.createdAt < this.newestRunAt) continue;
      this.views.set(e.id, e);
      let set = this.children.get(e.parentId);
      if (!set) this.children.set(e.parentId, (set = new Set()));
      set.add(e.id);
    }
  }

  /** The next lab run starts: the rows of earlier runs go (one finished run is kept at a time). */
  forget(run: EntityView): void {
    this.newestRunAt = Math.max(this.newestRunAt, run.createdAt);
    for (const owner of this.childrenOf(null)) if (owner.id !== run.id) this.drop(owner.id);
  }

  private drop(id: string): void {
    for (const child of this.childrenOf(id)) this.drop(child.id);
    const e = this.views.get(id);
    this.views.delete(id);
    this.children.delete(id);
    if (e) this.children.get(e.parentId)?.delete(id);
  }
}

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
  private readonly kept = new KeptRuns();

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
      const v = this.get(element.id);
      if (!v || !this.spec.accepts(v) || !this.spec.refs) return [];
      return this.spec
        .refs(v, (id) => this.childrenOf(id))
        .map((r, i) => this.node({ kind: 'ref', id: `${element.id}/${r.role}/${i}/${r.targetId}`, parentId: element.id, targetId: r.targetId, role: r.role }));
    }
    return [];
  }

  /** The row of an entity this tree lists (with its owner's row, so `reveal` can walk up). */
  nodeFor(id: string): OwnedNode | undefined {
    const v = this.get(id);
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
      const o = this.get(element.id);
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
      const v = this.get(element.id);
      if (v && this.spec.accepts(v)) {
        const item = this.spec.item(v, now);
        item.id = element.id;
        const owner = this.get(element.ownerId);
        if (owner?.kind === 'lab' && owner.endedAt !== null) greyOut(item);
        // Always expandable when the kind can have rows under it: VS Code keeps a row created
        // without children collapsed, so a lock first seen free would hide its later holder.
        if (this.spec.refs) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        return item;
      }
      return new vscode.TreeItem('(ended)');
    }
    const target = this.get(element.targetId);
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
    const roots = this.childrenOf(null);
    // An ended run is listed until the next lab run is; it goes below what is live, so what
    // runs now stays in view.
    const superseded = (o: EntityView) => o.kind === 'lab' && o.endedAt !== null && roots.some((r) => r.kind === 'lab' && r.createdAt > o.createdAt && this.owned(r.id).length > 0);
    const ended = (o: EntityView) => (o.kind === 'lab' && o.endedAt !== null ? 1 : 0);
    return roots.filter((o) => this.owned(o.id).length > 0 && !superseded(o)).sort((a, b) => ended(a) - ended(b) || a.createdAt - b.createdAt);
  }

  /** An entity, live or kept from a finished run. */
  private get(id: string): EntityView | undefined {
    return this.mirror.get(id) ?? this.kept.get(id);
  }

  private childrenOf(id: string | null): EntityView[] {
    const live = this.mirror.childrenOf(id);
    const kept = this.kept.childrenOf(id).filter((e) => !this.mirror.get(e.id));
    return kept.length ? [...live, ...kept] : live;
  }

  private owned(ownerId: string): V[] {
    return this.childrenOf(ownerId)
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
    if (change.removed.length) this.kept.keep(change.removed, (id) => this.mirror.get(id));
    let rerun = false;
    for (const e of change.added) {
      if (e.kind !== 'lab') continue;
      this.kept.forget(e);
      rerun = true;
    }
    if (change.full || rerun) {
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
    // Kept rows stay; their owner's row says the run ended.
    for (const e of change.removed) {
      if (this.kept.get(e.id)) {
        if (e.kind === 'lab' && this.nodes.get(e.id)) targets.add(this.nodes.get(e.id)!);
        continue;
      }
      this.nodes.delete(e.id);
    }
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
      if (v && v.endedAt === null && this.spec.accepts(v) && this.spec.ticking(v)) rows.push(n);
    }
    if (rows.length) this.onDidChangeTreeDataEmitter.fire(rows);
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
