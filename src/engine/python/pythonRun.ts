// One run of a Python program under the tracer: the channel it reports over, the processes that
// report (the program, its children, our terminal launcher), the program's entity, and its end.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import type { DeadlockInfo, ProgramView } from '../../protocol/views';
import { Emitter, type AsyncDisposable, type Disposable } from '../lifecycle';
import type { Logger } from '../log';
import type { StateModel, Tracked } from '../state/model';
import type { StreamAnnouncer, StreamSource } from '../server/connectionCapture';
import { Followers, type StreamCapture } from '../server/streamCapture';
import { TraceChannel, type TraceConnection } from './traceChannel';
import { TracedChildProcess } from './tracedEntities';
import { SharedObjects } from './sharedObjects';
import { TracedProcess, type ProcessHost } from './tracedProcess';
import { field, type TracerRecord } from './tracerMessages';

export interface PythonRunOptions {
  /** The file as the user named it, and its arguments. */
  readonly file: string;
  readonly args?: readonly string[];
  /** Where python/ (the tracer and its sitecustomize) is. */
  readonly tracerDir: string;
  readonly cwd?: string;
  /**
   * `spawn`: this run starts the interpreter (the CLI, tests); `external`: a terminal's launcher
   * does (`socket-lab python` with the environment of `env()`), and says so on the channel.
   */
  readonly launch:
    | {
        readonly kind: 'spawn';
        readonly interpreter: string;
        readonly stdio?: StdioOptions;
        readonly env?: NodeJS.ProcessEnv;
        /** A process group of its own (default), so Stop ends all it started; false: the caller's (a shell's Ctrl+C reaches it). */
        readonly detached?: boolean;
      }
    | { readonly kind: 'external' };
}

export interface ProgramEnd {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/** What the CLI prints last (`socket-lab python --json`). */
export interface PythonSummary {
  readonly exitCode: number | null;
  readonly threads: { name: string; ident: number | null; daemon: boolean; states: string[] }[];
  readonly locks: { kind: string; name: string; acquisitions: number; maxWaiters: number }[];
  readonly sockets: { kind: string; local: string | null; peer: string | null; bytesIn: number; bytesOut: number }[];
  readonly processes: { pid: number | null; name: string; exitCode: number | null }[];
  readonly pools: { workers: number; tasks: number }[];
  readonly dropped: Record<string, number>;
}

/** How long the program's last words may trail its exit (the channel is read after the exit event). */
const LAST_WORDS_MS = 2000;
const KILL_AFTER_MS = 3000;
/** Longer than the tracer's flush interval (50 ms) with room for a busy machine. */
const ADOPT_AFTER_MS = 1000;
/** No new traced process for this long after the program ended: nothing more is coming. */
const QUIET_MS = 100;

class ProgramEntity implements Tracked<ProgramView> {
  dirty = false;
  state: ProgramView['state'] = 'starting';
  pid: number | null = null;
  interpreter: string | null = null;
  exitCode: number | null = null;
  endedAt: number | null = null;
  deadlock: DeadlockInfo | null = null;
  readonly createdAt = Date.now();

  constructor(
    readonly id: string,
    private readonly run: PythonRun,
    readonly file: string,
    readonly args: readonly string[],
  ) {}

  view(): ProgramView {
    return {
      id: this.id,
      kind: 'program',
      parentId: null,
      name: path.basename(this.file),
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      language: 'python',
      file: this.file,
      args: this.args,
      pid: this.pid,
      interpreter: this.interpreter,
      state: this.state,
      exitCode: this.exitCode,
      processes: this.run.processCount,
      dropped: this.run.dropped(),
      notes: this.run.notes(),
      deadlock: this.deadlock,
    };
  }
}

export class PythonRun implements AsyncDisposable, StreamAnnouncer {
  readonly program: ProgramEntity;
  private readonly processes = new Map<number, TracedProcess>();
  private readonly runNotes: string[] = [];
  private mainPid: number | null = null;
  private launcher: { pid: number; pgid: number | null; conn: TraceConnection } | null = null;
  private child: ChildProcess | undefined;
  private childGroup = false;
  /** The interpreter this run started (spawn), for its pipes. */
  get process(): ChildProcess | undefined {
    return this.child;
  }

