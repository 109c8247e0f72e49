import type { EntityKind, EntityView } from '../../protocol/views';

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
/** How often an entity whose counters keep moving is republished. */
export const COUNTERS_MS = 1000;
/**
 * At most this many such entities per drain (ticks are 200 ms: 500 a second). A thousand busy
 * connections are then each republished every 2 s rather than every second: their rows sit in
 * collapsed ranges and their lanes do not change, so the views would be built for nobody, and
 * building them costs the extension host the throughput it is measuring (views and garbage).
 */
export const MAX_COUNTED_PER_DRAIN = 100;

export class StateModel {
  private readonly entities = new Map<string, Tracked>();
  /** Ended entities by removal time; insertion order is removal order (retention is constant). */
  private readonly ending = new Map<string, number>();
  private readonly added = new Set<Tracked>();
  private changed: Tracked[] = [];
  /** Entities whose counters moved: each is published about once per COUNTERS_MS, spread over ticks. */
  private readonly counted = new Set<Tracked>();
  private lastDrainAt = 0;
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

  /**
   * Only counters changed (bytes, messages): no need to republish at every tick. A thousand busy
   * connections would otherwise rebuild a thousand views five times a second; this way each is
   * republished about once a second, a slice of them per tick. State changes still use touch().
   */
  touchCounters(entity: Tracked): void {
    if (entity.dirty || !this.recording) return;
    this.counted.add(entity);
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
    const now = this.now();
    const elapsed = this.lastDrainAt ? now - this.lastDrainAt : COUNTERS_MS;
    this.lastDrainAt = now;
    // Oldest first (insertion order): whoever is taken now goes to the back when it moves again.
    let budget = Math.min(MAX_COUNTED_PER_DRAIN, Math.max(1, Math.ceil((this.counted.size * Math.min(elapsed, COUNTERS_MS)) / COUNTERS_MS)));
    for (const e of this.counted) {
      if (budget-- <= 0) break;
      this.counted.delete(e);
      if (e.dirty) continue;
      e.dirty = true;
      this.changed.push(e);
    }
    const changed: EntityView[] = [];
    for (const e of this.changed) {
      e.dirty = false;
      // An entity swept in this same drain is reported as removed only.
      if (this.entities.get(e.id) === e) changed.push(e.view());
    }
    const delta: Delta = { now, added, changed, removed: this.removed };
    this.added.clear();
    this.changed = [];
    this.removed = [];
    return delta;
  }

  private discardChanges(): void {
    this.counted.clear();
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
        this.counted.delete(entity);
        if (this.added.delete(entity)) {
          entity.dirty = false;
          continue; // never seen by a watcher: nothing to remove
        }
        if (this.recording) this.removed.push(id);
      }
    }
  }
}
