import * as l10n from '@vscode/l10n';
import { Emitter, type AsyncDisposable, type Disposable } from './lifecycle';
import { silentLogger, type Logger } from './log';
import { StateModel } from './state/model';
import { Publisher } from './state/publisher';
import type { Server } from './server/server';
import { resolveServerOptions, type ServerOptions } from './server/options';
import { StreamServer } from './server/streamServer';
import { DatagramServer } from './server/datagramServer';
import { findLab } from './labs/catalog';
import { resolveParams } from './labs/lab';
import { LabRun } from './labs/labRun';
import type { WorkerScripts } from './workers/spawn';
import { Event } from './runtime/event';
import { Process } from './runtime/process';
import { Thread } from './runtime/thread';
import { SocketLabError } from './errors';
import type { CaptureLimits, StreamCapture } from './server/streamCapture';
import { ConnectionCapture } from './server/connectionCapture';
import path from 'node:path';
import { PythonRun, type PythonRunOptions } from './python/pythonRun';

export type FollowHandle = { readonly capture: StreamCapture } & Disposable;

export interface EngineOptions {
  readonly log?: Logger;
  /** How often subscribers get deltas. */
  readonly tickMs?: number;
  /** How long ended entities stay visible. */
  readonly retentionMs?: number;
  /** Where the worker bundles are (default: beside the running bundle, in dist/). */
  readonly workers?: WorkerScripts;
  /** Where the Python tracer is (default: python/ beside dist/). */
  readonly tracerDir?: string;
}

/**
 * The engine's facade: owns the live state model, its publisher and every server.
 * Used as-is by the extension (one per session), the CLI and the unit tests.
 */
export class Engine implements AsyncDisposable {
  readonly model: StateModel;
  readonly publisher: Publisher;
  readonly log: Logger;
  private readonly servers = new Map<string, Server>();
  private readonly labs = new Map<string, LabRun>();
  private readonly workers: WorkerScripts;
  private readonly captures = new Set<ConnectionCapture>();
  private readonly onDidChangeServersEmitter = new Emitter<void>();
  private readonly onDidChangeLabsEmitter = new Emitter<void>();
  private readonly pythonRuns = new Map<string, PythonRun>();
  private readonly onDidChangeProgramsEmitter = new Emitter<void>();
  /** Fires when a Python program starts or ends. */
  readonly onDidChangePrograms = this.onDidChangeProgramsEmitter.event;
  readonly tracerDir: string;
  /** Fires when a lab starts or ends. */
  readonly onDidChangeLabs = this.onDidChangeLabsEmitter.event;
  /** Fires when a server starts or stops (not on traffic). */
  readonly onDidChangeServers = this.onDidChangeServersEmitter.event;
  private disposing: Promise<void> | undefined;

  constructor(options: EngineOptions = {}) {
    this.log = options.log ?? silentLogger;
    this.model = new StateModel({ retentionMs: options.retentionMs ?? 3000 });
    this.publisher = new Publisher(this.model, options.tickMs ?? 200);
    this.workers = options.workers ?? {};
    this.tracerDir = options.tracerDir ?? path.join(__dirname, '..', 'python');
  }

  /**
   * Runs a Python program under the tracer (or gets ready for a terminal's launcher to run it):
   * its threads, locks, sockets and processes join the live state under the program's entity.
   */
  async runPython(options: Omit<PythonRunOptions, 'tracerDir'>): Promise<PythonRun> {
    if (this.disposing) throw new Error('The engine is shutting down.');
    const run = await PythonRun.start(this.model, this.log, { ...options, tracerDir: this.tracerDir });
    this.pythonRuns.set(run.id, run);
    for (const c of this.captures) c.watch(run);
    this.onDidChangeProgramsEmitter.fire();
    // Once it has ended its channel closes (its entities stay for the retention window; the
    // caller keeps the run for its summary): a hundred runs leave no hundred sockets behind.
    void run.finished.then(async () => {
      this.pythonRuns.delete(run.id);
      await run.dispose();
      this.onDidChangeProgramsEmitter.fire();
    });
    return run;
  }

  /** Python programs that have not ended yet. */
  listPrograms(): PythonRun[] {
    return [...this.pythonRuns.values()];
  }

  program(id: string): PythonRun | undefined {
    return this.pythonRuns.get(id);
  }

