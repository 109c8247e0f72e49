import { translateSaid } from '../../protocol/l10n';
import type { ChildProcess } from 'node:child_process';
import { Actor } from './actor';
import { nowMs, T_ALIVE } from './arena';
import type { Broker } from './broker';
import { toErrorInfo as errorInfo } from '../errors';
import type { ChildMessage, ParentMessage } from './processMessages';
import { PyError } from './pyErrors';
import type { RuntimeHost } from './runtimeHost';
import { ThreadState } from './threadState';
import { forkChild, whenChildEnds, workerScript } from '../workers/spawn';

export interface ProcessOptions {
  /** A registered program (see labs/processPrograms.ts) or `path/to/module.js#export`. */
  readonly target: string;
  readonly args?: readonly unknown[];
  readonly name?: string;
  readonly daemon?: boolean;
}

/**
 * `multiprocessing.Process` over a real child process. Memory is not shared: arguments are
 * copied, and shared objects are reached through the parent's broker.
 */
export class Process extends Actor {
  readonly kind = 'process';
  private child: ChildProcess | undefined;
  private started = false;
  private alive = false;
  private code: number | null = null;
  private exited: Promise<void> | undefined;
  /** What the target returned (sent back before exit). */
  result: unknown = undefined;

  constructor(
    host: RuntimeHost,
    id: string,
    slot: number,
    name: string,
    private readonly options: ProcessOptions,
    private readonly broker: Broker,
  ) {
    super(host, id, slot, name, options.daemon ?? false);
    host.arena.setState(slot, ThreadState.New);
  }

  get ident(): number | null {
    return this.pid;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Python's exitcode: null while running, negative signal number after a signal. */
  override get exitCode(): number | null {
    return this.code;
  }

  is_alive(): boolean {
    return this.alive;
  }

  start(): void {
    if (this.started) throw new PyError('RuntimeError', 'cannot start a process twice');
    this.started = true;
    const child = forkChild(workerScript('process-worker', this.host.workers), ['pipe', 'pipe']);
    this.child = child;
    this.alive = true;
    this.host.arena.setState(this.slot, ThreadState.Running);
    const lines = (stream: NodeJS.ReadableStream | null) => {
      let buf = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          this.host.output(this.name, buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
    };
    lines(child.stdout);
    lines(child.stderr);
    child.on('message', (m: ChildMessage) => this.onMessage(m));
    const warn = (err: Error) => {
      this.error ??= errorInfo(err);
      this.host.log.warn(`${this.name}: ${err.message}`);
    };
    this.exited = whenChildEnds(child, warn).then(({ exitCode, spawnError }) => {
      if (spawnError) warn(spawnError);
      this.alive = false;
      this.code = exitCode;
      this.endedAt = nowMs();
      const a = this.host.arena;
      a.setState(this.slot, this.code === 0 ? ThreadState.Done : ThreadState.Failed);
      Atomics.store(a.i32, a.t(this.slot, T_ALIVE), 0);
      this.host.actorEnded(this.slot);
      this.host.model.end(this);
    });
    this.send({ type: 'start', name: this.name, target: this.options.target, args: this.options.args ?? [] });
  }

  /** Waits for the process to end, at most `timeout` seconds; ask `is_alive()`/`exitCode` after. */
  async join(timeout: number | null = null, callerSlot = 0): Promise<void> {
    if (!this.started) throw new PyError('AssertionError', 'can only join a started process');
    if (!this.alive) return;
    await this.joinExit(this.exited!, timeout, callerSlot);
  }

  /** SIGTERM, as Python's terminate(); `is_alive()` stays true until the child is gone. */
  terminate(): void {
    if (this.alive) this.child?.kill('SIGTERM');
  }

  kill(): void {
    if (this.alive) this.child?.kill('SIGKILL');
  }

  whenExited(): Promise<void> {
    return this.exited ?? Promise.resolve();
  }

  private send(m: ParentMessage): void {
    if (this.child?.connected) this.child.send(m);
  }

  private onMessage(m: ChildMessage): void {
    switch (m.type) {
      case 'print':
        this.host.output(this.name, m.said ? translateSaid(m.said.message, m.said.args) : m.text);
        break;
      case 'state':
        this.host.arena.setState(this.slot, m.state);
        break;
      case 'result':
        this.result = m.value;
        break;
      case 'error':
        this.error = m.error;
        this.host.log.warn(`Process ${this.name}:\n${m.error.stack ?? `${m.error.type}: ${m.error.message}`}`);
        this.host.model.touch(this);
        break;
      case 'call':
        this.broker.serve(m, this.slot).then(
          (value) => this.send({ type: 'reply', id: m.id, ok: true, value: value ?? null }),
          (err: unknown) => this.send({ type: 'reply', id: m.id, ok: false, error: errorInfo(err) }),
        );
        break;
      case 'ready':
        break;
    }
  }
}
