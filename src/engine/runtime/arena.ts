import { isMainThread } from 'node:worker_threads';
import { currentSlot } from './current';

// The runtime's shared memory: one SharedArrayBuffer seen by the main thread and every worker.
// Threads and sync objects live in fixed-size slots so a worker can block on a word (Atomics.wait)
// and the inspector can sample every state without a message per change (DESIGN §2).

export const MAX_THREADS = 512;
export const MAX_OBJECTS = 1024;

// Thread slot fields (Int32).
export const T_STATE = 0;
/** 1 + the object slot (or thread slot for joins) the thread waits on; 0 when none. */
export const T_WAIT_ON = 1;
/** The word a waiting thread parks on; the waker stores a WakeReason and notifies. */
export const T_PARK = 2;
/** Intrusive FIFO queue link: 1 + the next waiting thread slot; 0 ends the queue. */
export const T_NEXT = 3;
/** Bumped on every state change, so a sampler sees what changed without comparing fields. */
export const T_VERSION = 4;
/** 1 while the thread (or process) can run; 0 once it ended. */
export const T_ALIVE = 5;
/** 1 + the slot of the thread whose release, set or notify last woke this one; 0 when unknown. */
export const T_WOKEN_BY = 6;
/**
 * 1 once the thread is being killed. Set before worker.terminate(), so a guard it may hold can be
 * taken over at once: its exit event (which clears T_ALIVE) needs the main thread's event loop,
 * and the main thread may be the one waiting for that guard.
 */
export const T_KILLED = 7;
const T_STRIDE = 8;

// Thread slot fields (Float64).
/** When the current state began (ms since the epoch, sub-ms precision). */
export const TF_SINCE = 0;
/** When it was last woken by another thread (the timeline's arrow). */
export const TF_WOKEN_AT = 1;
const TF_STRIDE = 2;

// Object slot fields (Int32).
export const O_KIND = 0;
/** Internal mutex guarding the slot's fields: 0 free, 1 held, 2 held with sleepers. */
export const O_GUARD = 1;
/** 1 + the holder's thread slot; 0 when free. */
export const O_OWNER = 2;
/** RLock recursion depth; Semaphore value; Event flag; Barrier arrivals; Value contents. */
export const O_COUNT = 3;
export const O_HEAD = 4;
export const O_TAIL = 5;
export const O_WAITERS = 6;
export const O_ACQUISITIONS = 7;
export const O_FLAGS = 8;
/** BoundedSemaphore bound; Barrier parties; Condition: 1 + the lock's slot. */
export const O_PARAM = 9;
/** Barrier generation. */
export const O_GEN = 10;
export const O_VERSION = 11;
/** Contended acquisitions (had to wait). */
export const O_CONTENDED = 12;
/** Who holds the guard: 1 + thread slot, MAIN_GUARD for the main thread, 0 while unknown. */
export const O_GUARD_OWNER = 13;
const O_STRIDE = 16;

/** The main thread's tag as a guard holder (it outlives every runtime it serves). */
const MAIN_GUARD = MAX_THREADS + 1;
/** A guard waiter checks this often whether the holder died holding it. */
const GUARD_CHECK_MS = 20;
/** A guard held this long with no holder recorded: its holder died between taking it and saying so. */
const GUARD_UNKNOWN_MS = 2000;

// Object slot fields (Float64).
export const OF_ACQUIRED_AT = 0;
export const OF_TOTAL_WAIT = 1;
export const OF_MAX_WAIT = 2;
export const OF_TOTAL_HOLD = 3;
export const OF_MAX_HOLD = 4;
const OF_STRIDE = 5;

/** Set in a lock's owner word while threads are queued: release then takes the guarded path. */
export const OWNER_WAITERS = 1 << 30;
export const OWNER_MASK = OWNER_WAITERS - 1;

export const FLAG_OWNER_DEAD = 1;
export const FLAG_BROKEN = 2;

