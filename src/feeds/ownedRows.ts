// The rows of the Threads & Processes, Sync and Pools views, as plain data: which rows exist
// (owners, the entities they own, rows under an entity), which parent each has, and which rows a
// change of the live state redraws. No `vscode` here: unit-tested against a real engine's state
// mirror; src/extension/trees/ownedTree.ts turns these rows into VS Code tree items.
import type { EntityView } from '../protocol/views';
import { NodeCache, type Redraw as RedrawOf } from './nodeCache';
import type { EntityLookup, RowModel } from './rowModel';
import type { MirrorChange } from './stateMirror';

/** Rows: an owner (a lab run, a Python program, a server), an entity it owns, or a reference row under one. */
export type OwnedNode =
  | { readonly kind: 'owner'; readonly id: string }
  | { readonly kind: 'entity'; readonly id: string; readonly ownerId: string }
  | { readonly kind: 'ref'; readonly id: string; readonly parentId: string; readonly targetId: string; readonly role: string };

/** What one view lists, without how a row looks. */
export interface OwnedRowsSpec<V extends EntityView> {
  /** Which entities this tree lists. */
  accepts(e: EntityView): e is V;
  /** Rows under an entity (a lock's holder and waiters, a pool's workers). */
  refs?(v: V, childrenOf: (id: string) => readonly EntityView[]): { readonly targetId: string; readonly role: string }[];
  /** Rows whose text moves with time (waiting for 1.2 s): redrawn every second while visible. */
  ticking?(v: V): boolean;
}

export interface RowFilter<V> {
  readonly name: string;
  accepts(v: V): boolean;
}

/** What to redraw: every row, these rows, or nothing. */
export type Redraw = RedrawOf<OwnedNode>;

/** An owner lists at most this many rows. */
export const MAX_ROWS = 300;

/** A run whose entities are kept after it ends: a lab's, or a traced Python program's. */
function isRun(e: EntityView): boolean {
  return e.kind === 'lab' || e.kind === 'program';
}

/**
 * What a finished lab run (or program) left: its entities as last seen, kept after the engine forgot them
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
      for (let x: EntityView | undefined = e, depth = 0; x && depth < 4; x = x.parentId ? find(x.parentId) : undefined, depth++) if (isRun(x)) return x;
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
 * The rows of a tree of live entities grouped by owner. One canonical node object per id, so a
 * targeted redraw finds the row VS Code holds.
 */
export class OwnedRows<V extends EntityView> implements RowModel<OwnedNode> {
  private readonly nodes = new NodeCache<OwnedNode>();
  private filter: RowFilter<V> | undefined;
  private readonly kept = new KeptRuns();
  /** A waiting or sleeping thread's time, a busy pool's: redrawn every second. */
  readonly timed = { periodMs: 1000, rows: () => this.ticking() };

  constructor(
    private readonly source: EntityLookup,
    readonly spec: OwnedRowsSpec<V>,
  ) {}

  /** Lists only what `accepts` lets through (undefined: everything); owners with nothing left go too. */
  setFilter(filter: RowFilter<V> | undefined): void {
    this.filter = filter;
    this.nodes.clear();
  }

  get filterName(): string | undefined {
    return this.filter?.name;
  }

  /** Forgets the nodes handed out (the view is drawn afresh). */
  reset(): void {
    this.nodes.clear();
  }

  children(element?: OwnedNode): OwnedNode[] {
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

  parent(element: OwnedNode): OwnedNode | undefined {
    if (element.kind === 'owner') return undefined;
    if (element.kind === 'entity') return this.nodes.get(element.ownerId);
    return this.nodes.get(element.parentId);
  }

  /** An entity, live or kept from a finished run. */
  get(id: string): EntityView | undefined {
    return this.source.get(id) ?? this.kept.get(id);
  }

  /** The entity a row shows, when this tree lists it. */
  entity(element: OwnedNode & { kind: 'entity' }): V | undefined {
    const v = this.get(element.id);
    return v && this.spec.accepts(v) ? v : undefined;
  }

  /** What a change of the live state redraws: only the rows that changed, or an owner's list when rows come and go. */
  apply(change: MirrorChange): Redraw {
    if (change.removed.length) this.kept.keep(change.removed, (id) => this.source.get(id));
    let rerun = false;
    for (const e of change.added) {
      if (!isRun(e)) continue;
      this.kept.forget(e);
      rerun = true;
    }
    if (change.full || rerun) {
      this.nodes.clear();
      return 'all';
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
        if (isRun(e) && this.nodes.get(e.id)) targets.add(this.nodes.get(e.id)!);
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
    if (root) return 'all';
    return [...targets];
  }

  dispose(): void {
    this.nodes.clear();
  }

  /** The rows whose text moves with time (a second's redraw). */
  ticking(): OwnedNode[] {
    const ticking = this.spec.ticking;
    if (!ticking) return [];
    const rows: OwnedNode[] = [];
    for (const n of this.nodes.values()) {
      if (n.kind !== 'entity') continue;
      const v = this.source.get(n.id);
      if (v && v.endedAt === null && this.spec.accepts(v) && ticking(v)) rows.push(n);
    }
    return rows;
  }

  private owners(): EntityView[] {
    const roots = this.childrenOf(null);
    // An ended run is listed until the next lab run is; it goes below what is live, so what
    // runs now stays in view.
    const superseded = (o: EntityView) => isRun(o) && o.endedAt !== null && roots.some((r) => isRun(r) && r.createdAt > o.createdAt && this.owned(r.id).length > 0);
    const ended = (o: EntityView) => (isRun(o) && o.endedAt !== null ? 1 : 0);
    return roots.filter((o) => this.owned(o.id).length > 0 && !superseded(o)).sort((a, b) => ended(a) - ended(b) || a.createdAt - b.createdAt);
  }

  private childrenOf(id: string | null): EntityView[] {
    const live = this.source.childrenOf(id);
    const kept = this.kept.childrenOf(id).filter((e) => !this.source.get(e.id));
    return kept.length ? [...live, ...kept] : live;
  }

  private owned(ownerId: string): V[] {
    return this.childrenOf(ownerId)
      .filter((e): e is V => this.spec.accepts(e) && (!this.filter || this.filter.accepts(e)))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  private node<N extends OwnedNode>(n: N): N {
    return this.nodes.node(n);
  }
}
