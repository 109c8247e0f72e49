import * as l10n from '@vscode/l10n';
import os from 'node:os';
import type { Event } from '../runtime/event';
import type { Runtime } from '../runtime/runtime';
import type { Thread } from '../runtime/thread';
import type { BrokerHandle } from '../runtime/processMessages';
import { joinAll, type LabContext, type LabDefinition, ms, param } from './lab';
import type { SliceReport } from './processPrograms';
import { sharedClock, SPIN_CHUNK, type SpinResult } from './threadPrograms';

/** How many steps of the labs' counting take `seconds` on one core here (measured in a thread). */
async function stepsFor(rt: Runtime, seconds: number): Promise<number> {
  await rt.warmThreads(1);
  const t = rt.Thread({ target: 'calibrate', args: [150], name: 'calibration' });
  t.start();
  await t.join();
  const r = t.result as { stepsPerMs: number } | undefined;
  if (!r) throw new Error(`the calibration thread failed: ${t.lastError?.message ?? 'no result'}`);
  return Math.max(SPIN_CHUNK, Math.round(r.stepsPerMs * seconds * 1000));
}

/** A timed run: from the gate's opening to the last worker's finish; start-up before it, apart. */
interface Timed<R> {
  readonly ms: number;
  readonly warmUpMs: number;
  readonly opened: number;
  readonly results: R[];
  readonly names: string[];
}

const clock = sharedClock();

type Runner = { readonly name: string; readonly lastError: { message: string } | null; is_alive(): boolean };

/** One that ended before the gate opened has failed (a bad program, a crash): the lab fails with it. */
function assertAllWaiting(actors: readonly Runner[]): void {
  const gone = actors.find((a) => !a.is_alive());
  if (gone) throw new Error(`${gone.name} ended before the start: ${gone.lastError?.message ?? 'no error given'}`);
}

/** The workers' results, and the time from `opened` to the last one's finish. */
function timed<R extends { finishedAt: number }>(actors: readonly (Runner & { readonly result: unknown })[], opened: number, warmUpMs: number): Timed<R> {
  const results = actors.map((a) => {
    if (a.result === undefined || a.result === null) throw new Error(`${a.name} failed: ${a.lastError?.message ?? 'no result'}`);
    return a.result as R;
  });
  return { ms: Math.round(Math.max(...results.map((r) => r.finishedAt)) - opened), warmUpMs, opened, results, names: actors.map((a) => a.name) };
}

/**
 * Starts `n` threads (workers made ready ahead) that wait at one Event, opens it once all are
 * there and times them to the last one's finish: a Node worker's ~25 ms start is not timed.
 */
async function timedThreads({ rt, until }: LabContext, n: number, label: string, make: (gate: Event) => Thread[]): Promise<Timed<SpinResult>> {
  const t0 = performance.now();
  await rt.warmThreads(n);
  const gate = rt.Event(`${label}: start`);
  const threads = make(gate);
  threads.forEach((t) => t.start());
  const entity = rt.syncEntity(gate)!;
  await until(() => entity.view().waiters.length === n || threads.some((t) => !t.is_alive()), `${n} threads at the start gate`);
  assertAllWaiting(threads);
  const warmUpMs = ms(t0);
  const opened = clock();
  gate.set();
  await joinAll(threads);
  return timed(threads, opened, warmUpMs);
}

/**
 * The same for processes: the gate is a lock the main thread holds until every child waits for it
 * (a Node process takes ~50 ms to start, a forked CPython one a few ms).
 */
async function timedProcesses<R extends { finishedAt: number }>({ rt, until }: LabContext, n: number, make: (gate: BrokerHandle) => { target: string; args: unknown[] }): Promise<Timed<R>> {
  const t0 = performance.now();
  const gate = rt.ProcessLock('processes: start');
  await gate.lock.acquireAsync();
  const procs = Array.from({ length: n }, () => rt.Process(make(gate.handle)));
  procs.forEach((p) => p.start());
  await until(() => gate.lock.waiting === n || procs.some((p) => !p.is_alive()), `${n} processes at the start gate`);
  assertAllWaiting(procs);
  const warmUpMs = ms(t0);
  const opened = clock();
  gate.lock.release();
  await joinAll(procs);
  return timed(procs, opened, warmUpMs);
}