export enum ObjectKind {
  Free = 0,
  Lock = 1,
  RLock = 2,
  Semaphore = 3,
  BoundedSemaphore = 4,
  Event = 5,
  Condition = 6,
  Barrier = 7,
  Value = 8,
}

/** What a waker stores in the waiter's park word. 0 means "still waiting". */
export enum WakeReason {
  Waiting = 0,
  Granted = 1,
  OwnerDied = 2,
  Broken = 3,
}

const HEADER_INTS = 4;
const H_NEXT_THREAD = 0;
const H_NEXT_OBJECT = 1;

const INT_BYTES = (HEADER_INTS + MAX_THREADS * T_STRIDE + MAX_OBJECTS * O_STRIDE) * 4;
const FLOAT_OFFSET = Math.ceil(INT_BYTES / 8) * 8;
const FLOAT_COUNT = MAX_THREADS * TF_STRIDE + MAX_OBJECTS * OF_STRIDE;

// Read once: the timeOrigin getter costs as much as the clock read itself (measured ~40 ns).
const ORIGIN = performance.timeOrigin;

/** Epoch milliseconds with sub-millisecond precision, comparable across threads. */
export function nowMs(): number {
  return ORIGIN + performance.now();
}

/**
 * An arena time as the wall clock (Date.now()) tells it, for views: everything else in them
 * (connection ages, `now`) is wall-clock time. The arena's clock is monotonic from the thread's
 * start, so once the wall clock has been stepped (NTP, a suspended VM resuming) the two differ
 * by the step; a state 1 s old would read as 30 s. What is kept is the elapsed time, which the
 * monotonic clock measures right; a time in the future (another thread's origin) reads as now.
 */
export function toWallClock(arenaMs: number, wallNow = Date.now(), arenaNow = nowMs()): number {
  return wallNow - Math.max(0, arenaNow - arenaMs);
}

