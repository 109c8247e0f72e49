import * as l10n from '@vscode/l10n';
import { joinAll, type LabDefinition, ms, param } from './lab';

export const memoryIsolation: LabDefinition = {
  name: 'memory-isolation',
  title: 'Process memory isolation',
  group: 'processes',
  explanation:
    "A child process gets a copy of the parent's data, not the data itself. The parent sets count = 100; the " +
    'child sets its count to 0; the parent still prints 100. Then 10 children each append to "the" list: each ' +
    "appends to its own copy, and the parent's list stays empty. (Threads, by contrast, share memory.)",
  imitation: 'Node has no fork(): a child starts afresh and gets a copy of the arguments it is given, not a copy-on-write image of the parent. The lesson (no shared memory) is the same.',
  params: [param('children', 'how many children append to the list', 10, 1, 40)],
  async run({ rt, params, print }) {
    const count = 100;
    print(l10n.t('parent: count = {0}', count));
    const child = rt.Process({ target: 'setCount', args: [count] });
    child.start();
    await child.join();
    const childCount = child.result as number;
    print(l10n.t('parent: after the child ran, count = {0}', count));
    const list: number[] = [];
    const children = Array.from({ length: params.children! }, (_, i) => rt.Process({ target: 'appendToList', args: [list, i] }));
    children.forEach((c) => c.start());
    await joinAll(children);
    const childLists = children.map((c) => c.result as number[]);
    print(l10n.t('parent: after {0} children appended, the list is [{1}]', children.length, list.join(', ')));
    return {
      summary: l10n.t(
        "The parent's count stayed {0} while the child's became {1}; the parent's list stayed empty while each of {2} children had its own one-item list.",
        count,
        childCount,
        children.length,
      ),
      figures: { parentCount: count, childCount, parentList: list, childLists },
    };
  },
};

export const joinOrder: LabDefinition = {
  name: 'join-order',
  title: 'Join ordering with processes',
  group: 'processes',
  explanation:
    'Process i sleeps i × step seconds. Started and joined one at a time, the total is the sum of the sleeps; ' +
    'started all together and then joined, it is about the longest one. The start-up cost of each process shows too.',
  imitation: "A Node child process takes 30–75 ms to start (Python's fork() ~2 ms): the totals include it.",
  params: [param('processes', 'how many processes', 3, 1, 20), param('step', 'process i sleeps i × step seconds', 0.3, 0, 10, undefined, 1)],
  async run({ rt, params, print, expect }) {
    const n = params.processes!;
    const step = params.step!;
    const durations = Array.from({ length: n }, (_, i) => Number(((i + 1) * step).toFixed(3)));
    // Each process also takes a moment to start.
    expect(durations.reduce((a, b) => a + b, 0) + durations.at(-1)! + 0.1 * (n + 1));
    let t0 = performance.now();
    for (const d of durations) {
      const p = rt.Process({ target: 'sleepFor', args: [d] });
      p.start();
      await p.join();
    }
    const serialMs = ms(t0);
    print(l10n.t('start, join, start, join…: {0} ms', serialMs));
    t0 = performance.now();
    const all = durations.map((d) => rt.Process({ target: 'sleepFor', args: [d] }));
    all.forEach((p) => p.start());
    await joinAll(all);
    const parallelMs = ms(t0);
    print(l10n.t('start all, then join all: {0} ms', parallelMs));
    const sum = durations.reduce((a, b) => a + b, 0);
    return {
      summary: l10n.t(
        'Sleeps of {0} s: joined one by one {1} ms (≈ their sum, {2} ms); started together {3} ms (≈ the longest, {4} ms).',
        durations.join(', '),
        serialMs,
        Math.round(sum * 1000),
        parallelMs,
        Math.round(durations.at(-1)! * 1000),
      ),
      figures: { durations, serialMs, parallelMs, sumMs: Math.round(sum * 1000), longestMs: Math.round(durations.at(-1)! * 1000) },
    };
  },
};

