import * as l10n from '@vscode/l10n';
import { tr } from '../../protocol/l10n';
import type { WorkerScripts } from '../workers/spawn';
import { Emitter } from '../lifecycle';
import type { Logger } from '../log';
import { toErrorInfo } from '../server/connection';
import type { StateModel, Tracked } from '../state/model';
import type { DeadlockInfo, ErrorInfo, LabProgress, LabState, LabView } from '../../protocol/views';
import { Pool } from '../pool/pool';
import { Runtime } from '../runtime/runtime';
import type { Server } from '../server/server';
import type { ServerOptions } from '../server/options';
import { abortableSleep, abortableUntil, type LabDefinition, type LabOutcome } from './lab';

const OUTPUT_LINES = 200;
/** A running lab's time left moves: it is republished this often. */
const PROGRESS_MS = 1000;

/** One run of a lab: owns its runtime (threads, processes, primitives) and records what it printed. */
export class LabRun implements Tracked<LabView> {
  dirty = false;
  readonly createdAt = Date.now();
  readonly runtime: Runtime;
  private state: LabState = 'running';
  private endedAt: number | null = null;
  private outcome: LabOutcome | null = null;
  private error: ErrorInfo | null = null;
  private deadlock: DeadlockInfo | null = null;
  private readonly lines: string[] = [];
  private readonly abort = new AbortController();
  private readonly pools: Pool[] = [];
  private readonly servers: Server[] = [];
  private readonly onLineEmitter = new Emitter<string>();
  /** Measured progress (steps done of total), or the time the lab expects to end (clock progress). */
  private steps: { done: number; total: number } | null = null;
  private expectedEnd: number | null = null;
  private progressTimer: NodeJS.Timeout | undefined;
  /** Every line as it is printed (the CLI streams these). */
  readonly onLine = this.onLineEmitter.event;
  readonly finished: Promise<LabOutcome | null>;

  constructor(
    readonly id: string,
    readonly definition: LabDefinition,
    readonly params: Readonly<Record<string, number>>,
    private readonly model: StateModel,
    private readonly log: Logger,
    private readonly workers: WorkerScripts,
    /** The engine's server start (so the lab's servers show with the others) and stop. */
    private readonly serverHost?: { start(options: ServerOptions): Promise<Server>; stop(id: string): Promise<boolean> },
  ) {
    this.runtime = new Runtime({ model, ownerId: id, log, workers });
    this.runtime.onOutput((l) => this.line(`[${l.from}] ${l.text}`));
    this.runtime.onDeadlock((d) => {
      this.deadlock ??= d;
      this.line(l10n.t('deadlock detected: {0}', d.description));
    });
    model.add(this);
    // Begin after the caller had a chance to subscribe to onLine: a lab may print at once.
    this.finished = Promise.resolve().then(() => this.run());
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  get result(): LabOutcome | null {
    return this.outcome;
  }

  /** Ends the lab now: its threads and processes are ended, whatever they were doing. */
  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    clearInterval(this.progressTimer);
    this.line(l10n.t('stopped by the user'));
    this.abort.abort();
    await Promise.all([this.runtime.dispose(), ...this.pools.map((p) => p.terminate()), this.stopServers()]);
    await this.finished;
  }

  private async run(): Promise<LabOutcome | null> {
    const def = this.definition;
    this.log.info(
      `lab ${def.name} started (${Object.entries(this.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`,
    );
    try {
      const outcome = await def.run({
        rt: this.runtime,
        params: this.params,
        print: (text) => this.line(text),
        sleep: (s) => abortableSleep(s, this.abort.signal),
        until: (cond, what, timeoutMs = 30_000) => abortableUntil(cond, what, timeoutMs, this.abort.signal),
        stopped: this.abort.signal,
        progress: (done, total) => {
          this.steps = { done: Math.min(done, total), total };
          this.watchProgress();
        },
        expect: (seconds) => {
          this.expectedEnd = Date.now() + seconds * 1000;
          this.watchProgress();
        },
        serve: async (options) => {
          if (this.abort.signal.aborted) throw new Error('the lab was stopped');
          if (!this.serverHost) throw new Error('this lab needs servers, and nothing here can start them');
          const server = await this.serverHost.start({ transport: 'tcp', host: '127.0.0.1', port: 0, ...options });
          this.servers.push(server);
          // Stopped while it was starting: end it with the others.
          if (this.abort.signal.aborted) await this.stopServers();
          return server;
        },
        unserve: async (server) => {
          const i = this.servers.indexOf(server);
          if (i < 0) return;
          this.servers.splice(i, 1);
          await this.serverHost!.stop(server.id);
        },
        pool: (options) => {
          if (this.abort.signal.aborted) throw new Error('the lab was stopped');
          const pool = new Pool({ ...options, model: this.model, parentId: this.id, log: this.log, workers: this.workers });
          this.pools.push(pool);
          return pool;
        },
      });
      if (this.state === 'running') {
        this.outcome = outcome;
        this.state = 'done';
        this.line(l10n.t('outcome: {0}', outcome.summary));
      }
    } catch (err) {
      if (this.state === 'running') {
        this.error = toErrorInfo(err);
        this.state = 'failed';
        this.line(l10n.t('the lab failed: {0}: {1}', this.error.type, this.error.message));
        this.log.error(`lab ${def.name} failed`, err);
      }
    }
    clearInterval(this.progressTimer);
    await Promise.all([this.runtime.dispose(), ...this.pools.map((p) => p.terminate()), this.stopServers()]);
    this.endedAt = Date.now();
    this.model.end(this);
    this.onLineEmitter.dispose();
    return this.outcome;
  }

  private async stopServers(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => this.serverHost!.stop(s.id)));
  }

  /** Progress is published on the next tick; while running, the time left is republished each second. */
  private watchProgress(): void {
    this.model.touch(this);
    if (this.progressTimer || this.state !== 'running') return;
    this.progressTimer = setInterval(() => this.model.touch(this), PROGRESS_MS);
    this.progressTimer.unref();
  }

  /** How far the run is and how long it still needs; null while the lab has not said. */
  progressNow(now = Date.now()): LabProgress | null {
    if (this.state !== 'running') return null;
    const elapsed = now - this.createdAt;
    if (this.steps && this.steps.total > 0) {
      const fraction = this.steps.done / this.steps.total;
      // Too little done to extrapolate from: no time left yet.
      return { fraction, leftMs: fraction >= 0.02 && elapsed > 0 ? Math.round((elapsed * (1 - fraction)) / fraction) : null };
    }
    if (this.expectedEnd !== null) {
      const total = this.expectedEnd - this.createdAt;
      const leftMs = Math.max(0, this.expectedEnd - now);
      return { fraction: total > 0 ? Math.min(1, elapsed / total) : 1, leftMs };
    }
    return null;
  }

  private line(text: string): void {
    this.lines.push(text);
    if (this.lines.length > OUTPUT_LINES) this.lines.splice(0, this.lines.length - OUTPUT_LINES);
    this.model.touch(this);
    this.onLineEmitter.fire(text);
  }

  view(): LabView {
    return {
      id: this.id,
      kind: 'lab',
      parentId: null,
      name: tr(this.definition.title),
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      lab: this.definition.name,
      title: tr(this.definition.title),
      state: this.state,
      summary: this.outcome?.summary ?? null,
      figures: this.outcome?.figures ?? null,
      output: [...this.lines],
      progress: this.progressNow(),
      deadlock: this.deadlock,
      error: this.error,
    };
  }
}
