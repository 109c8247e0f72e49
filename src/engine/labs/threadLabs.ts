import * as l10n from '@vscode/l10n';
import type { DeadlockReport, Runtime } from '../runtime/runtime';
import { ThreadState } from '../runtime/threadState';
import { joinAll, type LabDefinition, ms, param } from './lab';

/** Resolves with the next deadlock report, or null after `seconds`. */
/** The next deadlock the detector reports; null after `seconds`, or at once when the lab is stopped. */
function nextDeadlock(rt: Runtime, seconds: number, stopped: AbortSignal): Promise<DeadlockReport | null> {
  return new Promise((resolve) => {
    const done = (d: DeadlockReport | null) => {
      clearTimeout(timer);
      stopped.removeEventListener('abort', onStop);
      resolve(d);
    };
    const onStop = () => done(null);
    const timer = setTimeout(onStop, seconds * 1000);
    stopped.addEventListener('abort', onStop);
    rt.onDeadlock(done);
  });
}

export const threadsJoin: LabDefinition = {
  name: 'threads-join',
  title: 'Threads and join',
  group: 'threads',
  explanation:
    'Starts N threads that each sleep, then joins them and prints "done". Where join() stands decides everything: ' +
    'after the loop, the threads sleep together and the whole takes about one sleep; inside the loop, each thread ' +
    'is waited for before the next starts, so the total is N sleeps — no concurrency at all. ' +
    'A Node worker thread takes ~25 ms to start where a CPython thread takes ~0.1 ms, so the lab starts its ' +
    'threads ahead (reported apart, not timed) and the times are the ones Python shows.',
  imitation: 'A Node thread is a worker_thread that takes ~25 ms to start (a CPython thread ~0.1 ms): the lab starts its threads ahead and reports that apart.',
  params: [param('threads', 'how many threads', 20, 1, 200, undefined, 5), param('seconds', 'how long each thread sleeps', 0.2, 0, 10, undefined, 1)],
  async run({ rt, params, print, expect }) {
    const n = params.threads!;
    const s = params.seconds!;
    expect(s + n * s + n * 0.05);
    const warmUp = async () => {
      const t = performance.now();
      await rt.warmThreads(n);
      return ms(t);
    };
    let warm = await warmUp();
    print(l10n.t("({0} threads made ready ahead in {1} ms: a Node worker's start, not timed)", n, warm));
    print(l10n.t('join after the loop: start {0} threads, then join them all', n));
    let t0 = performance.now();
    const all = Array.from({ length: n }, () => rt.Thread({ target: 'sleeper', args: [s] }));
    all.forEach((t) => t.start());
    await joinAll(all);
    const after = ms(t0);
    print(l10n.t('done in {0} ms', after));
    warm += await warmUp();
    print(l10n.t('join inside the loop: start a thread, join it, then the next'));
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = rt.Thread({ target: 'sleeper', args: [s] });
      t.start();
      await t.join();
    }
    const inside = ms(t0);
    print(l10n.t('done in {0} ms', inside));
    return {
      summary: l10n.t('{0} threads sleeping {1} s: joined after the loop took {2} ms, joined inside the loop {3} ms ({4}× longer).', n, s, after, inside, (inside / after).toFixed(1)),
      figures: { threads: n, seconds: s, joinAfterLoopMs: after, joinInsideLoopMs: inside, warmUpMs: warm },
    };
  },
};

