import { nowMs, T_STATE, T_VERSION, TF_SINCE, toWallClock } from './arena';
import { ThreadState } from './threadState';
import type { Tracked } from '../state/model';
import type { ErrorInfo, ThreadView } from '../../protocol/views';
import { threadStateName } from './threadState';
import type { RuntimeHost } from './runtimeHost';

/**
 * A thread or process as the inspector sees it: its state is read from the arena slot, so a
 * state change costs the actor one store and nothing else.
 */
export abstract class Actor implements Tracked<ThreadView> {
  dirty = false;
  readonly createdAt = nowMs();
  protected endedAt: number | null = null;
  protected error: ErrorInfo | null = null;
  /** The arena version last published (see Runtime's sampler). */
  seenVersion = -1;

  constructor(
    readonly host: RuntimeHost,
    readonly id: string,
    readonly slot: number,
    readonly name: string,
    readonly daemon: boolean,
  ) {}

  abstract readonly kind: 'thread' | 'process';
  abstract get ident(): number | null;
  abstract is_alive(): boolean;

  get exitCode(): number | null {
    return null;
  }

  get version(): number {
    return Atomics.load(this.host.arena.i32, this.host.arena.t(this.slot, T_VERSION));
  }

  get state(): number {
    return Atomics.load(this.host.arena.i32, this.host.arena.t(this.slot, T_STATE));
  }

  get lastError(): ErrorInfo | null {
    return this.error;
  }

  /**
   * join(timeout) for threads and processes: waits for `exited`, at most `timeout` seconds
   * (null = forever), while the caller's slot shows "joining" this actor.
   */
  protected async joinExit(exited: Promise<void>, timeout: number | null, callerSlot: number): Promise<void> {
    const a = this.host.arena;
    a.setState(callerSlot, ThreadState.Joining, -(this.slot + 1));
    let timer: NodeJS.Timeout | undefined;
    try {
      await (timeout === null ? exited : Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, timeout * 1000)))]));
    } finally {
      clearTimeout(timer);
      a.setState(callerSlot, ThreadState.Running);
    }
  }

  view(): ThreadView {
    const a = this.host.arena;
    return {
      id: this.id,
      kind: this.kind,
      parentId: this.host.ownerId,
      name: this.name,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      ident: this.ident,
      daemon: this.daemon,
      alive: this.is_alive(),
      state: threadStateName(this.state),
      stateSince: toWallClock(a.f64[a.tf(this.slot, TF_SINCE)] || this.createdAt),
      waitingFor: this.host.waitTarget(this.slot),
      holding: this.host.heldBy(this.slot),
      wokenBy: this.host.wokenBy(this.slot),
      exitCode: this.exitCode,
      error: this.error,
    };
  }
}
