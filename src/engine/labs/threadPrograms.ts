// The bodies of the labs' threads, written blocking-style as in the Python tutorials. They run in
// worker threads (dist/thread-worker.js), so keep imports to the runtime's primitives.
import type { Barrier } from '../runtime/barrier';
import type { Event } from '../runtime/event';
import type { Lock } from '../runtime/lock';
import type { ThreadApi, ThreadProgram } from '../runtime/threadApi';
import type { SharedInt } from '../runtime/value';

/** `time.sleep(seconds)` between two prints. */
function sleeper(t: ThreadApi, seconds: number): string {
  t.say('start, sleeping {0} s', seconds);
  t.sleep(seconds);
  t.say('end');
  return 'finished';
}

/**
 * `counter += 1` spelled out, with a yield (or, at the watch pace, a sleep of `hold` seconds)
 * between the read and the write: the race window. `tally` counts increments for the progress bar.
 */
function increment(t: ThreadApi, counter: SharedInt, times: number, lock: Lock | null, start: Event, hold = 0, tally?: Int32Array): number {
  // All threads begin together: a worker takes ~25 ms to start, longer than the loop below.
  start.wait();
  for (let i = 0; i < times; i++) {
    lock?.acquire();
    const v = counter.value;
    t.sleep(hold);
    counter.value = v + 1;
    lock?.release();
    if (tally) Atomics.add(tally, 0, 1);
  }
  return times;
}

/** Takes the same lock twice: fine for an RLock, a self-deadlock for a Lock. */
function reenter(t: ThreadApi, lock: Lock): string {
  lock.acquire();
  t.say('acquired {0} once', lock.name);
  lock.acquire();
  t.say('acquired {0} twice (depth {1})', lock.name, lock.depth);
  lock.release();
  lock.release();
  t.say('released {0} twice', lock.name);
  return 'ok';
}

/** Even-numbered threads wait at the gate; odd ones run straight through. */
function gate(t: ThreadApi, event: Event, index: number): string {
  if (index % 2 === 0) {
    t.say('waiting for {0}', event.name);
    event.wait();
    t.say('passed: {0} is set', event.name);
    return 'waited';
  }
  t.say('odd: runs through without waiting');
  return 'ran through';
}

/** Takes `first`, dawdles, then takes `second`: two of these in opposite order deadlock. */
function twoLocks(t: ThreadApi, first: Lock, second: Lock, pause: number, both: Barrier | null): string {
  first.acquire();
  t.say('holds {0}, now wants {1}', first.name, second.name);
  both?.wait();
  t.sleep(pause);
  second.acquire();
  t.say('holds {0} and {1}', first.name, second.name);
  second.release();
  first.release();
  return 'ok';
}

/**
 * The CPU-bound work of the gil and multiprogramming labs, Python's `while n > 0: n -= 1`: `steps`
 * turns of a tiny random-number generator. Its result is returned (and checked) so that the
 * compiler cannot drop the loop.
 */
export function spin(steps: number, x = 1): number {
  for (let i = 0; i < steps; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  return x;
}

/**
 * Milliseconds on a clock every thread and process of the machine shares (the monotonic one):
 * each worker's performance.now() counts from its own start. performance.now() is read in the
 * loops (it allocates nothing; an hrtime bigint per call would feed the garbage collector).
 */
export function sharedClock(): () => number {
  const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();
  return () => offset + performance.now();
}

/** Steps between two looks at the clock: about 20 µs of work. */
export const SPIN_CHUNK = 20_000;

/** What a worker of the gil lab reports: when it finished on the shared clock. */
export interface SpinResult {
  readonly finishedAt: number;
  readonly checksum: number;
  /** Times it handed the imitated GIL to a waiting thread. */
  readonly handoffs: number;
}

/** Steps of work per millisecond on this machine: `ms` of counting after a warm-up for the JIT. */
function calibrate(_t: ThreadApi, ms: number): { stepsPerMs: number; checksum: number } {
  let x = 1;
  const warm = performance.now() + 30;
  while (performance.now() < warm) x = spin(SPIN_CHUNK, x);
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    x = spin(SPIN_CHUNK, x);
    steps += SPIN_CHUNK;
  }
  return { stepsPerMs: steps / (performance.now() - t0), checksum: x };
}

/** The work `times` over, once `gate` opens (start-up is over by then, and not timed). */
function countDown(_t: ThreadApi, steps: number, times: number, gate: Event): SpinResult {
  const clock = sharedClock();
  gate.wait();
  let x = 1;
  for (let i = 0; i < times; i++) x = spin(steps, x);
  return { finishedAt: clock(), checksum: x, handoffs: 0 };
}

/**
 * The same work, computed only while holding `gil`, as CPython runs bytecode only while holding
 * its GIL. After each `interval` seconds (sys.getswitchinterval()) the holder lets go if another
 * thread asked for it; the Lock hands it to the longest waiter (FIFO), as CPython's forced switch does.
 */
function countDownWithGil(_t: ThreadApi, steps: number, gate: Event, gil: Lock, interval: number): SpinResult {
  const clock = sharedClock();
  gate.wait();
  gil.acquire();
  let x = 1;
  let left = steps;
  let handoffs = 0;
  let turnEnds = performance.now() + interval * 1000;
  while (left > 0) {
    const k = Math.min(SPIN_CHUNK, left);
    x = spin(k, x);
    left -= k;
    if (performance.now() >= turnEnds) {
      if (gil.waiting > 0) {
        handoffs++;
        gil.release();
        gil.acquire();
      }
      turnEnds = performance.now() + interval * 1000;
    }
  }
  gil.release();
  return { finishedAt: clock(), checksum: x, handoffs };
}

export const THREAD_PROGRAMS: Readonly<Record<string, ThreadProgram>> = {
  sleeper: sleeper as ThreadProgram,
  increment: increment as ThreadProgram,
  reenter: reenter as ThreadProgram,
  gate: gate as ThreadProgram,
  twoLocks: twoLocks as ThreadProgram,
  calibrate: calibrate as ThreadProgram,
  countDown: countDown as ThreadProgram,
  countDownWithGil: countDownWithGil as ThreadProgram,
};