export const race: LabDefinition = {
  name: 'race',
  title: 'Race counter',
  group: 'threads',
  explanation:
    'N threads each add 1 to a shared counter M times, as `counter = counter + 1`: read, yield, write. Without a ' +
    'lock two threads read the same value and one write is lost; with a Lock around the read and write, none is. ' +
    'Watch the Lock: its waiters queue while one thread holds it. Run Lab runs it at a pace you can watch ' +
    '(each increment holds the counter for a while); Run Lab Fast does thousands for the numbers.',
  imitation: 'The read, yield and write are spelled out here; CPython loses updates only when its GIL switches threads (every 5 ms) between the read and the write, so Python loses fewer per run.',
  params: [
    param('threads', 'how many threads', 4, 2, 64),
    param('increments', 'increments per thread', 2000, 1, 1_000_000, undefined, 10),
    param('hold', 'seconds between reading and writing the counter (inside the lock): slows the run so it can be watched', 0, 0, 10, undefined, 0.15),
  ],
  async run({ rt, params, print, until, progress }) {
    const n = params.threads!;
    const m = params.increments!;
    const hold = params.hold ?? 0;
    const expected = n * m;
    // Each increment adds 1 here too, atomically: the counter itself loses updates by design.
    const tally = new Int32Array(new SharedArrayBuffer(4));
    const report = setInterval(() => progress(Atomics.load(tally, 0), 2 * expected), 200);
    const once = async (withLock: boolean): Promise<number> => {
      const counter = rt.Value(0, withLock ? 'counter (locked)' : 'counter');
      const lock = withLock ? rt.Lock('counter lock') : null;
      const go = rt.Event(withLock ? 'start (locked)' : 'start');
      const threads = Array.from({ length: n }, () => rt.Thread({ target: 'increment', args: [counter, m, lock, go, hold, tally] }));
      threads.forEach((t) => t.start());
      // Open the start gate only once every thread waits at it: a thread takes ~25 ms to start,
      // longer than its whole loop, so otherwise they would run one after another.
      const gate = rt.syncEntity(go)!;
      await until(() => gate.view().waiters.length === n, `${n} threads at the start gate`);
      go.set();
      await joinAll(threads);
      print(withLock ? l10n.t('with a lock: counter = {0} (expected {1})', counter.value, expected) : l10n.t('without a lock: counter = {0} (expected {1})', counter.value, expected));
      return counter.value;
    };
    let withoutLock: number;
    let withLock: number;
    try {
      withoutLock = await once(false);
      withLock = await once(true);
    } finally {
      clearInterval(report);
    }
    const lost = expected - withoutLock;
    return {
      summary: l10n.t('Expected {0}. Without a lock the counter reached {1} ({2} updates lost); with the lock {3} ({4} lost).', expected, withoutLock, lost, withLock, expected - withLock),
      figures: { expected, withoutLock, withLock, lostWithoutLock: lost, lostWithLock: expected - withLock, hold },
    };
  },
};

export const rlock: LabDefinition = {
  name: 'rlock',
  title: 'RLock re-entry vs Lock self-deadlock',
  group: 'threads',
  explanation:
    'A thread takes the same lock twice. An RLock counts the depth and lets its owner back in; a plain Lock does ' +
    'not know who holds it, so the second acquire waits for itself forever. The deadlock detector finds that ' +
    'one-thread cycle and names it.',
  imitation: null,
  params: [],
  async run({ rt, print, stopped }) {
    const r = rt.RLock('RLock#1');
    const okThread = rt.Thread({ target: 'reenter', args: [r], name: 'RLock user' });
    okThread.start();
    await okThread.join();
    print(okThread.result === 'ok' ? l10n.t('RLock: taken twice and released twice') : l10n.t('RLock: failed'));
    const lock = rt.Lock('Lock#1');
    const stuck = rt.Thread({ target: 'reenter', args: [lock], name: 'Lock user' });
    const found = nextDeadlock(rt, 5, stopped);
    stuck.start();
    const report = await found;
    stopped.throwIfAborted();
    print(report ? l10n.t('Lock: {0}', report.description) : l10n.t('Lock: no deadlock seen within 5 s'));
    await stuck.kill();
    return {
      summary: report ? l10n.t('RLock re-entry worked (depth 2). The Lock self-deadlocked: {0}', report.description) : l10n.t('RLock re-entry worked, but the Lock self-deadlock was not detected.'),
      figures: { rlockReentered: okThread.result === 'ok', lockDeadlocked: report !== null, description: report?.description ?? null },
    };
  },
};