  /**
   * Starts a lab by name; parameters are checked against the lab's declared ones. `interactive`:
   * a person is watching (the extension), so labs may wait for their buttons.
   */
  startLab(name: string, params: Readonly<Record<string, unknown>> = {}, interactive = false): LabRun {
    if (this.disposing) throw new Error('The engine is shutting down.');
    const def = findLab(name);
    if (!def) throw new SocketLabError(l10n.t('There is no lab named "{0}".', name), 'ENOLAB');
    const resolved = resolveParams(def, params, interactive);
    if (typeof resolved === 'string') throw new SocketLabError(resolved, 'EPARAM');
    const run = new LabRun(this.model.newId('lab'), def, resolved, this.model, this.log, this.workers, {
      start: (options) => this.startServer(options),
      stop: (id) => this.stopServer(id),
    });
    this.labs.set(run.id, run);
    this.onDidChangeLabsEmitter.fire();
    void run.finished.then(() => {
      this.labs.delete(run.id);
      this.onDidChangeLabsEmitter.fire();
    });
    return run;
  }

  listLabs(): LabRun[] {
    return [...this.labs.values()];
  }

  async stopLab(id: string): Promise<boolean> {
    const run = this.labs.get(id);
    if (!run) return false;
    await run.stop();
    return true;
  }

  /** Sets or clears an Event of a running lab (the event-gate lab's button). */
  setEvent(entityId: string, on: boolean): boolean {
    for (const run of this.labs.values()) {
      const obj = run.runtime.findSync(entityId);
      if (obj instanceof Event) {
        if (on) obj.set();
        else obj.clear();
        return true;
      }
    }
    return false;
  }

  /** Kills a thread or process of a running lab or server (the inspector's action; Python has no such call). */
  async killActor(entityId: string): Promise<boolean> {
    for (const server of this.servers.values()) if (await server.killWorker(entityId)) return true;
    for (const run of this.labs.values()) {
      const actor = run.runtime.threads.find((a) => a.id === entityId);
      if (actor instanceof Thread) {
        await actor.kill();
        return true;
      }
      if (actor instanceof Process) {
        actor.kill();
        await actor.whenExited();
        return true;
      }
    }
    return false;
  }

  async startServer(options: ServerOptions): Promise<Server> {
    if (this.disposing) throw new Error('The engine is shutting down.');
    const resolved = resolveServerOptions(options);
    if (typeof resolved === 'string') throw new SocketLabError(resolved, 'EINVAL');
    const server: Server =
      resolved.transport === 'udp' ? await DatagramServer.start(resolved, this.model, this.log, this.workers) : await StreamServer.start(resolved, this.model, this.log, this.workers);
    this.servers.set(server.id, server);
    for (const c of this.captures) c.watch(server);
    this.onDidChangeServersEmitter.fire();
    return server;
  }

  getServer(id: string): Server | undefined {
    return this.servers.get(id);
  }

  listServers(): Server[] {
    return [...this.servers.values()];
  }

  get serverCount(): number {
    return this.servers.size;
  }

  async stopServer(id: string): Promise<boolean> {
    const server = this.servers.get(id);
    if (!server) return false;
    this.servers.delete(id);
    this.onDidChangeServersEmitter.fire();
    await server.stop();
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.stopServer(id)));
  }

  /** Closes one connection gracefully, wherever it is. */
  closeConnection(connectionId: string): boolean {
    for (const server of this.servers.values()) {
      if (server.closeConnection(connectionId)) return true;
    }
    return false;
  }

  /**
   * Starts capturing what crosses a live connection (or UDP peer) until the handle is disposed;
   * undefined when no live connection has that id.
   */
  followConnection(connectionId: string): FollowHandle | undefined {
    for (const server of this.servers.values()) {
      const followers = server.streamOf(connectionId);
      if (followers) return followers.follow();
    }
    // A connection of a traced Python program: its tracer ships the bytes while followed.
    for (const run of this.pythonRuns.values()) {
      const handle = run.follow(connectionId);
      if (handle) return handle;
    }
    return undefined;
  }

  /**
   * Captures the bytes of every connection of every server, from its first byte, until disposed:
   * those open now and each new one (a recording). At most `maxStreams` connections.
   */
  captureConnections(limits: CaptureLimits, maxStreams: number): ConnectionCapture {
    const capture = new ConnectionCapture(limits, maxStreams, () => this.captures.delete(capture));
    this.captures.add(capture);
    for (const server of this.servers.values()) capture.watch(server);
    for (const run of this.pythonRuns.values()) capture.watch(run);
    return capture;
  }

  /** Stops every server, then releases the publisher; safe to call more than once. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      await Promise.all([this.stopAll(), ...[...this.labs.values()].map((l) => l.stop()), ...[...this.pythonRuns.values()].map((r) => r.dispose())]);
      this.publisher.tick();
      this.publisher.dispose();
      this.onDidChangeServersEmitter.dispose();
      this.onDidChangeLabsEmitter.dispose();
      this.onDidChangeProgramsEmitter.dispose();
    })();
    return this.disposing;
  }
}
