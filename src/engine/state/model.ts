import type { EntityKind, EntityView } from './views';

/**
 * Something the model tracks. The owner keeps its own counters as plain fields (cheap on hot
 * paths) and calls `model.touch(this)`; the view is only built when a subscriber needs it.
 */
export interface Tracked<V extends EntityView = EntityView> {
  readonly id: string;
  /** Owned by the model: true once queued for the next delta. */
  dirty: boolean;
  view(): V;
}

export interface Delta {
  readonly now: number;
  readonly added: EntityView[];
  readonly changed: EntityView[];
  readonly removed: string[];
}

export interface StateModelOptions {
  /** How long an ended entity stays visible. */
  readonly retentionMs: number;
  readonly now?: () => number;
}

/**
 * What exists now and what changed since the last drain — the inspector's source of truth.
 * Changes are only recorded while someone is watching (`recording`); a new watcher starts from
 * a snapshot, so nothing is lost by not recording in between.
 */
export class StateModel {
  private readonly entities = new Map<string, Tracked>();
  /** Ended entities by removal time; insertion order is removal order (retention is constant). */
  private readonly ending = new Map<string, number>();
  private readonly added = new Set<Tracked>();
  private changed: Tracked[] = [];
  private removed: string[] = [];
  private readonly counters = new Map<EntityKind | string, number>();
  private recording = false;
  /** Called before each snapshot and drain: owners of shared-memory state touch what changed. */
  private readonly samplers = new Set<() => void>();
  retentionMs: number;
  readonly now: () => number;

  constructor(options: StateModelOptions) {
    this.retentionMs = options.retentionMs;
    this.now = options.now ?? Date.now;
  }

  newId(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${n}`;
  }

  get size(): number {
    return this.entities.size;
  }

  get(id: string): Tracked | undefined {
    return this.entities.get(id);
  }

  add(entity: Tracked): void {
    this.sweep();
    this.entities.set(entity.id, entity);
    if (this.recording) {
      entity.dirty = true;
      this.added.add(entity);
    }
  }

  touch(entity: Tracked): void {
    if (entity.dirty || !this.recording) return;
    entity.dirty = true;
    this.changed.push(entity);
  }

  /** The entity has ended: it stays visible for the retention window, then is removed. */
  end(entity: Tracked): void {
    this.touch(entity);
    this.ending.delete(entity.id);
    this.ending.set(entity.id, this.now() + this.retentionMs);
    this.sweep();
  }

  /**
   * Registers a sampler. Threads change state in shared memory without telling anyone (a message
   * per change would cost more than the change); the sampler compares version counters once a tick.
   */
  addSampler(sample: () => void): () => void {
    this.samplers.add(sample);
    return () => this.samplers.delete(sample);
  }

  get isRecording(): boolean {
    return this.recording;
  }

  private sample(): void {
    if (!this.recording) return;
    for (const s of this.samplers) s();
  }

  setRecording(on: boolean): void {
    if (on === this.recording) return;
    this.recording = on;
    this.discardChanges();
  }

  snapshot(): EntityView[] {
    this.sweep();
    this.sample();
    return [...this.entities.values()].map((e) => e.view());
  }

  /** Collects and clears what changed since the last drain. */
  drain(): Delta {
    this.sweep();
    this.sample();
    const added: EntityView[] = [];
    for (const e of this.added) {
      e.dirty = false;
      added.push(e.view());
    }
    const changed: EntityView[] = [];
    for (const e of this.changed) {
      e.dirty = false;
      // An entity swept in this same drain is reported as removed only.
      if (this.entities.get(e.id) === e) changed.push(e.view());
    }
    const delta: Delta = { now: this.now(), added, changed, removed: this.removed };
    this.added.clear();
    this.changed = [];
    this.removed = [];
    return delta;
  }

  private discardChanges(): void {
    for (const e of this.added) e.dirty = false;
    for (const e of this.changed) e.dirty = false;
    this.added.clear();
    this.changed = [];
    this.removed = [];
  }

  private sweep(): void {
    if (this.ending.size === 0) return;
    const now = this.now();
    for (const [id, removeAt] of this.ending) {
      if (removeAt > now) break;
      this.ending.delete(id);
      const entity = this.entities.get(id);
      this.entities.delete(id);
      if (entity) {
        if (this.added.delete(entity)) {
          entity.dirty = false;
          continue; // never seen by a watcher: nothing to remove
        }
        if (this.recording) this.removed.push(id);
      }
    }
  }
}