export const eventGate: LabDefinition = {
  name: 'event-gate',
  title: 'Event gate',
  group: 'threads',
  explanation:
    'Even-numbered threads wait on an Event; odd-numbered ones run straight through. The gate opens when the ' +
    'Event is set — press Set on it in the Sync view (or let auto-set do it) — and every waiter passes at once. ' +
    'Then the Event is cleared and a second wave waits again.',
  imitation: null,
  params: [param('threads', 'threads per wave', 6, 2, 64), param('auto-set', 'seconds until the lab sets the Event itself; -1 waits for you to press Set', 1, -1, 3600, -1)],
  async run({ rt, params, print, sleep, until }) {
    const n = params.threads!;
    const auto = params['auto-set']!;
    const gate = rt.Event('gate');
    const evens = Math.ceil(n / 2);
    const waits: number[] = [];
    for (const wave of [1, 2]) {
      const threads = Array.from({ length: n }, (_, i) => rt.Thread({ target: 'gate', args: [gate, i], name: `wave${wave}-T${i}` }));
      threads.forEach((t) => t.start());
      const entity = rt.syncEntity(gate)!;
      // Whoever sets the gate early (the user may be quick) lets them through: that counts too.
      await until(() => gate.is_set() || entity.view().waiters.length === evens, `${evens} threads at the gate`, 3_600_000);
      print(l10n.t('wave {0}: {1} even threads wait at the gate; {2} odd ones ran through', wave, evens, n - evens));
      const t0 = performance.now();
      if (auto >= 0) {
        await sleep(auto);
        print(l10n.t('setting the gate'));
        gate.set();
      } else {
        print(l10n.t('press Set on "gate" in the Sync view to open it'));
      }
      await joinAll(threads);
      waits.push(ms(t0));
      print(l10n.t('wave {0}: all passed {1} ms after the gate was shut', wave, waits.at(-1)!));
      gate.clear();
    }
    return {
      summary: l10n.t('In each of 2 waves, {0} of {1} threads waited at the gate until it was set (after {2} ms); the others ran through.', evens, n, waits.join(' and ')),
      figures: { threads: n, waitedPerWave: evens, ranThroughPerWave: n - evens, waves: 2, gateShutMs: waits },
    };
  },
};

export const daemon: LabDefinition = {
  name: 'daemon',
  title: 'Daemon vs non-daemon',
  group: 'threads',
  explanation:
    "When the lab's main code ends, Python waits for every non-daemon thread and process and ends the daemon ones " +
    'where they stand. Here a non-daemon and a daemon thread, and a non-daemon and a daemon process, all sleep; ' +
    'the daemon ones sleep longer and never finish.',
  imitation: 'Python ends daemon threads when the interpreter exits; the lab ends them when its main code ends, as if the program exited there.',
  params: [param('short', 'seconds the non-daemon ones sleep', 0.5, 0, 30, undefined, 3), param('long', 'seconds the daemon ones sleep', 3, 0.1, 60, undefined, 8)],
  async run({ rt, params, print, expect }) {
    const short = params.short!;
    const long = params.long!;
    expect(short + 0.5);
    const threads = [rt.Thread({ target: 'sleeper', args: [short], name: 'worker' }), rt.Thread({ target: 'sleeper', args: [long], name: 'daemon worker', daemon: true })];
    const procs = [rt.Process({ target: 'sleepFor', args: [short], name: 'child' }), rt.Process({ target: 'sleepFor', args: [long], name: 'daemon child', daemon: true })];
    [...threads, ...procs].forEach((a) => a.start());
    print(l10n.t('main ends now; at exit, non-daemon threads and processes are joined, daemon ones are ended'));
    await threads[0]!.join();
    await procs[0]!.join();
    const daemonThreadAlive = threads[1]!.is_alive();
    procs[1]!.terminate();
    await procs[1]!.join();
    await threads[1]!.kill();
    const figures = {
      nonDaemonThreadFinished: threads[0]!.result === 'finished',
      daemonThreadFinished: threads[1]!.result === 'finished',
      daemonThreadAliveAtExit: daemonThreadAlive,
      nonDaemonProcessExitCode: procs[0]!.exitCode,
      daemonProcessExitCode: procs[1]!.exitCode,
    };
    return {
      summary: l10n.t(
        'The non-daemon thread and process finished (exit code {0}); the daemon thread was ended mid-sleep and the daemon process terminated (exit code {1}).',
        String(figures.nonDaemonProcessExitCode),
        String(figures.daemonProcessExitCode),
      ),
      figures,
    };
  },
};

