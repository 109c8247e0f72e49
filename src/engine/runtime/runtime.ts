import * as l10n from '@vscode/l10n';
import type { Worker } from 'node:worker_threads';
import { workerScript, type WorkerScripts } from '../workers/spawn';
import { WarmThreads } from './warmThreads';
import { Emitter, type AsyncDisposable } from '../lifecycle';
import { silentLogger, type Logger } from '../log';
import type { StateModel } from '../state/model';
import type { DeadlockInfo, WaitTarget } from '../../protocol/views';
import { Actor } from './actor';
import { Arena, T_ALIVE, T_STATE, T_WAIT_ON, T_WOKEN_BY, TF_WOKEN_AT } from './arena';
import { Barrier } from './barrier';
import { Broker } from './broker';
import { Condition } from './condition';
import { findDeadlocks } from './deadlock';
import { Event } from './event';
import { Lock, RLock } from './lock';
import type { RuntimeHost } from './runtimeHost';
import { BoundedSemaphore, Semaphore } from './semaphore';
import { SyncEntity } from './syncEntity';
import type { SyncObject } from './syncObject';
import { Process, type ProcessOptions } from './process';
import type { BrokerHandle } from './processMessages';
import { MainThread, Thread, type ThreadOptions } from './thread';
import { ThreadState } from './threadState';
import { SharedInt } from './value';

export interface RuntimeOptions {
  readonly model: StateModel;
  /** Parent entity of everything this runtime creates (a lab, a server, a pool). */
  readonly ownerId: string;
  readonly log?: Logger;
  /** Where the worker bundles are (default: beside this bundle in dist/). */
  readonly workers?: WorkerScripts;
  /** How often the wait-for graph is checked (the issue asks for a report within 1 s). */
  readonly deadlockCheckMs?: number;
}

export interface OutputLine {
  readonly from: string;
  readonly text: string;
}

export interface DeadlockReport extends DeadlockInfo {
  readonly threadIds: readonly string[];
  readonly lockIds: readonly string[];
}

export class RuntimeShutDown extends Error {
  override name = 'RuntimeShutDown';
}

/**
 * Python's `threading` vocabulary over real worker threads and one shared arena. Owns every
 * thread and primitive it makes; `dispose` ends the threads and frees nothing twice.
 */
export class Runtime implements RuntimeHost, AsyncDisposable {
  readonly arena = new Arena();
  readonly model: StateModel;
  readonly log: Logger;
  readonly ownerId: string;
  readonly workers: WorkerScripts;
  readonly mainThread: MainThread;
  /** Serves Value/Array/dict/Lock to child processes (Python's Manager). */
  readonly broker: Broker;
  private readonly actors: Actor[] = [];
  private readonly syncs = new Map<number, SyncEntity>();
  private readonly counters = new Map<string, number>();
  private readonly reportedCycles = new Set<string>();
  /** Cycles seen once, with their threads' state versions: reported only if seen again unchanged. */
  private suspects = new Map<string, string>();
  private readonly deadlockTimer: NodeJS.Timeout;
  private readonly removeSampler: () => void;
  private readonly onOutputEmitter = new Emitter<OutputLine>();
  private readonly onDeadlockEmitter = new Emitter<DeadlockReport>();
  readonly onOutput = this.onOutputEmitter.event;
  readonly onDeadlock = this.onDeadlockEmitter.event;
  private disposed: Promise<void> | undefined;
  private readonly warm: WarmThreads;

  constructor(options: RuntimeOptions) {
    this.model = options.model;
    this.log = options.log ?? silentLogger;
    this.ownerId = options.ownerId;
    this.workers = options.workers ?? {};
    this.warm = new WarmThreads(workerScript('thread-worker', this.workers));
    const slot = this.arena.allocThread();
    this.mainThread = new MainThread(this, this.model.newId('thread'), slot, 'MainThread', false);
    this.arena.setState(slot, ThreadState.Running);
    this.addActor(this.mainThread);
    this.broker = new Broker(this.model, this.ownerId);
    this.removeSampler = this.model.addSampler(() => this.sample());
    this.deadlockTimer = setInterval(() => this.checkDeadlocks(), options.deadlockCheckMs ?? 200);
    this.deadlockTimer.unref();
  }

  // --- factories, with Python's names

  Lock(name?: string): Lock {
    return this.track(Lock.create(this.arena, name ?? this.nextName('Lock')));
  }

  RLock(name?: string): RLock {
    return this.track(RLock.create(this.arena, name ?? this.nextName('RLock')));
  }

  Semaphore(value = 1, name?: string): Semaphore {
    return this.track(Semaphore.create(this.arena, name ?? this.nextName('Semaphore'), value));
  }

  BoundedSemaphore(value = 1, name?: string): BoundedSemaphore {
    return this.track(BoundedSemaphore.create(this.arena, name ?? this.nextName('BoundedSemaphore'), value));
  }

