// The bodies of the labs' processes. They run in child processes (dist/process-worker.js): their
// arguments are copies, and shared objects are broker proxies (every call a round trip).
import type { ArrayProxy, DictProxy, LockProxy, ProcessApi, ProcessProgram, ValueProxy } from '../runtime/processApi';

/** The child's copy of `count` is set to 0; the parent's stays as it was. */
function setCount(p: ProcessApi, count: number): number {
  p.print(`child sees count = ${count}, sets it to 0`);
  count = 0;
  p.print(`child's count is now ${count}`);
  return count;
}

/** Appends to the child's copy of the list. */
function appendToList(p: ProcessApi, list: number[], item: number): number[] {
  list.push(item);
  p.print(`child appended ${item}: its list is [${list.join(', ')}]`);
  return list;
}

async function sleepFor(p: ProcessApi, seconds: number): Promise<number> {
  p.print(`start, sleeping ${seconds} s`);
  await p.sleep(seconds);
  p.print('end');
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

export const PROCESS_PROGRAMS: Readonly<Record<string, ProcessProgram>> = {
  setCount: setCount as ProcessProgram,
  appendToList: appendToList as ProcessProgram,
  sleepFor: sleepFor as ProcessProgram,
  fillSquare: fillSquare as ProcessProgram,
  incrementShared: incrementShared as ProcessProgram,
};