const times = (a: number, b: number) => Math.round((a / b) * 100) / 100;

export const gil: LabDefinition = {
  name: 'gil',
  title: 'The GIL: CPU-bound threads vs processes',
  group: 'processes',
  explanation:
    'The same CPU-bound work (counting, sized to take `seconds` on one core) is done N times: by one thread, one ' +
    'after another; by N threads at once; by N processes at once; and by N threads that may compute only while ' +
    'holding one shared Lock, which the holder hands over every switch interval (5 ms) when another thread asks ' +
    'for it. In CPython the GIL lets one thread at a time run Python code, so CPU-bound threads are no faster than ' +
    'one thread, while processes, each with its own interpreter and GIL, use every core. Node has no GIL: its ' +
    'worker threads run in parallel, as processes do. The last case is an imitation of the GIL (a real Lock, handed ' +
    'over as CPython hands its GIL over every sys.getswitchinterval() = 0.005 s) to show what CPython does; ' +
    'examples/gil.py shows the real thing. Threads and processes are started ahead and meet at a gate: their ' +
    'start-up is reported apart and only the work is timed. Compare N with the number of cores.',
  imitation: 'Node has no GIL: its threads run in parallel. The lab imitates the GIL with a real Lock the threads must hold to compute, handed over every 5 ms; examples/gil.py shows the real one.',
  params: [
    param('workers', 'how many threads, and how many processes (compare with the number of cores)', 2, 1, 8),
    param('seconds', "seconds of one core's work per thread or process (the lab sizes the counting to it)", 0.4, 0.05, 5, undefined, 1.5),
    param('interval', "the imitated GIL's switch interval in seconds (CPython's sys.getswitchinterval() is 0.005)", 0.005, 0.001, 0.1),
  ],
  async run(ctx) {
    const { rt, params, print, expect } = ctx;
    const n = params.workers!;
    const seconds = params.seconds!;
    const interval = params.interval!;
    const switchMs = Number((interval * 1000).toFixed(1));
    const cores = os.availableParallelism();
    const parallel = Math.min(n, cores);
    expect(0.3 + seconds * (2 * n + 2 * (n / parallel)) + 0.5);
    const steps = await stepsFor(rt, seconds);
    print(l10n.t('one work: {0} steps of counting, about {1} s on one core; {2} works each way, on {3} cores', steps.toLocaleString('en'), seconds, n, cores));

    const serial = await timedThreads(ctx, 1, 'serial', (gate) => [rt.Thread({ target: 'countDown', args: [steps, n, gate], name: 'serial' })]);
    print(l10n.t('one thread, the {0} works one after another: {1} ms', n, serial.ms));
    const threads = await timedThreads(ctx, n, 'threads', (gate) => Array.from({ length: n }, () => rt.Thread({ target: 'countDown', args: [steps, 1, gate] })));
    print(l10n.t('{0} threads, one work each, at once: {1} ms ({2}× as fast: Node has no GIL)', n, threads.ms, times(serial.ms, threads.ms)));
    const processes = await timedProcesses<SpinResult>(ctx, n, (gate) => ({ target: 'countDownProcess', args: [steps, gate] }));
    print(l10n.t('{0} processes, one work each, at once: {1} ms ({2}× as fast)', n, processes.ms, times(serial.ms, processes.ms)));
    const lock = rt.Lock('GIL (imitation)');
    const withGil = await timedThreads(ctx, n, 'GIL threads', (gate) => Array.from({ length: n }, () => rt.Thread({ target: 'countDownWithGil', args: [steps, gate, lock, interval] })));
    const handoffs = withGil.results.reduce((sum, r) => sum + r.handoffs, 0);
    print(
      l10n.t(
        '{0} threads computing only while holding one lock, handed over every {1} ms (the GIL, imitated): {2} ms ({3}×); the lock changed hands {4} times',
        n,
        switchMs,
        withGil.ms,
        times(serial.ms, withGil.ms),
        handoffs,
      ),
    );
    const threadWarmUpMs = serial.warmUpMs + threads.warmUpMs + withGil.warmUpMs;
    print(l10n.t('(start-up, not timed: threads ready at their gates in {0} ms in all, processes in {1} ms)', threadWarmUpMs, processes.warmUpMs));
    // Every thread and process did the very same counting: their results agree.
    const one = threads.results[0]!.checksum;
    const sameWork = [...threads.results, ...processes.results, ...withGil.results].every((r) => r.checksum === one);
    const figures = {
      workers: n,
      cores,
      seconds,
      steps,
      interval,
      serialMs: serial.ms,
      threadsMs: threads.ms,
      processesMs: processes.ms,
      gilThreadsMs: withGil.ms,
      threadsSpeedup: times(serial.ms, threads.ms),
      processesSpeedup: times(serial.ms, processes.ms),
      gilThreadsSpeedup: times(serial.ms, withGil.ms),
      gilHandoffs: handoffs,
      threadWarmUpMs,
      processWarmUpMs: processes.warmUpMs,
      sameWork,
    };
    return {
      summary: l10n.t(
        "On {0} cores, {1} × the same counting: one thread {2} ms; {1} threads {3} ms ({4}× as fast); {1} processes {5} ms ({6}×); {1} threads taking turns on one lock every {7} ms {8} ms ({9}×). Node has no GIL, so its threads ran in parallel like processes; the turn-taking threads imitate CPython's GIL, under which CPU-bound threads are no faster than one (examples/gil.py shows the real thing).",
        cores,
        n,
        serial.ms,
        threads.ms,
        figures.threadsSpeedup,
        processes.ms,
        figures.processesSpeedup,
        switchMs,
        withGil.ms,
        figures.gilThreadsSpeedup,
      ),
      figures,
    };
  },
};

