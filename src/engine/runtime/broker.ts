import type { Tracked, StateModel } from '../state/model';
import type { SyncView } from '../../protocol/views';
import { nowMs } from './arena';
import type { Lock } from './lock';
import type { BrokerCall, BrokerHandle, BrokerType } from './processMessages';
import { PyError } from './pyErrors';

/**
 * Node processes cannot share memory without native code, so shared Values, Arrays and dicts live
 * in the parent and children reach them by message — exactly how Python's `Manager` works.
 * Locks are arena locks the broker takes on the calling process's behalf, so the inspector and
 * the deadlock detector see processes holding and waiting like threads.
 */
export class Broker {
  private readonly objects = new Map<string, BrokerObject>();
  private readonly locks = new Map<string, Lock>();
  private n = 0;

  constructor(
    private readonly model: StateModel,
    private readonly ownerId: string,
  ) {}

  Value(initial: number, name: string): SharedValueProxy {
    return this.add(new BrokerObject(this.model, this.newId(), 'Value', name, this.ownerId, initial)) as SharedValueProxy;
  }

  Array(values: readonly number[], name: string): SharedArrayProxy {
    return this.add(new BrokerObject(this.model, this.newId(), 'Array', name, this.ownerId, [...values])) as SharedArrayProxy;
  }

  dict(name: string): SharedDictProxy {
    return this.add(new BrokerObject(this.model, this.newId(), 'dict', name, this.ownerId, new Map<string, unknown>())) as SharedDictProxy;
  }

  /** Makes an arena lock reachable from processes. */
  shareLock(lock: Lock): BrokerHandle {
    const id = this.newId();
    this.locks.set(id, lock);
    return { $broker: id, type: lock.reentrant ? 'RLock' : 'Lock', name: lock.name };
  }

  /** Serves one call from the process in thread slot `slot`. */
  async serve(call: BrokerCall, slot: number): Promise<unknown> {
    const lock = this.locks.get(call.target);
    if (lock) {
      if (call.op === 'acquire') {
        const [blocking, timeout] = call.args as [boolean?, number?];
        return lock.acquireAsync(blocking ?? true, timeout ?? -1, slot);
      }
      if (call.op === 'release') return lock.release(slot);
      throw new PyError('ValueError', `${lock.name} has no method ${call.op}`);
    }
    const obj = this.objects.get(call.target);
    if (!obj) throw new PyError('ValueError', `no shared object ${call.target}`);
    return obj.apply(call.op, call.args);
  }

  private add(obj: BrokerObject): BrokerObject {
    this.objects.set(obj.id, obj);
    this.model.add(obj);
    return obj;
  }

  private newId(): string {
    return `${this.ownerId}/broker-${++this.n}`;
  }

  dispose(): void {
    for (const o of this.objects.values()) this.model.end(o);
  }
}

type Contents = number | number[] | Map<string, unknown>;

/** One shared object in the parent; its handle travels to children in their args. */
export class BrokerObject implements Tracked<SyncView> {
  dirty = false;
  readonly createdAt = nowMs();
  private operations = 0;

  constructor(
    private readonly model: StateModel,
    readonly id: string,
    readonly type: BrokerType,
    readonly name: string,
    private readonly parentId: string,
    private contents: Contents,
  ) {}

  get handle(): BrokerHandle {
    return { $broker: this.id, type: this.type, name: this.name };
  }

  /** The parent's own view of the value (it owns the memory). */
  get value(): Contents {
    return this.contents;
  }

  apply(op: string, args: readonly unknown[]): unknown {
    this.operations++;
    const c = this.contents;
    if (typeof c === 'number') {
      if (op === 'get') return c;
      if (op === 'set') return this.changed((this.contents = Number(args[0])));
    } else if (Array.isArray(c)) {
      const i = Number(args[0]);
      if (op === 'list') return [...c];
      if (op === 'len') return c.length;
      if (!Number.isInteger(i) || i < -c.length || i >= c.length) throw new PyError('ValueError', `index ${String(args[0])} out of range for ${this.name} of length ${c.length}`);
      const at = i < 0 ? c.length + i : i;
      if (op === 'get') return c[at];
      if (op === 'set') return this.changed((c[at] = Number(args[1])));
    } else {
      const key = String(args[0]);
      if (op === 'get') return c.get(key) ?? args[1] ?? null;
      if (op === 'set') return this.changed(c.set(key, args[1]));
      if (op === 'items') return [...c.entries()];
      if (op === 'len') return c.size;
    }
    throw new PyError('ValueError', `${this.type} ${this.name} has no method ${op}`);
  }

  private changed(_: unknown): null {
    this.model.touch(this);
    return null;
  }

  view(): SyncView {
    const c = this.contents;
    const preview =
      typeof c === 'number'
        ? String(c)
        : Array.isArray(c)
          ? `[${c.slice(0, 16).join(', ')}${c.length > 16 ? ', …' : ''}]`
          : `{${[...c.entries()]
              .slice(0, 8)
              .map(([k, v]) => `${k}: ${String(v)}`)
              .join(', ')}${c.size > 8 ? ', …' : ''}}`;
    return {
      id: this.id,
      kind: 'sync',
      parentId: this.parentId,
      name: this.name,
      createdAt: this.createdAt,
      endedAt: null,
      primitive: this.type === 'dict' ? 'dict' : this.type === 'Array' ? 'Array' : 'Value',
      sharing: 'shared via broker',
      holderId: null,
      holderName: null,
      depth: 0,
      value: typeof c === 'number' ? c : Array.isArray(c) ? c.length : c.size,
      contents: preview,
      waiters: [],
      acquisitions: this.operations,
      contended: 0,
      totalWaitMs: 0,
      maxWaitMs: 0,
      totalHoldMs: 0,
      maxHoldMs: 0,
      ownerDead: false,
      broken: false,
      deadlocked: false,
    };
  }
}

export type SharedValueProxy = BrokerObject & { readonly type: 'Value' };
export type SharedArrayProxy = BrokerObject & { readonly type: 'Array' };
export type SharedDictProxy = BrokerObject & { readonly type: 'dict' };
