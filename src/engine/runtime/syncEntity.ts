import { FLAG_BROKEN, FLAG_OWNER_DEAD, nowMs, ObjectKind, O_ACQUISITIONS, O_CONTENDED, O_COUNT, O_FLAGS, O_OWNER, O_VERSION, OF_MAX_HOLD, OF_MAX_WAIT, OF_TOTAL_HOLD, OF_TOTAL_WAIT } from './arena';
import type { Tracked } from '../state/model';
import type { SyncPrimitive, SyncView } from '../../protocol/views';
import type { SyncObject } from './syncObject';

const PRIMITIVE: Record<ObjectKind, SyncPrimitive> = {
  [ObjectKind.Free]: 'Value',
  [ObjectKind.Lock]: 'Lock',
  [ObjectKind.RLock]: 'RLock',
  [ObjectKind.Semaphore]: 'Semaphore',
  [ObjectKind.BoundedSemaphore]: 'BoundedSemaphore',
  [ObjectKind.Event]: 'Event',
  [ObjectKind.Condition]: 'Condition',
  [ObjectKind.Barrier]: 'Barrier',
  [ObjectKind.Value]: 'Value',
};

export function primitiveName(kind: ObjectKind): SyncPrimitive {
  return PRIMITIVE[kind];
}

/** Resolves thread slots to entity ids and names for a view. */
export interface SlotNames {
  actorAt(slot: number): { readonly id: string; readonly name: string } | undefined;
}

/** A sync object as the inspector sees it; every figure is read from its arena slot. */
export class SyncEntity implements Tracked<SyncView> {
  dirty = false;
  readonly createdAt = nowMs();
  seenVersion = -1;
  deadlocked = false;

  constructor(
    readonly id: string,
    readonly object: SyncObject,
    private readonly parentId: string,
    private readonly names: SlotNames,
    public sharing: SyncView['sharing'] = 'shared memory (threads)',
  ) {}

  /**
   * Changes whenever anything shown changes. A lock's fast path bumps no version (it would cost
   * an atomic add per call), so acquisitions and the owner word are part of the signature.
   */
  get version(): number {
    const { i32 } = this.object.arena;
    const o = (f: number) => this.object.arena.o(this.object.slot, f);
    return Atomics.load(i32, o(O_VERSION)) + Atomics.load(i32, o(O_ACQUISITIONS)) * 4099 + Atomics.load(i32, o(O_OWNER)) * 65537;
  }

  view(): SyncView {
    const a = this.object.arena;
    const s = this.object.slot;
    const int = (f: number) => a.i32[a.o(s, f)]!;
    const flt = (f: number) => a.f64[a.of(s, f)]!;
    const owner = a.owner(s);
    const holder = owner ? this.names.actorAt(owner - 1) : undefined;
    return {
      id: this.id,
      kind: 'sync',
      parentId: this.parentId,
      name: this.object.name,
      createdAt: this.createdAt,
      endedAt: null,
      primitive: primitiveName(this.object.kind),
      sharing: this.sharing,
      holderId: holder?.id ?? null,
      holderName: holder?.name ?? null,
      depth: this.object.kind === ObjectKind.RLock ? int(O_COUNT) : owner ? 1 : 0,
      value: int(O_COUNT),
      waiters: a.waiters(s).map((t) => {
        // A plain copy: the view crosses to the webview and must serialise (the actor does not).
        const w = this.names.actorAt(t);
        return w ? { id: w.id, name: w.name } : { id: `slot-${t}`, name: `thread slot ${t}` };
      }),
      acquisitions: int(O_ACQUISITIONS),
      contended: int(O_CONTENDED),
      totalWaitMs: flt(OF_TOTAL_WAIT),
      maxWaitMs: flt(OF_MAX_WAIT),
      totalHoldMs: flt(OF_TOTAL_HOLD),
      maxHoldMs: flt(OF_MAX_HOLD),
      ownerDead: (int(O_FLAGS) & FLAG_OWNER_DEAD) !== 0,
      broken: (int(O_FLAGS) & FLAG_BROKEN) !== 0,
      deadlocked: this.deadlocked,
    };
  }
}
