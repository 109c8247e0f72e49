import type { Engine } from '../engine/engine';
import { Emitter, toDisposable, type Disposable } from '../engine/lifecycle';
import type { EntityView, StateMessage } from '../protocol/views';

/** What changed in one publisher message: `full` after a snapshot, else the touched ids. */
export interface MirrorChange {
  readonly full: boolean;
  readonly added: readonly EntityView[];
  readonly changed: readonly EntityView[];
  readonly removed: readonly EntityView[];
}

/**
 * The extension host's copy of the engine's live state (no `vscode` here: the trees' rows are
 * unit-tested against it), kept only while some view wants it:
 * `acquire()` subscribes to the publisher, the last `release()` unsubscribes.
 */
export class StateMirror implements Disposable {
  private readonly entities = new Map<string, EntityView>();
  private readonly children = new Map<string | null, Set<string>>();
  private readonly onDidChangeEmitter = new Emitter<MirrorChange>();
  readonly onDidChange = this.onDidChangeEmitter.event;
  private engine: Engine | undefined;
  private subscription: Disposable | undefined;
  private users = 0;

  /** Points the mirror at an engine (or none); re-subscribes if someone is watching. */
  setEngine(engine: Engine | undefined): void {
    this.unsubscribe();
    this.engine = engine;
    this.clear();
    if (this.users > 0) this.subscribe();
    else this.onDidChangeEmitter.fire({ full: true, added: [], changed: [], removed: [] });
  }

  acquire(): Disposable {
    this.users++;
    if (this.users === 1) this.subscribe();
    return toDisposable(() => {
      this.users--;
      if (this.users === 0) this.unsubscribe();
    });
  }

  get(id: string): EntityView | undefined {
    return this.entities.get(id);
  }

  all(): IterableIterator<EntityView> {
    return this.entities.values();
  }

  childrenOf(parentId: string | null): EntityView[] {
    const ids = this.children.get(parentId);
    if (!ids) return [];
    const out: EntityView[] = [];
    for (const id of ids) {
      const e = this.entities.get(id);
      if (e) out.push(e);
    }
    return out;
  }

  private subscribe(): void {
    if (!this.engine || this.subscription) return;
    this.subscription = this.engine.publisher.subscribe((m) => this.apply(m));
  }

  private unsubscribe(): void {
    this.subscription?.dispose();
    this.subscription = undefined;
  }

  private clear(): void {
    this.entities.clear();
    this.children.clear();
  }

  private apply(message: StateMessage): void {
    if (message.type === 'snapshot') {
      this.clear();
      for (const e of message.entities) this.put(e);
      this.onDidChangeEmitter.fire({ full: true, added: message.entities, changed: [], removed: [] });
      return;
    }
    const added: EntityView[] = [];
    const changed: EntityView[] = [];
    for (const e of message.added) (this.put(e) ? added : changed).push(e);
    for (const e of message.changed) (this.put(e) ? added : changed).push(e);
    const removed: EntityView[] = [];
    for (const id of message.removed) {
      const e = this.entities.get(id);
      if (!e) continue;
      this.entities.delete(id);
      this.children.get(e.parentId)?.delete(id);
      this.children.delete(id);
      removed.push(e);
    }
    this.onDidChangeEmitter.fire({ full: false, added, changed, removed });
  }

  /** Upserts; returns true when the entity is new. */
  private put(e: EntityView): boolean {
    const isNew = !this.entities.has(e.id);
    this.entities.set(e.id, e);
    if (isNew) {
      let set = this.children.get(e.parentId);
      if (!set) this.children.set(e.parentId, (set = new Set()));
      set.add(e.id);
    }
    return isNew;
  }

  dispose(): void {
    this.unsubscribe();
    this.onDidChangeEmitter.dispose();
  }
}