  private readonly endEmitter = new Emitter<ProgramEnd>();
  private endValue: ProgramEnd | undefined;
  private readonly subscriptions: Disposable[] = [];
  private readonly host: ProcessHost;
  private readonly childNames = new Map<number, string>();
  /** Python processes the program started without multiprocessing (a subprocess, the resource tracker). */
  private readonly adopted = new Map<number, TracedChildProcess>();
  private stopTimer: NodeJS.Timeout | undefined;
  private lastWordsTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private lastConnectionAt = 0;
  private lastProgramShown = '';
  private pendingEnd: ProgramEnd | undefined;
  private readonly changeEmitter = new Emitter<void>();
  private readonly streamEmitter = new Emitter<StreamSource>();
  /** A connection of the program appeared (a recording's capture follows it from its first read). */
  readonly onStream = this.streamEmitter.event;
  /** Fires after each batch the program's processes send (tests and the CLI wait on it). */
  readonly onDidChange = this.changeEmitter.event;
  /** Resolves once the program has ended and its last words were read. */
  readonly finished: Promise<ProgramEnd>;

  private constructor(
    private readonly model: StateModel,
    private readonly log: Logger,
    readonly channel: TraceChannel,
    private readonly options: PythonRunOptions,
  ) {
    this.program = new ProgramEntity(model.newId('program'), this, options.file, options.args ?? []);
    this.host = this.makeHost();
    model.add(this.program);
    this.finished = new Promise((resolve) => this.endEmitter.event(resolve));
    this.subscriptions.push(
      channel.onConnection((c) => this.connected(c)),
      channel.onProblem((p) => this.note(`Trace channel: ${p}; that connection was closed.`)),
    );
  }

  static async start(model: StateModel, log: Logger, options: PythonRunOptions): Promise<PythonRun> {
    const channel = await TraceChannel.open();
    const run = new PythonRun(model, log, channel, options);
    if (options.launch.kind === 'spawn') run.spawn(options.launch.interpreter, options.launch.stdio, options.launch.env, options.launch.detached ?? true);
    return run;
  }

  get id(): string {
    return this.program.id;
  }

  get processCount(): number {
    return this.processes.size;
  }

  /** The environment a launcher gives the interpreter (external launch). */
  env(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    return this.channel.env(this.options.tracerDir, base);
  }

  /** The arguments after the interpreter: the tracer's runner, then the program. */
  interpreterArgs(): string[] {
    return ['-m', 'socketlab_trace', this.options.file, ...(this.options.args ?? [])];
  }

  private spawn(interpreter: string, stdio: StdioOptions = 'inherit', env: NodeJS.ProcessEnv = process.env, detached = true): void {
    const child = spawn(interpreter, this.interpreterArgs(), { cwd: this.options.cwd, stdio, env: { ...env, ...this.env(env) }, detached });
    this.child = child;
    this.childGroup = detached;
    this.mainPid = child.pid ?? null;
    this.program.pid = this.mainPid;
    child.once('error', (err) => {
      this.note(`Could not start ${interpreter}: ${err.message}.`);
      this.ended({ exitCode: null, signal: null });
    });
    child.once('exit', (code, signal) => this.exited({ exitCode: code ?? (signal ? -constants.signals[signal] : null), signal }));
  }