export class Arena {
  readonly i32: Int32Array;
  readonly f64: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(FLOAT_OFFSET + FLOAT_COUNT * 8)) {
    this.i32 = new Int32Array(buffer, 0, INT_BYTES / 4);
    this.f64 = new Float64Array(buffer, FLOAT_OFFSET, FLOAT_COUNT);
  }

  static get byteLength(): number {
    return FLOAT_OFFSET + FLOAT_COUNT * 8;
  }

  /** Index of a thread slot's Int32 field. */
  t(slot: number, field: number): number {
    return HEADER_INTS + slot * T_STRIDE + field;
  }

  tf(slot: number, field: number): number {
    return slot * TF_STRIDE + field;
  }

  /** Index of an object slot's Int32 field. */
  o(slot: number, field: number): number {
    return HEADER_INTS + MAX_THREADS * T_STRIDE + slot * O_STRIDE + field;
  }

  of(slot: number, field: number): number {
    return MAX_THREADS * TF_STRIDE + slot * OF_STRIDE + field;
  }

  /** Slots given back by ended actors (main thread side only, like allocation). */
  private readonly freeThreads: number[] = [];

  /** Reserves a thread slot (main thread side only). Slot 0 is the lab's main thread. */
  allocThread(): number {
    const reused = this.freeThreads.pop();
    if (reused !== undefined) {
      for (const f of [T_STATE, T_WAIT_ON, T_PARK, T_NEXT, T_WOKEN_BY, T_KILLED]) Atomics.store(this.i32, this.t(reused, f), 0);
      this.f64[this.tf(reused, TF_WOKEN_AT)] = 0;
      Atomics.store(this.i32, this.t(reused, T_ALIVE), 1);
      return reused;
    }
    const slot = Atomics.add(this.i32, H_NEXT_THREAD, 1);
    if (slot >= MAX_THREADS) {
      Atomics.sub(this.i32, H_NEXT_THREAD, 1);
      throw new Error(`Too many threads: this runtime holds at most ${MAX_THREADS}.`);
    }
    Atomics.store(this.i32, this.t(slot, T_ALIVE), 1);
    return slot;
  }

  /**
   * Gives an ended actor's slot back, so a long-running server can start threads forever. Only
   * for actors that never touched a sync object (no queue may still name the slot).
   */
  freeThread(slot: number): void {
    if (slot > 0 && !this.freeThreads.includes(slot)) this.freeThreads.push(slot);
  }

  allocObject(kind: ObjectKind, param = 0, count = 0): number {
    const slot = Atomics.add(this.i32, H_NEXT_OBJECT, 1);
    if (slot >= MAX_OBJECTS) {
      Atomics.sub(this.i32, H_NEXT_OBJECT, 1);
      throw new Error(`Too many synchronisation objects: this runtime holds at most ${MAX_OBJECTS}.`);
    }
    Atomics.store(this.i32, this.o(slot, O_PARAM), param);
    Atomics.store(this.i32, this.o(slot, O_COUNT), count);
    Atomics.store(this.i32, this.o(slot, O_KIND), kind);
    return slot;
  }

  get threadCount(): number {
    return Math.min(Atomics.load(this.i32, H_NEXT_THREAD), MAX_THREADS);
  }

  get objectCount(): number {
    return Math.min(Atomics.load(this.i32, H_NEXT_OBJECT), MAX_OBJECTS);
  }

  /** Records a thread's state; the inspector samples it (no message per change). */
  setState(slot: number, state: number, waitOn = 0): void {
    this.i32[this.t(slot, T_WAIT_ON)] = waitOn;
    this.f64[this.tf(slot, TF_SINCE)] = nowMs();
    Atomics.store(this.i32, this.t(slot, T_STATE), state);
    Atomics.add(this.i32, this.t(slot, T_VERSION), 1);
  }

  // --- the guard: a three-state futex mutex (Drepper, "Futexes Are Tricky"), held for nanoseconds.

  //
  // A thread can be killed (worker.terminate) at any instruction, also inside the guard. Its
  // holder is recorded, and a waiter that finds the holder dead takes the guard over (the robust
  // futex's EOWNERDEAD), so one killed thread never hangs the others — nor the extension host,
  // whose main thread takes the guard to clean up after the dead. The fields the dead thread was
  // changing may be half-changed; the sections are a few stores long, and the runtime that killed
  // it is usually ending anyway.

  lockGuard(slot: number): void {
    const i = this.o(slot, O_GUARD);
    let c = Atomics.compareExchange(this.i32, i, 0, 1);
    if (c !== 0) {
      if (c !== 2) c = Atomics.exchange(this.i32, i, 2);
      let unknownSince = 0;
      while (c !== 0) {
        if (this.takeOverDeadGuard(slot, (unknownSince ||= Date.now()))) break;
        Atomics.wait(this.i32, i, 2, GUARD_CHECK_MS);
        c = Atomics.exchange(this.i32, i, 2);
        if (Atomics.load(this.i32, this.o(slot, O_GUARD_OWNER)) !== 0) unknownSince = 0;
      }
    }
    Atomics.store(this.i32, this.o(slot, O_GUARD_OWNER), guardTag());
  }

  /** The guard is held: if its holder died holding it, take it (true). */
  private takeOverDeadGuard(slot: number, heldSince: number): boolean {
    const f = this.o(slot, O_GUARD_OWNER);
    const holder = Atomics.load(this.i32, f);
    const dead =
      holder === 0
        ? Date.now() - heldSince > GUARD_UNKNOWN_MS
        : holder !== MAIN_GUARD && (Atomics.load(this.i32, this.t(holder - 1, T_ALIVE)) === 0 || Atomics.load(this.i32, this.t(holder - 1, T_KILLED)) === 1);
    // One waiter wins the take-over; the guard word stays "held".
    return dead && Atomics.compareExchange(this.i32, f, holder, guardTag()) === holder;
  }

  unlockGuard(slot: number): void {
    Atomics.store(this.i32, this.o(slot, O_GUARD_OWNER), 0);
    const i = this.o(slot, O_GUARD);
    if (Atomics.sub(this.i32, i, 1) !== 1) {
      Atomics.store(this.i32, i, 0);
      Atomics.notify(this.i32, i, 1);
    }
  }

  /** 1 + the holder's thread slot of a lock (0 when free), without the waiters bit. */
  owner(obj: number): number {
    return Atomics.load(this.i32, this.o(obj, O_OWNER)) & OWNER_MASK;
  }

  bumpObject(slot: number): void {
    Atomics.add(this.i32, this.o(slot, O_VERSION), 1);
  }

  // --- the FIFO wait queue of an object, linked through thread slots. Call with the guard held.

  enqueue(obj: number, thread: number): void {
    const i32 = this.i32;
    i32[this.t(thread, T_NEXT)] = 0;
    Atomics.store(i32, this.t(thread, T_PARK), WakeReason.Waiting);
    const tail = i32[this.o(obj, O_TAIL)]!;
    if (tail === 0) i32[this.o(obj, O_HEAD)] = thread + 1;
    else i32[this.t(tail - 1, T_NEXT)] = thread + 1;
    i32[this.o(obj, O_TAIL)] = thread + 1;
    i32[this.o(obj, O_WAITERS)]!++;
    this.bumpObject(obj);
  }

  /** Removes and returns the first waiter, or -1. */
  dequeue(obj: number): number {
    const i32 = this.i32;
    const head = i32[this.o(obj, O_HEAD)]!;
    if (head === 0) return -1;
    const next = i32[this.t(head - 1, T_NEXT)]!;
    i32[this.o(obj, O_HEAD)] = next;
    if (next === 0) i32[this.o(obj, O_TAIL)] = 0;
    i32[this.o(obj, O_WAITERS)]!--;
    this.bumpObject(obj);
    return head - 1;
  }

  /** Removes a waiter that gave up (timeout); returns false if it was no longer queued. */
  unlink(obj: number, thread: number): boolean {
    const i32 = this.i32;
    let prev = 0;
    let cur = i32[this.o(obj, O_HEAD)]!;
    while (cur !== 0) {
      const next = i32[this.t(cur - 1, T_NEXT)]!;
      if (cur - 1 === thread) {
        if (prev === 0) i32[this.o(obj, O_HEAD)] = next;
        else i32[this.t(prev - 1, T_NEXT)] = next;
        if (i32[this.o(obj, O_TAIL)] === cur) i32[this.o(obj, O_TAIL)] = prev;
        i32[this.o(obj, O_WAITERS)]!--;
        this.bumpObject(obj);
        return true;
      }
      prev = cur;
      cur = next;
    }
    return false;
  }

  /** The waiting threads in FIFO order (a racy read for the inspector). */
  waiters(obj: number): number[] {
    const out: number[] = [];
    let cur = this.i32[this.o(obj, O_HEAD)]!;
    while (cur !== 0 && out.length < MAX_THREADS) {
      out.push(cur - 1);
      cur = this.i32[this.t(cur - 1, T_NEXT)]!;
    }
    return out;
  }

  /** `by`: the waking thread's slot, when known (−1: not known, no arrow is drawn). */
  wake(thread: number, reason: WakeReason, by = -1): void {
    if (by >= 0) {
      this.f64[this.tf(thread, TF_WOKEN_AT)] = nowMs();
      Atomics.store(this.i32, this.t(thread, T_WOKEN_BY), by + 1);
    }
    const i = this.t(thread, T_PARK);
    Atomics.store(this.i32, i, reason);
    Atomics.notify(this.i32, i);
  }
}

function guardTag(): number {
  return isMainThread ? MAIN_GUARD : currentSlot() + 1;
}
