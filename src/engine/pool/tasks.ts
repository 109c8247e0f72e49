// The pool's bundled tasks, as in the tutorials; users' own come from a module by path.

export type PoolTask = (...args: never[]) => unknown;

/** `time.sleep(seconds); return i + 100` — the tutorial's pool task. */
async function sleep(i: number, seconds = 2): Promise<number> {
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return i + 100;
}

/** CPU-bound: how many primes are below n. */
function primes(n: number): number {
  let count = 0;
  for (let k = 2; k < n; k++) {
    let prime = true;
    for (let d = 2; d * d <= k; d++) {
      if (k % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** SHA-256 of `text`, `rounds` times over. */
function hash(text: string, rounds = 1000): string {
  // Loaded on first use: every worker starts with this module, few ever hash.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  let h = String(text);
  for (let i = 0; i < rounds; i++) h = createHash('sha256').update(h).digest('hex');
  return h;
}

/** Throws, for the fault labs: the error reaches the AsyncResult with its stack. */
function fail(message = 'task failed on purpose'): never {
  throw new Error(message);
}

/** Ends the worker in the middle of a task (exit code, or a signal to itself). */
function crash(how: 'exit' | 'kill' = 'exit'): never {
  if (how === 'kill') process.kill(process.pid, 'SIGKILL');
  process.exit(3);
}

const square = (x: number): number => x * x;
const noop = (x: unknown): unknown => x;
const add = (a: number, b: number): number => a + b;

export const POOL_TASKS: Readonly<Record<string, PoolTask>> = {
  sleep: sleep as PoolTask,
  primes: primes as PoolTask,
  hash: hash as PoolTask,
  fail: fail as PoolTask,
  crash: crash as PoolTask,
  square: square as PoolTask,
  noop: noop as PoolTask,
  add: add as PoolTask,
};
