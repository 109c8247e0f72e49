// The bodies of the labs' processes. They run in child processes (dist/process-worker.js): their
// arguments are copies, and shared objects are broker proxies (every call a round trip).
import { execFileSync } from 'node:child_process';
import type { ArrayProxy, DictProxy, LockProxy, ProcessApi, ProcessProgram, ValueProxy } from '../runtime/processApi';
import { sharedClock, spin, SPIN_CHUNK, type SpinResult } from './threadPrograms';

/** The child's copy of `count` is set to 0; the parent's stays as it was. */
function setCount(p: ProcessApi, count: number): number {
  p.say('child sees count = {0}, sets it to 0', count);
  count = 0;
  p.say("child's count is now {0}", count);
  return count;
}

/** Appends to the child's copy of the list. */
function appendToList(p: ProcessApi, list: number[], item: number): number[] {
  list.push(item);
  p.say('child appended {0}: its list is [{1}]', item, list.join(', '));
  return list;
}

async function sleepFor(p: ProcessApi, seconds: number): Promise<number> {
  p.say('start, sleeping {0} s', seconds);
  await p.sleep(seconds);
  p.say('end');
  return seconds;
}

async function fillSquare(p: ProcessApi, arr: ArrayProxy, index: number, dict: DictProxy): Promise<void> {
  await arr.set(index, index * index);
  await dict.set(p.name, p.pid);
  p.print(`${arr.name}[${index}] = ${index * index}; ${dict.name}['${p.name}'] = ${p.pid}`);
}

/**
 * `value.value += 1` through the broker: a read and a write, with or without the shared lock;
 * at the watch pace the child sleeps `hold` seconds between them.
 */
async function incrementShared(p: ProcessApi, value: ValueProxy, times: number, lock: LockProxy | null, hold = 0): Promise<number> {
  for (let i = 0; i < times; i++) {
    if (lock) await lock.acquire();
    const v = await value.get();
    if (hold > 0) await p.sleep(hold);
    await value.set(v + 1);
    if (lock) await lock.release();
  }
  return times;
}

/**
 * A gate for processes: the parent holds `gate` until every child waits for it, then lets go;
 * each child passes it on. What comes after starts together, start-up behind it.
 */
async function passGate(gate: LockProxy): Promise<void> {
  await gate.acquire();
  await gate.release();
}

/** The gil lab's work in a process: the same counting as its threads do, once through the gate. */
async function countDownProcess(_p: ProcessApi, steps: number, gate: LockProxy): Promise<SpinResult> {
  const clock = sharedClock();
  await passGate(gate);
  const x = spin(steps);
  return { finishedAt: clock(), checksum: x, handoffs: 0 };
}

/** What a process of the multiprogramming lab saw of its own run. */
export interface SliceReport {
  /** The CPU it pinned itself to, or null (not asked, or no taskset here). */
  readonly pinnedTo: number | null;
  readonly cpuMs: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** When it was on a CPU, on the shared clock: start, end, start, end… */
  readonly runs: number[];
  readonly checksum: number;
}

/**
 * The process looks at the clock every ~20 µs of work; a longer gap than this means the
 * operating system ran something else meanwhile.
 */
const OFF_CPU_MS = 0.5;

/**
 * `os.sched_setaffinity(0, {cpu})` for this process and all its threads, to its first allowed
 * CPU. Node has no binding for it; taskset (util-linux) makes the same system call.
 */
function pinToOneCpu(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const pid = String(process.pid);
    const allowed = execFileSync('taskset', ['-c', '-p', pid], { encoding: 'utf8' });
    const cpu = /list:\s*(\d+)/.exec(allowed)?.[1];
    if (cpu === undefined) return null;
    execFileSync('taskset', ['-a', '-c', '-p', cpu, pid], { stdio: 'ignore' });
    return Number(cpu);
  } catch {
    return null;
  }
}

/**
 * The counting, noting when it ran: each gap in its clock readings is a turn it lost. A plain
 * function: V8 compiles this loop inside an async function ~2.5× slower.
 */
function countNotingTurns(steps: number, clock: () => number, say: (percent: number, ms: number) => void): Omit<SliceReport, 'pinnedTo' | 'cpuMs'> {
  const startedAt = clock();
  const runs: number[] = [];
  let runStart = startedAt;
  let last = startedAt;
  let x = 1;
  let quarter = 1;
  for (let done = 0; done < steps;) {
    const k = Math.min(SPIN_CHUNK, steps - done);
    x = spin(k, x);
    done += k;
    const now = clock();
    if (now - last > OFF_CPU_MS) {
      runs.push(runStart, last);
      runStart = now;
    }
    last = now;
    if (quarter < 4 && done >= (steps * quarter) / 4) say(25 * quarter++, Math.round(now - startedAt));
  }
  runs.push(runStart, last);
  return { startedAt, finishedAt: last, runs, checksum: x };
}

/** The multiprogramming lab's process: pins itself if asked, waits at the gate, counts. */
async function timeSlices(p: ProcessApi, steps: number, gate: LockProxy, pin: boolean): Promise<SliceReport> {
  const pinnedTo = pin ? pinToOneCpu() : null;
  if (pin) {
    if (pinnedTo === null) p.say('could not pin itself to one CPU (no taskset here)');
    else p.say('pinned to CPU {0}', pinnedTo);
  }
  const clock = sharedClock();
  await passGate(gate);
  const cpu0 = process.cpuUsage();
  const run = countNotingTurns(steps, clock, (quarter, ms) => p.say('{0}% done at {1} ms', quarter, ms));
  const cpu = process.cpuUsage(cpu0);
  return { pinnedTo, cpuMs: (cpu.user + cpu.system) / 1000, ...run };
}

export const PROCESS_PROGRAMS: Readonly<Record<string, ProcessProgram>> = {
  setCount: setCount as ProcessProgram,
  appendToList: appendToList as ProcessProgram,
  sleepFor: sleepFor as ProcessProgram,
  fillSquare: fillSquare as ProcessProgram,
  incrementShared: incrementShared as ProcessProgram,
  countDownProcess: countDownProcess as ProcessProgram,
  timeSlices: timeSlices as ProcessProgram,
};
