// What a Python program's processes share (a multiprocessing Lock, Value, Queue, a Manager's dict):
// each process's tracer reports its own side of one object under the same key; here they become
// one Sync row — named by the process that made it, held by whichever process's thread holds it,
// waited for by threads of any process.
import type { SyncPrimitive, SyncView } from '../../protocol/views';
import type { StateModel, Tracked } from '../state/model';
import { field, type TracerRecord } from './tracerMessages';

/** What a shared object needs of each process that reports it. */
export interface SharingProcess {
  readonly ended: number | null;
  entityId(tracerId: string): string;
  nameOf(rec: TracerRecord): string;
  threadByIdent(ident: number): TracerRecord | undefined;
  /** The object's holder or waiters moved: its threads waiting on it say who holds it now. */
  touchThreads(idents: readonly number[]): void;
}

interface Part {
  readonly proc: SharingProcess;
  rec: TracerRecord;
  at: number;
}

const PRIMITIVES = new Set<SyncPrimitive>(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Condition', 'Barrier', 'Value', 'Array', 'dict', 'list', 'Namespace', 'Queue']);

/** Who holds a shared object, for a waiting thread's row in any process. */
export interface SharedInfo {
  readonly id: string;
  readonly name: string;
  readonly holderId: string | null;
  readonly holderName: string | null;
}

class SharedSync implements Tracked<SyncView> {
  dirty = false;
  /** The most threads (of all its processes) that waited for it at once. */
  maxWaiters = 0;
  readonly parts: Part[] = [];

  constructor(
    readonly id: string,
    readonly key: string,
    private readonly programId: string,
    public origin: Part,
  ) {
    this.parts.push(origin);
  }

  part(proc: SharingProcess): Part | undefined {
    return this.parts.find((p) => p.proc === proc);
  }

  get name(): string {
    return field.str(this.origin.rec, 'name') ?? this.key;
  }

  holder(): { id: string | null; name: string; alive: boolean } | null {
    for (const p of this.parts) {
      if (p.proc.ended !== null) continue;
      const h = field.num(p.rec, 'holder');
      if (h === null) continue;
      const t = p.proc.threadByIdent(h);
      return t ? { id: p.proc.entityId(t.id), name: p.proc.nameOf(t), alive: field.bool(t, 'alive') } : { id: null, name: `thread ${h}`, alive: false };
    }
    return null;
  }

  view(): SyncView {
    const o = this.origin.rec;
    const primitive = field.str(o, 'primitive') as SyncPrimitive;
    const live = this.parts.filter((p) => p.proc.ended === null);
    const sum = (k: string) => this.parts.reduce((n, p) => n + (field.num(p.rec, k) ?? 0), 0);
    const max = (k: string) => this.parts.reduce((n, p) => Math.max(n, field.num(p.rec, k) ?? 0), 0);
    // A value every process can change (an Event's flag, a semaphore's count): read from the
    // semaphore itself where the tracer can (not on macOS), else the latest word on it.
    const valued = field.bool(o, 'valueSampled') ? this.origin : this.parts.reduce((a, b) => (b.at > a.at ? b : a));
    const holder = this.holder();
    const holding = live.find((p) => field.num(p.rec, 'holder') !== null);
    const waiters = live.flatMap((p) =>
      field.nums(p.rec, 'waiters').map((ident) => {
        const t = p.proc.threadByIdent(ident);
        return t ? { id: p.proc.entityId(t.id), name: p.proc.nameOf(t) } : { id: `${this.id}/waiter/${ident}`, name: `thread ${ident}` };
      }),
    );
    const sampled = this.parts.map((p) => field.str(p.rec, 'contents')).find((c) => c !== null) ?? null;
    const contents = primitive === 'Queue' ? [sampled, `${sum('puts')} put`, `${sum('gets')} got`].filter((x) => x !== null).join(' · ') : sampled;
    const ended = this.origin.proc.ended;
    return {
      id: this.id,
      kind: 'sync',
      parentId: this.programId,
      name: this.origin.proc.nameOf(o),
      createdAt: o.created,
      endedAt: ended,
      primitive: PRIMITIVES.has(primitive) ? primitive : 'Lock',
      sharing: this.key.startsWith('m:') ? 'in a Manager process' : 'shared between processes',
      holderId: holder?.id ?? null,
      holderName: holder?.name ?? null,
      depth: holding ? (field.num(holding.rec, 'depth') ?? 1) : 0,
      // A Barrier's: how many wait at it, counted from the waiters themselves (each process's
      // own reading of the shared count races with the others').
      value: primitive === 'Barrier' ? waiters.length : (field.num(valued.rec, 'value') ?? 0),
      ...(contents !== null ? { contents } : {}),
      waiters,
      acquisitions: sum('acquisitions'),
      contended: sum('contended'),
      totalWaitMs: sum('totalWaitMs'),
      maxWaitMs: max('maxWaitMs'),
      totalHoldMs: sum('totalHoldMs'),
      maxHoldMs: max('maxHoldMs'),
      ownerDead: holder !== null && !holder.alive && ended === null,
      broken: live.some((p) => field.bool(p.rec, 'broken')),
      deadlocked: false,
    };
  }
}

/** Every shared object of one program, by the key its processes report it under. */
export class SharedObjects {
  private readonly byKey = new Map<string, SharedSync>();
  /** Parts that came before the record of the process that made the object. */
  private readonly early = new Map<string, Part[]>();

  constructor(
    private readonly model: StateModel,
    private readonly programId: string,
  ) {}

  /** A process's record of a shared object (a sync record with a `shared` key). */
  update(proc: SharingProcess, rec: TracerRecord, key: string): void {
    const now = Date.now();
    let s = this.byKey.get(key);
    if (!s) {
      if (!field.bool(rec, 'origin')) {
        // Not (yet) known as the program's: a child may use it before the maker's batch arrives;
        // multiprocessing's own locks never get a maker and are never shown.
        const list = this.early.get(key) ?? [];
        const p = list.find((x) => x.proc === proc);
        if (p) Object.assign(p, { rec, at: now });
        else if (list.length < 64) list.push({ proc, rec, at: now });
        this.early.set(key, list);
        return;
      }
      s = new SharedSync(proc.entityId(rec.id), key, this.programId, { proc, rec, at: now });
      for (const p of this.early.get(key) ?? []) s.parts.push(p);
      this.early.delete(key);
      this.byKey.set(key, s);
      this.model.add(s);
    } else {
      const p = s.part(proc);
      if (p) Object.assign(p, { rec, at: now });
      else s.parts.push({ proc, rec, at: now });
      if (field.bool(rec, 'origin') && s.origin.proc !== proc && !field.bool(s.origin.rec, 'origin')) s.origin = s.part(proc)!;
    }
    const waiting = s.parts.reduce((n, p) => n + (p.proc.ended === null ? field.nums(p.rec, 'waiters').length : 0), 0);
    if (waiting > s.maxWaiters) s.maxWaiters = waiting;
    this.model.touch(s);
    // Waiting threads elsewhere name the holder: redraw them.
    for (const p of s.parts) if (p.proc !== proc) p.proc.touchThreads(field.nums(p.rec, 'waiters'));
  }

  info(key: string): SharedInfo | undefined {
    const s = this.byKey.get(key);
    if (!s) return undefined;
    const h = s.holder();
    return { id: s.id, name: s.name, holderId: h?.id ?? null, holderName: h?.name ?? null };
  }

  /** A process ended: what it held or waited for is let go; the objects it made end with it. */
  processEnded(proc: SharingProcess): void {
    for (const s of this.byKey.values()) {
      if (s.origin.proc === proc) this.model.end(s);
      else if (s.part(proc)) this.model.touch(s);
    }
  }

  /** For the run's summary: acquisitions over every process, and the most waiters at once. */
  tally(key: string): { acquisitions: number; maxWaiters: number } {
    const s = this.byKey.get(key);
    return { acquisitions: s?.view().acquisitions ?? 0, maxWaiters: s?.maxWaiters ?? 0 };
  }

  get size(): number {
    return this.byKey.size;
  }
}
