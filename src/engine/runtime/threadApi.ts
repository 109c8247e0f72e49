import type { Replacement } from '../../protocol/said';
import type { Arena } from './arena';
import { assertMayBlock } from './current';
import { ThreadState } from './threadState';

/** What a thread body receives: Python's `threading` / `time` calls that concern itself. */
export interface ThreadApi {
  readonly name: string;
  /** Like `threading.get_ident()`: the worker's thread id. */
  readonly ident: number;
  /** `time.sleep(seconds)`: blocks this thread only; the inspector shows it sleeping. */
  sleep(seconds: number): void;
  /** `print(...)`: a line in the lab's output, prefixed with the thread's name. */
  print(...parts: unknown[]): void;
  /**
   * A line in the display language: `message` is English with `{0}` placeholders, translated in
   * the main thread, where the bundle is (a worker has none).
   */
  say(message: string, ...args: Replacement[]): void;
}

export type ThreadProgram = (t: ThreadApi, ...args: never[]) => unknown;

// A private word nobody notifies: Atomics.wait on it is a precise, blocking sleep.
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function blockingSleep(arena: Arena, slot: number, seconds: number): void {
  assertMayBlock('sleep()');
  if (seconds < 0) throw new RangeError('sleep length must be non-negative');
  if (seconds === 0) {
    // time.sleep(0) gives the CPU up, as Python's does. A zero timeout would return at once
    // without entering the scheduler; a 1 µs timed wait does enter it, so others really run.
    Atomics.wait(sleeper, 0, 0, 0.001);
    return;
  }
  arena.setState(slot, ThreadState.Sleeping);
  Atomics.wait(sleeper, 0, 0, seconds * 1000);
  arena.setState(slot, ThreadState.Running);
}