/** One stretch of time a process spent on a CPU. */
interface Turn {
  readonly who: number;
  readonly start: number;
  readonly end: number;
}

const letter = (i: number) => String.fromCharCode(65 + i);

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}

/** Each row: one process; each column `columnMs` wide; █ when it was on a CPU most of that time. */
function chart(turns: readonly Turn[], n: number, from: number, columnMs: number, columns: number): string[] {
  return Array.from({ length: n }, (_, who) => {
    let row = '';
    for (let c = 0; c < columns; c++) {
      const a = from + c * columnMs;
      const b = a + columnMs;
      let on = 0;
      for (const t of turns) if (t.who === who && t.end > a && t.start < b) on += Math.min(b, t.end) - Math.max(a, t.start);
      row += on >= columnMs / 2 ? '█' : '·';
    }
    return `  ${letter(who)} ${row}`;
  });
}

export const multiprogramming: LabDefinition = {
  name: 'multiprogramming',
  title: 'Multiprogramming: processes taking turns on a CPU',
  group: 'processes',
  explanation:
    'More programs than CPUs: the operating system gives each a slice of a few milliseconds in turn, so all make ' +
    'progress together and each takes longer in wall-clock time than the CPU time it uses. N processes do the same ' +
    'CPU-bound counting; with pin = 1 each first pins itself to one CPU, all the same one, as ' +
    "os.sched_setaffinity does in Python (Node has no binding for it: the process runs taskset, Linux's tool for the " +
    'same system call). Each process notes the gaps in its clock readings, the times it was off the CPU, and the lab ' +
    'draws who ran when: the turns interleave, and wall time ≈ CPU time × N / CPUs. Without taskset (not Linux) or ' +
    'with pin = 0 they spread over all the cores: then use more processes than cores to see the sharing.',
  imitation: 'Node has no sched_setaffinity: each process runs taskset (Linux) on itself, the same system call as os.sched_setaffinity; without taskset they are not pinned.',
  params: [
    param('processes', 'how many processes', 4, 1, 16),
    param('seconds', 'seconds of CPU work for each process', 0.25, 0.02, 5, undefined, 1),
    param('pin', '1: pin them all to one CPU (Linux, with taskset); 0: let them spread over the cores', 1, 0, 1),
  ],
  async run(ctx) {
    const { rt, params, print, expect } = ctx;
    const n = params.processes!;
    const seconds = params.seconds!;
    const pin = params.pin === 1;
    const cores = os.availableParallelism();
    expect(0.5 + (seconds * n) / (pin ? 1 : Math.min(n, cores)));
    const steps = await stepsFor(rt, seconds);
    const run = await timedProcesses<SliceReport>(ctx, n, (gate) => ({ target: 'timeSlices', args: [steps, gate, pin] }));
    const reports = run.results;
    const pinned = pin && reports.every((r) => r.pinnedTo !== null);
    const cpus = pinned ? new Set(reports.map((r) => r.pinnedTo)).size : cores;
    const expectedRatio = times(n, Math.min(n, cpus));
    const turns: Turn[] = reports.flatMap((r, who) => Array.from({ length: r.runs.length / 2 }, (_, k) => ({ who, start: r.runs[2 * k]!, end: r.runs[2 * k + 1]! })));
    turns.sort((a, b) => a.start - b.start);
    let switches = 0;
    for (let i = 1; i < turns.length; i++) if (turns[i]!.who !== turns[i - 1]!.who) switches++;
    const medianTurnMs = Math.round(median(turns.map((t) => t.end - t.start)) * 100) / 100;
    print(
      pinned
        ? l10n.t('{0} processes pinned to CPU {1} ({2} cores here)', n, String(reports[0]!.pinnedTo), cores)
        : pin
          ? l10n.t('{0} processes on {1} cores (no taskset here: not pinned)', n, cores)
          : l10n.t('{0} processes on {1} cores', n, cores),
    );
    const order = turns.map((t) => letter(t.who)).join('');
    print(l10n.t('who ran, turn by turn (first {0} of {1} turns): {2}', Math.min(64, order.length), order.length, order.slice(0, 64) + (order.length > 64 ? '…' : '')));
    const columnMs = Math.min(10, Math.max(0.5, Math.round(medianTurnMs) / 2 || 0.5));
    const columns = 60;
    const from = Math.max(run.opened, run.opened + run.ms / 2 - (columns * columnMs) / 2);
    print(l10n.t('a close-up: {0} ms from {1} ms, one column = {2} ms (█ = on a CPU)', Math.round(columns * columnMs), Math.round(from - run.opened), columnMs));
    chart(turns, n, from, columnMs, columns).forEach((line) => print(line));
    const perProcess = reports.map((r, i) => ({
      name: run.names[i]!,
      pinnedTo: r.pinnedTo,
      cpuMs: Math.round(r.cpuMs),
      wallMs: Math.round(r.finishedAt - r.startedAt),
      turns: r.runs.length / 2,
    }));
    perProcess.forEach((p, i) => print(l10n.t('{0} {1}: CPU {2} ms, wall {3} ms (×{4}), {5} turns on the CPU', letter(i), p.name, p.cpuMs, p.wallMs, times(p.wallMs, p.cpuMs), p.turns)));
    const cpuMs = Math.round(perProcess.reduce((s, p) => s + p.cpuMs, 0) / n);
    const wallMs = Math.round(perProcess.reduce((s, p) => s + p.wallMs, 0) / n);
    const wallOverCpu = times(wallMs, cpuMs);
    return {
      summary: l10n.t(
        '{0} processes {1} took turns of about {2} ms (the running process changed {3} times); each used {4} ms of CPU in {5} ms of wall time on average (×{6}; expected ≈ {0} / {7} = {8}).',
        n,
        pinned ? l10n.t('sharing CPU {0}', String(reports[0]!.pinnedTo)) : l10n.t('on {0} cores', cores),
        medianTurnMs,
        switches,
        cpuMs,
        wallMs,
        wallOverCpu,
        Math.min(n, cpus),
        expectedRatio,
      ),
      figures: { processes: n, cores, pinned, cpus, steps, perProcess, cpuMs, wallMs, wallOverCpu, expectedRatio, switches, turns: turns.length, medianTurnMs, totalMs: run.ms },
    };
  },
};

export const CPU_LABS: readonly LabDefinition[] = [gil, multiprogramming];