  Event(name?: string): Event {
    return this.track(Event.create(this.arena, name ?? this.nextName('Event')));
  }

  /** Python's default lock for a Condition is an RLock. */
  Condition(lock?: Lock, name?: string): Condition {
    return this.track(Condition.create(this.arena, name ?? this.nextName('Condition'), lock ?? this.RLock()));
  }

  Barrier(parties: number, name?: string): Barrier {
    return this.track(Barrier.create(this.arena, name ?? this.nextName('Barrier'), parties));
  }

  Value(initial = 0, name?: string): SharedInt {
    return this.track(SharedInt.create(this.arena, name ?? this.nextName('Value'), initial));
  }

  /**
   * Starts `n` thread workers ahead and resolves when they are ready: the next `n` threads
   * start in one message each instead of a worker's start (~25 ms; CPython's thread ~0.1 ms).
   * Timing labs warm first and report the warm-up apart.
   */
  async warmThreads(n: number): Promise<void> {
    this.assertOpen();
    await this.warm.fill(n);
  }

  warmThread(): Worker | undefined {
    return this.warm.take();
  }

  /** `threading.Thread(target=…, args=…, name=…, daemon=…)`; call `start()` to run it. */
  Thread(options: ThreadOptions): Thread {
    this.assertOpen();
    const slot = this.arena.allocThread();
    const n = this.nextNumber('Thread');
    const name = options.name ?? `Thread-${n} (${options.target.split(/[#./]/).pop()})`;
    const thread = new Thread(this, this.model.newId('thread'), slot, name, options);
    this.addActor(thread);
    return thread;
  }

  /**
   * An actor of the owner's own making (a server's connection thread or child): it gets a slot,
   * an id and `Thread-N`/`Process-N` name, and is sampled like the rest. The owner ends it.
   */
  adopt<T extends Actor>(kind: 'Thread' | 'Process', make: (slot: number, id: string, name: string) => T): T {
    this.assertOpen();
    const slot = this.arena.allocThread();
    const actor = make(slot, this.model.newId(kind === 'Thread' ? 'thread' : 'process'), `${kind}-${this.nextNumber(kind)}`);
    this.addActor(actor);
    return actor;
  }

  /** An adopted actor has ended and its entity has expired: its slot may serve another. */
  releaseSlot(actor: Actor): void {
    if (this.actors[actor.slot] === actor) {
      delete this.actors[actor.slot];
      this.arena.freeThread(actor.slot);
    }
  }

  /** `multiprocessing.Process(target=…, args=…, name=…, daemon=…)`. */
  Process(options: ProcessOptions): Process {
    this.assertOpen();
    const slot = this.arena.allocThread();
    const name = options.name ?? `Process-${this.nextNumber('Process')}`;
    const proc = new Process(this, this.model.newId('process'), slot, name, options, this.broker);
    this.addActor(proc);
    return proc;
  }

  /** A lock processes can use: an arena lock the broker takes on their behalf. */
  ProcessLock(name?: string, reentrant = false): { readonly lock: Lock; readonly handle: BrokerHandle } {
    const lock = reentrant ? this.RLock(name) : this.Lock(name);
    const entity = this.syncs.get(lock.slot)!;
    entity.sharing = 'shared via broker';
    return { lock, handle: this.broker.shareLock(lock) };
  }

  // --- threading module functions

  /** Live threads, MainThread included (like `threading.enumerate()`). */
  enumerate(): Actor[] {
    return this.actors.filter((a) => a.kind === 'thread' && a.is_alive());
  }

  active_count(): number {
    return this.enumerate().length;
  }

  get threads(): readonly Actor[] {
    return this.actors;
  }

  syncEntity(object: SyncObject): SyncEntity | undefined {
    return this.syncs.get(object.slot);
  }

  /** The primitive behind an entity id (for the inspector's actions). */
  findSync(entityId: string): SyncObject | undefined {
    for (const s of this.syncs.values()) if (s.id === entityId) return s.object;
    return undefined;
  }

  // --- RuntimeHost

  actorAt(slot: number): Actor | undefined {
    return this.actors[slot];
  }

  waitTarget(slot: number): WaitTarget | null {
    const a = this.arena;
    const state = Atomics.load(a.i32, a.t(slot, T_STATE));
    const on = a.i32[a.t(slot, T_WAIT_ON)]!;
    if (on === 0 || state < ThreadState.WaitLock || state > ThreadState.Joining) return null;
    if (on < 0) {
      const t = this.actors[-on - 1];
      return t ? { id: t.id, name: t.name, holderId: null, holderName: null } : null;
    }
    const sync = this.syncs.get(on - 1);
    if (!sync) return null;
    const owner = a.owner(on - 1);
    const holder = owner ? this.actors[owner - 1] : undefined;
    return { id: sync.id, name: sync.object.name, holderId: holder?.id ?? null, holderName: holder?.name ?? null };
  }