  private connected(conn: TraceConnection): void {
    const hello = conn.hello;
    this.lastConnectionAt = Date.now();
    if (hello.role === 'launcher') {
      // Our terminal launcher: which process is the program, and how it ends.
      this.launcher = { pid: hello.pid, pgid: hello.pgid ?? null, conn };
      this.mainPid = hello.pid;
      this.program.pid = hello.pid;
      this.program.state = 'running';
      this.model.touch(this.program);
      conn.onMessage((m) => {
        if (m.type === 'exit') this.exited({ exitCode: m.code, signal: m.signal ?? null });
        else if (m.type === 'error') this.note(m.message);
      });
      conn.onClose(() => this.exited({ exitCode: null, signal: null }));
      return;
    }
    const isMain = this.mainPid === null ? !this.processes.has(hello.ppid) : hello.pid === this.mainPid;
    if (isMain && this.mainPid === null) {
      this.mainPid = hello.pid;
      this.program.pid = hello.pid;
    }
    const proc = new TracedProcess(this.host, conn, hello.pid, hello.ppid, isMain);
    this.processes.set(hello.pid, proc);
    if (isMain) {
      this.program.state = 'running';
      this.program.interpreter = hello.python ? `Python ${hello.python}` : null;
    } else {
      // A multiprocessing child's record comes in its parent's next batch, often after the child's
      // own hello: adopt it as a process of its own only if none came (a subprocess, a helper).
      const timer = setTimeout(() => {
        if (!this.findChildRecord(hello.pid) && this.isRunning) this.adoptChild(proc, hello.argv);
      }, ADOPT_AFTER_MS);
      timer.unref();
      this.subscriptions.push({ dispose: () => clearTimeout(timer) });
    }
    this.model.touch(this.program);
    conn.onMessage((m) => {
      if (m.type === 'process') this.childNames.set(m.pid, m.name);
      else proc.apply(m);
    });
    conn.onClose(() => {
      proc.end(Date.now());
      if (isMain && !this.launcher && !this.child) this.exited({ exitCode: proc.exitCode, signal: null });
      this.maybeDone();
    });
  }

  private adoptChild(proc: TracedProcess, argv: readonly string[]): void {
    const parent = this.processes.get(proc.ppid) ?? [...this.processes.values()].find((p) => p.isMain);
    if (!parent) return;
    const name = argv[0] && argv[0] !== '-c' ? path.basename(argv[0]) : argv.includes('-c') ? 'python -c' : 'python';
    const rec: TracerRecord = { id: `p-adopted-${proc.pid}`, kind: 'process', created: Date.now(), ended: null, name, pid: proc.pid, daemon: false, alive: true, exitCode: null };
    const e = new TracedChildProcess(parent, rec);
    this.adopted.set(proc.pid, e);
    this.childNames.set(proc.pid, name);
    this.model.add(e);
  }

  private findChildRecord(pid: number): TracedChildProcess | undefined {
    for (const p of this.processes.values()) {
      const e = p.childRecord(pid);
      if (e) return e;
    }
    return this.adopted.get(pid);
  }

  private makeHost(): ProcessHost {
    return {
      model: this.model,
      programId: this.program.id,
      shared: new SharedObjects(this.model, this.program.id),
      nameOfPid: (pid) => {
        const e = this.findChildRecord(pid);
        return (e && field.str(e.rec, 'name')) ?? this.childNames.get(pid) ?? null;
      },
      poolOfWorker: (pid) => {
        for (const p of this.processes.values()) {
          const pool = p.poolRecordOf(pid);
          if (pool) return p.entityId(pool.id);
        }
        return null;
      },
      poolMoved: () => {
        for (const p of this.processes.values()) p.touchPoolWorker();
      },
      connectionOpened: (proc, tracerId, name) => this.streamEmitter.fire(this.streamSource(proc, tracerId, name)),
      childEnded: (pid, code, at) => {
        const e = this.findChildRecord(pid);
        if (!e) return;
        e.childExit = { code, at };
        if (this.adopted.has(pid)) this.model.end(e);
        else this.model.touch(e);
      },
      deadlockFound: (info) => {
        this.program.deadlock = info;
        this.note(`Deadlock: ${info.description}.`);
        this.log.warn(`${this.program.view().name}: deadlock: ${info.description}`);
      },
      changed: () => {
        // Every batch says "changed"; the program's row only when what it shows moved (a
        // row's redraw in a tree lists its hundred threads again).
        const shown = this.programShown();
        if (shown !== this.lastProgramShown) {
          this.lastProgramShown = shown;
          this.model.touch(this.program);
        }
        this.changeEmitter.fire();
      },
    };
  }