export const terminate: LabDefinition = {
  name: 'terminate',
  title: 'terminate, is_alive and exitcode',
  group: 'processes',
  explanation:
    'A child sleeps; the parent terminates it (SIGTERM). Right after terminate() the child may still be alive — ' +
    'the signal takes a moment — so is_alive() can say True; after join() it is False, and exitcode is -15: ' +
    'minus the signal number, as Python reports.',
  imitation: null,
  params: [param('after', 'seconds before terminating', 0.3, 0, 30, undefined, 3)],
  async run({ rt, params, print, sleep, expect }) {
    expect(params.after! + 0.2);
    const p = rt.Process({ target: 'sleepFor', args: [3600] });
    p.start();
    await sleep(params.after!);
    const before = p.is_alive();
    print(l10n.t('before terminate: is_alive() = {0}', before));
    p.terminate();
    const rightAfter = p.is_alive();
    print(l10n.t('right after terminate: is_alive() = {0}', rightAfter));
    await p.join();
    const afterJoin = p.is_alive();
    print(l10n.t('after join: is_alive() = {0}, exitcode = {1}', afterJoin, String(p.exitCode)));
    return {
      summary: l10n.t('is_alive() was {0} before terminate, {1} right after, {2} after join; exitcode {3} (SIGTERM is 15).', before, rightAfter, afterJoin, String(p.exitCode)),
      figures: { aliveBefore: before, aliveRightAfterTerminate: rightAfter, aliveAfterJoin: afterJoin, exitcode: p.exitCode },
    };
  },
};

export const sharedMemory: LabDefinition = {
  name: 'shared-memory',
  title: 'Shared Array and Manager dict',
  group: 'processes',
  explanation:
    "Processes do not share memory, so shared objects live in one place — here the parent's broker, as in " +
    "Python's Manager — and every read or write is a message to it. N children each write arr[i] = i*i and " +
    'record their pid in a dict; the parent then sees every write.',
  imitation: "Array and dict live in a broker in the parent, as a Manager's do: every access is a message, where Python's multiprocessing.Array is real shared memory.",
  params: [param('processes', 'how many children', 4, 1, 40)],
  async run({ rt, params, print }) {
    const n = params.processes!;
    const arr = rt.broker.Array(new Array<number>(n).fill(0), 'arr');
    const dict = rt.broker.dict('d');
    const children = Array.from({ length: n }, (_, i) => rt.Process({ target: 'fillSquare', args: [arr.handle, i, dict.handle] }));
    children.forEach((c) => c.start());
    await joinAll(children);
    const array = [...(arr.value as number[])];
    const entries = Object.fromEntries(dict.value as Map<string, unknown>);
    print(l10n.t('parent: arr = [{0}]', array.join(', ')));
    print(l10n.t('parent: d = {0}', JSON.stringify(entries)));
    return {
      summary: l10n.t('After {0} children wrote through the broker, the parent sees arr = [{1}] and {2} pids in d.', n, array.join(', '), Object.keys(entries).length),
      figures: { array, dict: entries },
    };
  },
};

export const processLock: LabDefinition = {
  name: 'process-lock',
  title: 'Process lock',
  group: 'processes',
  explanation:
    'N processes each add 1 to a shared Value M times, as read then write through the broker. Without a lock ' +
    'their reads and writes interleave and updates are lost; with a multiprocessing Lock around them, none is. ' +
    'The lock shows in the Sync view as "shared via broker".',
  // Children start ~30 ms apart (more on a busy machine): with a few hundred increments each could
  // finish before the next begins, and the lab would show nothing lost.
  imitation: 'The shared Value and its Lock go through the broker (messages), where Python uses shared memory and a semaphore.',
  params: [
    param('processes', 'how many processes', 4, 2, 40),
    param('increments', 'increments per process', 500, 1, 100_000, undefined, 10),
    param('hold', 'seconds between reading and writing the value (inside the lock): slows the run so it can be watched', 0, 0, 10, undefined, 0.15),
  ],
  async run({ rt, params, print, progress }) {
    const n = params.processes!;
    const m = params.increments!;
    const hold = params.hold ?? 0;
    const expected = n * m;
    let finished = 0;
    const once = async (withLock: boolean): Promise<number> => {
      const value = rt.broker.Value(0, withLock ? 'value (locked)' : 'value');
      const lock = withLock ? rt.ProcessLock('value lock').handle : null;
      const procs = Array.from({ length: n }, () => rt.Process({ target: 'incrementShared', args: [value.handle, m, lock, hold] }));
      procs.forEach((p) => p.start());
      // Children report nothing until they end: progress counts the ones that did.
      for (const p of procs) {
        await p.join();
        progress(++finished, 2 * n);
      }
      print(withLock ? l10n.t('with a lock: value = {0} (expected {1})', String(value.value), expected) : l10n.t('without a lock: value = {0} (expected {1})', String(value.value), expected));
      return value.value as number;
    };
    const withoutLock = await once(false);
    const withLock = await once(true);
    return {
      summary: l10n.t('Expected {0}. Without a lock the shared value reached {1} ({2} lost); with the lock {3}.', expected, withoutLock, expected - withoutLock, withLock),
      figures: { expected, withoutLock, withLock },
    };
  },
};