  wokenBy(slot: number): { id: string; name: string; at: number } | null {
    const a = this.arena;
    const by = Atomics.load(a.i32, a.t(slot, T_WOKEN_BY));
    const actor = by > 0 ? this.actors[by - 1] : undefined;
    return actor ? { id: actor.id, name: actor.name, at: a.f64[a.tf(slot, TF_WOKEN_AT)]! } : null;
  }

  heldBy(slot: number): string[] {
    const out: string[] = [];
    for (const s of this.syncs.values()) {
      if (this.arena.owner(s.object.slot) === slot + 1) out.push(s.object.name);
    }
    return out;
  }

  output(from: string, text: string): void {
    this.onOutputEmitter.fire({ from, text });
  }

  actorEnded(slot: number): void {
    for (const s of this.syncs.values()) s.object.ownerEnded(slot);
  }

  // --- sampling and deadlock detection

  private sample(): void {
    for (const a of this.actors) {
      // Released slots leave holes.
      if (!a) continue;
      const v = a.version;
      if (v !== a.seenVersion) {
        a.seenVersion = v;
        this.model.touch(a);
      }
    }
    for (const s of this.syncs.values()) {
      const v = s.version;
      if (v !== s.seenVersion) {
        s.seenVersion = v;
        this.model.touch(s);
      }
    }
  }

  /** Checks the wait-for graph now; the timer calls it every `deadlockCheckMs`. */
  checkDeadlocks(): DeadlockReport[] {
    const live: number[] = [];
    for (const a of this.actors) if (a && Atomics.load(this.arena.i32, this.arena.t(a.slot, T_ALIVE))) live.push(a.slot);
    const reports: DeadlockReport[] = [];
    const suspects = new Map<string, string>();
    for (const cycle of findDeadlocks(this.arena, live)) {
      const key = [...cycle.threads].sort((x, y) => x - y).join(',');
      if (this.reportedCycles.has(key)) continue;
      // A read taken mid hand-off can show a cycle that is not there; a real one does not move.
      const versions = cycle.threads.map((t) => this.actors[t]!.version).join(',');
      suspects.set(key, versions);
      if (this.suspects.get(key) !== versions) continue;
      this.reportedCycles.add(key);
      const threads = cycle.threads.map((t) => this.actors[t]!);
      const locks = cycle.locks.map((l) => this.syncs.get(l)!);
      for (const l of locks) {
        l.deadlocked = true;
        this.model.touch(l);
      }
      const steps = threads.map((t, i) => l10n.t('{0} waits for {1}, held by {2}', t.name, locks[i]!.object.name, threads[(i + 1) % threads.length]!.name));
      const report: DeadlockReport = {
        threads: threads.map((t) => t.name),
        locks: locks.map((l) => l.object.name),
        threadIds: threads.map((t) => t.id),
        lockIds: locks.map((l) => l.id),
        description: threads.length === 1 ? l10n.t('{0} itself: a Lock is not re-entrant (an RLock is).', steps[0]!) : l10n.t('{0}.', steps.join(l10n.t('; '))),
      };
      this.log.warn(`Deadlock: ${report.description}`);
      this.onDeadlockEmitter.fire(report);
      reports.push(report);
    }
    this.suspects = suspects;
    return reports;
  }

  // --- lifetime

  /** Ends every thread (a deadlocked one cannot end by itself) and leaves the entities to expire. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      clearInterval(this.deadlockTimer);
      await Promise.all(
        this.actors.map((a) => {
          if (a instanceof Thread) return a.kill();
          if (a instanceof Process) {
            a.kill();
            return a.whenExited();
          }
          return undefined;
        }),
      );
      await this.warm.dispose();
      this.broker.dispose();
      this.mainThread.end();
      for (const s of this.syncs.values()) this.model.end(s);
      this.removeSampler();
      this.onOutputEmitter.dispose();
      this.onDeadlockEmitter.dispose();
    })();
    return this.disposed;
  }

  /** After dispose nothing new may start: a stopped lab's code may still be unwinding. */
  private assertOpen(): void {
    if (this.disposed) throw new RuntimeShutDown('this runtime has been shut down (its lab was stopped)');
  }

  private track<T extends SyncObject>(object: T): T {
    const entity = new SyncEntity(this.model.newId('sync'), object, this.ownerId, this);
    this.syncs.set(object.slot, entity);
    this.model.add(entity);
    return object;
  }

  private addActor(actor: Actor): void {
    this.actors[actor.slot] = actor;
    this.model.add(actor);
  }

  private nextNumber(kind: string): number {
    const n = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, n);
    return n;
  }

  private nextName(kind: string): string {
    return `${kind}#${this.nextNumber(kind)}`;
  }
}