  private note(text: string): void {
    if (this.runNotes.length < 50 && !this.runNotes.includes(text)) this.runNotes.push(text);
    this.model.touch(this.program);
  }

  notes(): string[] {
    const out = [...this.runNotes];
    for (const p of this.processes.values()) out.push(...p.notes);
    const dropped = this.dropped();
    const total = Object.values(dropped).reduce((a, b) => a + b, 0);
    if (total)
      out.push(
        `Not all shown: ${Object.entries(dropped)
          .filter(([, n]) => n)
          .map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`)
          .join(', ')} beyond the tracer's caps.`,
      );
    return out;
  }

  /** What of the program's row a batch can move: its process count, drops and notes. */
  private programShown(): string {
    return `${this.processCount} ${JSON.stringify(this.dropped())} ${this.notes().length}`;
  }

  dropped(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of this.processes.values()) for (const [k, n] of Object.entries(p.dropped)) out[k] = (out[k] ?? 0) + n;
    return out;
  }

  /** The interpreter (or launcher) said how the program ended; its last batches may still be on the way. */
  private exited(end: ProgramEnd): void {
    if (this.endValue || this.pendingEnd) return;
    this.pendingEnd = end;
    this.program.exitCode = end.exitCode;
    this.maybeDone();
    if (!this.endValue) this.lastWordsTimer = setTimeout(() => this.ended(end), LAST_WORDS_MS);
  }

  /**
   * Ends the run once the program has exited and every traced process has said its last: its
   * children's connections closed, and none arrived for a moment (500 forked children's last
   * batches may still be queued behind the program's own). LAST_WORDS_MS bounds the wait.
   */
  private maybeDone(): void {
    if (!this.pendingEnd || this.endValue) return;
    const main = this.mainPid === null ? undefined : this.processes.get(this.mainPid);
    if (main && main.ended === null) return;
    const open = [...this.processes.values()].some((p) => p.ended === null);
    const quietMs = Date.now() - this.lastConnectionAt;
    if (!open && quietMs >= QUIET_MS) return this.ended(this.pendingEnd);
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.maybeDone(), open ? QUIET_MS : QUIET_MS - quietMs);
  }

  private ended(end: ProgramEnd): void {
    if (this.endValue) return;
    this.endValue = end;
    clearTimeout(this.lastWordsTimer);
    clearTimeout(this.settleTimer);
    clearTimeout(this.stopTimer);
    const at = Date.now();
    for (const p of this.processes.values()) p.end(at);
    this.program.state = 'exited';
    this.program.exitCode = end.exitCode ?? this.processes.get(this.mainPid ?? -1)?.exitCode ?? null;
    this.program.endedAt = at;
    this.model.end(this.program);
    this.endEmitter.fire({ exitCode: this.program.exitCode, signal: end.signal });
    this.changeEmitter.fire();
  }

  /** Every open connection of the program's processes, as a recording's capture follows them. */
  liveStreams(): StreamSource[] {
    return [...this.processes.values()].flatMap((p) => [...p.liveConnections()].map((c) => this.streamSource(p, c.tracerId, c.name)));
  }

  private streamSource(proc: TracedProcess, tracerId: string, name: string): StreamSource {
    return {
      id: proc.entityId(tracerId),
      name,
      followers: {
        follow: (limits) => {
          const handle = proc.follow(tracerId, limits);
          if (handle) return handle;
          // Ended before the follow arrived: an empty capture that says so.
          const f = new Followers();
          f.end('closed by the program');
          return f.follow(limits);
        },
      },
    };
  }

  /** Follows one of the program's connections (an entity id of this run), if it is live. */
  follow(entityId: string): ({ readonly capture: StreamCapture } & Disposable) | undefined {
    const prefix = `${this.program.id}:`;
    if (!entityId.startsWith(prefix)) return undefined;
    const tracerId = entityId.slice(prefix.length);
    const pid = Number(/^s-(\d+)-/.exec(tracerId)?.[1]);
    return this.processes.get(pid)?.follow(tracerId);
  }

  get isRunning(): boolean {
    return this.endValue === undefined;
  }

  /**
   * Ends the program and every process it started: SIGTERM to its process group (and each traced
   * process, in case one left the group), SIGKILL to what is left after 3 s.
   */
  async stop(): Promise<ProgramEnd> {
    if (this.endValue) return this.endValue;
    // Nothing ever started (a terminal closed before its launcher said hello): nothing to end.
    if (!this.child && !this.launcher && this.processes.size === 0) {
      this.ended({ exitCode: null, signal: null });
      return this.endValue!;
    }
    const signal = (sig: NodeJS.Signals) => {
      const group = (this.childGroup ? this.child?.pid : undefined) ?? this.launcher?.pgid ?? null;
      if (this.child?.pid && !this.childGroup) tryKill(this.child.pid, sig);
      if (group) tryKill(-group, sig);
      for (const p of this.processes.values()) if (p.ended === null) tryKill(p.pid, sig);
    };
    signal('SIGTERM');
    this.stopTimer = setTimeout(() => signal('SIGKILL'), KILL_AFTER_MS);
    this.stopTimer.unref();
    return this.finished;
  }

  summary(): PythonSummary {
    const threads: PythonSummary['threads'] = [];
    const locks: PythonSummary['locks'] = [];
    const sockets: PythonSummary['sockets'] = [];
    const processes: PythonSummary['processes'] = [];
    const pools: PythonSummary['pools'] = [];
    for (const p of this.processes.values()) {
      const prefix = p.prefix;
      processes.push({ pid: p.pid, name: p.isMain ? 'MainProcess' : prefix.slice(0, -2), exitCode: p.isMain ? this.program.exitCode : (this.findChildRecord(p.pid)?.view().exitCode ?? p.exitCode) });
      for (const r of p.records.values()) {
        if (r.kind === 'thread') threads.push({ name: prefix + (field.str(r, 'name') ?? r.id), ident: field.num(r, 'ident'), daemon: field.bool(r, 'daemon'), states: p.states.get(r.id) ?? [] });
        else if (r.kind === 'sync' && field.str(r, 'shared') !== null) {
          // One entry per shared object, from the process that made it, counted over all of them.
          if (!field.bool(r, 'origin')) continue;
          locks.push({ kind: field.str(r, 'primitive') ?? '?', name: prefix + (field.str(r, 'name') ?? r.id), ...this.host.shared.tally(field.str(r, 'shared')!) });
        } else if (r.kind === 'sync')
          locks.push({
            kind: field.str(r, 'primitive') ?? '?',
            name: prefix + (field.str(r, 'name') ?? r.id),
            acquisitions: field.num(r, 'acquisitions') ?? 0,
            maxWaiters: p.maxWaiters.get(r.id) ?? 0,
          });
        else if (r.kind === 'socket')
          sockets.push({
            kind: field.str(r, 'role') ?? 'socket',
            local: field.str(r, 'local'),
            peer: field.str(r, 'peer'),
            bytesIn: field.num(r, 'bytesIn') ?? 0,
            bytesOut: field.num(r, 'bytesOut') ?? 0,
          });
        else if (r.kind === 'pool') pools.push({ workers: field.num(r, 'size') ?? 0, tasks: (field.num(r, 'tasksDone') ?? 0) + (field.num(r, 'tasksFailed') ?? 0) });
      }
    }
    return { exitCode: this.program.exitCode, threads, locks, sockets, processes, pools, dropped: this.dropped() };
  }

  private disposed = false;

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.isRunning) await this.stop();
    for (const s of this.subscriptions) s.dispose();
    await this.channel.dispose();
    this.changeEmitter.dispose();
    this.streamEmitter.dispose();
    this.endEmitter.dispose();
  }
}

function tryKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
