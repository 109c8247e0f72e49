// The bodies of the labs' threads, written blocking-style as in the Python tutorials. They run in
// worker threads (dist/thread-worker.js), so keep imports to the runtime's primitives.
import type { Barrier } from '../runtime/barrier';
import type { Event } from '../runtime/event';
import type { Lock } from '../runtime/lock';
import type { ThreadApi, ThreadProgram } from '../runtime/threadApi';
import type { SharedInt } from '../runtime/value';

/** `time.sleep(seconds)` between two prints. */
function sleeper(t: ThreadApi, seconds: number): string {
  t.print(`start, sleeping ${seconds} s`);
  t.sleep(seconds);
  t.print('end');
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
  t.print(`acquired ${lock.name} once`);
  lock.acquire();
  t.print(`acquired ${lock.name} twice (depth ${lock.depth})`);
  lock.release();
  lock.release();
  t.print(`released ${lock.name} twice`);
  return 'ok';
}

/** Even-numbered threads wait at the gate; odd ones run straight through. */
function gate(t: ThreadApi, event: Event, index: number): string {
  if (index % 2 === 0) {
    t.print(`waiting for ${event.name}`);
    event.wait();
    t.print(`passed: ${event.name} is set`);
    return 'waited';
  }
  t.print('odd: runs through without waiting');
  return 'ran through';
}

/** Takes `first`, dawdles, then takes `second`: two of these in opposite order deadlock. */
function twoLocks(t: ThreadApi, first: Lock, second: Lock, pause: number, both: Barrier | null): string {
  first.acquire();
  t.print(`holds ${first.name}, now wants ${second.name}`);
  both?.wait();
  t.sleep(pause);
  second.acquire();
  t.print(`holds ${first.name} and ${second.name}`);
  second.release();
  first.release();
  return 'ok';
}

export const THREAD_PROGRAMS: Readonly<Record<string, ThreadProgram>> = {
  sleeper: sleeper as ThreadProgram,
  increment: increment as ThreadProgram,
  reenter: reenter as ThreadProgram,
  gate: gate as ThreadProgram,
  twoLocks: twoLocks as ThreadProgram,
};