export const threadingFunctions: LabDefinition = {
  name: 'threading-functions',
  title: 'threading functions, 100 daemon threads',
  group: 'threads',
  explanation:
    'threading.current_thread() is the thread that calls it, threading.enumerate() lists the live threads ' +
    '(MainThread first) and threading.active_count() counts them. Main starts N daemon threads that sleep, ' +
    'prints what the three functions say, then ends without join(): daemon threads are ended where they stand. ' +
    'A Node worker takes ~25 ms to start where a CPython thread takes ~0.1 ms, so the threads are made ready ' +
    'first (reported apart) and all N run within a second of the first start(), as in Python.',
  imitation: 'A Node thread is a worker_thread that takes ~25 ms to start (a CPython thread ~0.1 ms): the lab makes its threads ready ahead and reports that apart.',
  params: [param('threads', 'how many daemon threads', 100, 1, 200, undefined, 20), param('seconds', 'how long each sleeps', 5, 0.1, 60, undefined, 10)],
  async run({ rt, params, print, expect, until }) {
    const n = params.threads!;
    const s = params.seconds!;
    expect(n * 0.05 + 2);
    let t0 = performance.now();
    await rt.warmThreads(n);
    const warmUpMs = ms(t0);
    print(l10n.t("({0} threads made ready ahead in {1} ms: a Node worker's start, not timed)", n, warmUpMs));
    t0 = performance.now();
    const threads = Array.from({ length: n }, () => rt.Thread({ target: 'sleeper', args: [s], daemon: true }));
    threads.forEach((t) => t.start());
    await until(() => threads.every((t) => t.state !== ThreadState.New), `${n} threads running`, 30_000);
    const runningMs = ms(t0);
    print(l10n.t('{0} daemon threads running {1} ms after the first start()', n, runningMs));
    const count = rt.active_count();
    const names = rt.enumerate().map((a) => a.name);
    print(l10n.t('current_thread().name in main: {0}', rt.mainThread.name));
    print(l10n.t('active_count() = {0}', count));
    print(l10n.t('enumerate(): {0}, …, {1}', names.slice(0, 3).join(', '), names.at(-1) ?? ''));
    print(l10n.t('main ends now without join(): the daemon threads are ended where they stand'));
    await Promise.all(threads.map((t) => t.kill()));
    const finished = threads.filter((t) => t.result === 'finished').length;
    return {
      summary: l10n.t(
        '{0} daemon threads were running {1} ms after the first start(); active_count() = {2}; enumerate() listed {3} and {4} more; main ended without join() and {5} daemon threads were ended mid-sleep.',
        n,
        runningMs,
        count,
        names[0] ?? '',
        names.length - 1,
        n - finished,
      ),
      figures: { threads: n, runningMs, warmUpMs, activeCount: count, enumerated: names.length, firstName: names[0] ?? null, endedMidSleep: n - finished },
    };
  },
};

export const deadlock: LabDefinition = {
  name: 'deadlock',
  title: 'Deadlock',
  group: 'threads',
  explanation:
    'Two threads take two locks in opposite order: T1 takes A then B, T2 takes B then A. Each holds one and waits ' +
    'for the other forever. (They meet at a Barrier once both hold their first lock: without it the deadlock ' +
    'happens only when the timing lines up.) The wait-for graph (thread → lock it waits for → thread holding it) ' +
    'has a cycle; the detector reports it with every thread and lock in it. The cure: always take locks in one ' +
    'global order.',
  imitation: null,
  params: [
    param('pause', 'seconds each thread holds its first lock before asking for the second', 0.1, 0, 10, undefined, 1.5),
    param('linger', 'seconds the threads stay deadlocked after detection, to look at them; -1 until you stop the lab', 0, -1, 3600, -1),
  ],
  async run({ rt, params, print, sleep, stopped }) {
    const a = rt.Lock('Lock A');
    const b = rt.Lock('Lock B');
    const found = nextDeadlock(rt, 10 + params.pause!, stopped);
    const t0 = performance.now();
    const both = rt.Barrier(2, 'both hold one');
    const t1 = rt.Thread({ target: 'twoLocks', args: [a, b, params.pause, both], name: 'T1' });
    const t2 = rt.Thread({ target: 'twoLocks', args: [b, a, params.pause, both], name: 'T2' });
    t1.start();
    t2.start();
    const report = await found;
    stopped.throwIfAborted();
    const detectedMs = ms(t0);
    if (!report) {
      print(l10n.t('no deadlock within 10 s (the threads finished?)'));
      await joinAll([t1, t2]);
      return { summary: l10n.t('No deadlock formed this time.'), figures: { deadlocked: false } };
    }
    const linger = params.linger!;
    print(linger < 0 ? l10n.t('the threads stay stuck until you stop the lab') : l10n.t('the threads stay stuck; the lab ends them in {0} s', linger));
    await sleep(linger);
    await Promise.all([t1.kill(), t2.kill()]);
    return {
      summary: l10n.t('Deadlock detected {0} ms after start: {1}', detectedMs, report.description),
      figures: { deadlocked: true, threads: report.threads, locks: report.locks, description: report.description, detectedMs },
    };
  },
};
