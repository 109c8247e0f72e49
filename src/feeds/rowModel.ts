// The one shape every tree's rows take (serversRows.ts, ownedRows.ts): what src/extension's single
// tree provider (trees/rowsTree.ts) needs to draw any of them and keep it current.
import type { Disposable, Event } from '../engine/lifecycle';
import type { EntityView } from '../protocol/views';
import type { Redraw } from './nodeCache';
import type { MirrorChange } from './stateMirror';

/** Where the rows' entities come from (the state mirror). */
export interface EntityLookup {
  get(id: string): EntityView | undefined;
  childrenOf(parentId: string | null): EntityView[];
}

export interface RowModel<N> extends Disposable {
  children(element?: N): N[];
  parent(element: N): N | undefined;
  /** The row of an entity (for reveal and commands), with the rows above it. */
  nodeFor(id: string): N | undefined;
  /** What a change of the live state redraws now. */
  apply(change: MirrorChange): Redraw<N>;
  /** Redraws decided later (paced rows). */
  readonly onDidRedrawLater?: Event<readonly N[]>;
  /** Rows whose text moves with time, redrawn every `periodMs` while the view shows. */
  readonly timed?: { readonly periodMs: number; rows(): N[] };
  /** Forgets the rows handed out: the view was hidden and is drawn afresh. */
  reset?(): void;
}
