import * as l10n from '@vscode/l10n';
import type { Pool, PoolOptions } from '../pool/pool';
import type { Runtime } from '../runtime/runtime';
import type { Server } from '../server/server';
import type { ServerOptions } from '../server/options';

export interface LabParam {
  readonly name: string;
  readonly description: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** The default when a person is watching and can press buttons (the extension), if different. */
  readonly interactiveDefault?: number;
  /** The default at the watch pace, if different: slow enough to follow in the views. */
  readonly watchDefault?: number;
}

/**
 * How fast a lab runs. `watch`: slowed so waiters, holders and sleeps stay on screen for
 * seconds; `fast`: the defaults, for the numbers (lost updates need many quick increments).
 */
export type LabPace = 'watch' | 'fast';

/** The Labs view's groups, in the tutorials' order. */
export const LAB_GROUPS = ['sockets', 'threads', 'processes', 'pools'] as const;
export type LabGroup = (typeof LAB_GROUPS)[number];
/** Each group's title in the Labs view (translated where shown). */
export const GROUP_TITLES: Readonly<Record<LabGroup, string>> = { sockets: 'Sockets and servers', threads: 'Threads', processes: 'Processes', pools: 'Pools' };

/** What a lab proved, in one plain sentence and in figures (the CLI's `--json`). */
export interface LabOutcome {
  readonly summary: string;
  readonly figures: Readonly<Record<string, unknown>>;
}

export interface LabContext {
  readonly rt: Runtime;
  readonly params: Readonly<Record<string, number>>;
  /** A line of the lab's own output (the main thread's `print`). */
  print(text: string): void;
  /**
   * `time.sleep` for the lab's main thread (async: it is the extension host's event loop).
   * Negative: until the lab is stopped.
   */
  sleep(seconds: number): Promise<void>;
  /**
   * Waits for a condition on shared memory (thread states announce nothing, by design).
   * Like `sleep`, it ends at once with an error when the lab is stopped.
   */
  until(cond: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Aborted when the lab is stopped: for waits of the lab's own (an event it listens for). */
  readonly stopped: AbortSignal;
  /** A worker pool owned by this lab run (ended with it). */
  pool(options: Omit<PoolOptions, 'model' | 'parentId' | 'log' | 'script'>): Pool;
  /**
   * A real server of the engine (it shows in the Servers view), owned by this lab run: stopped when
   * the lab ends or is stopped. Binds 127.0.0.1 unless the options say otherwise.
   */
  serve(options: Partial<ServerOptions> & Pick<ServerOptions, 'model' | 'handler'>): Promise<Server>;
  /** Stops one of the lab's servers now (`shutdown()` + `server_close()`): it leaves the Servers view. */
  unserve(server: Server): Promise<void>;
  /** How far the run is: `done` of `total` steps (the views show a percentage and the time left). */
  progress(done: number, total: number): void;
  /**
   * For labs whose work is waiting (sleeps): the run should take about `seconds` from now on top
   * of what is done; progress then follows the clock.
   */
  expect(seconds: number): void;
}

/** A small program on the runtime that demonstrates one lesson of the tutorials. */
export interface LabDefinition {
  readonly name: string;
  readonly title: string;
  readonly group: LabGroup;
  /** One paragraph: what the lab shows and what to look for. */
  readonly explanation: string;
  readonly params: readonly LabParam[];
  /**
   * Where the Node lab imitates rather than reproduces its Python program (examples/), in one
   * line, shown beside the two runs; null: it reproduces it.
   */
  readonly imitation: string | null;
  run(ctx: LabContext): Promise<LabOutcome>;
}

export function param(name: string, description: string, value: number, min: number, max: number, interactiveDefault?: number, watchDefault?: number): LabParam {
  return { name, description, default: value, min, max, interactiveDefault, watchDefault };
}

/** A parameter's default for a person at this pace (the extension's Run Lab / Run Lab Fast). */
export function paceDefault(p: LabParam, pace: LabPace): number {
  return (pace === 'watch' ? p.watchDefault : undefined) ?? p.interactiveDefault ?? p.default;
}

/** Every parameter at its default for this pace, with `given` on top. */
export function paceParams(lab: LabDefinition, pace: LabPace, given: Readonly<Record<string, number>> = {}): Record<string, number> {
  return { ...Object.fromEntries(lab.params.map((p) => [p.name, paceDefault(p, pace)])), ...given };
}

/** Checks user-given parameters against a lab's declared ones; returns the full set or an error. */
export function resolveParams(lab: LabDefinition, given: Readonly<Record<string, unknown>>, interactive = false): Record<string, number> | string {
  const out: Record<string, number> = {};
  for (const p of lab.params) out[p.name] = interactive ? (p.interactiveDefault ?? p.default) : p.default;
  for (const [k, raw] of Object.entries(given)) {
    const p = lab.params.find((x) => x.name === k);
    if (!p) return lab.params.length ? l10n.t('{0} has no parameter "{1}" (it has: {2}).', lab.name, k, lab.params.map((x) => x.name).join(', ')) : l10n.t('{0} has no parameter "{1}".', lab.name, k);
    const v = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isFinite(v) || v < p.min || v > p.max) return l10n.t('{0} must be a number from {1} to {2}; got {3}.', k, p.min, p.max, String(raw));
    out[k] = v;
  }
  return out;
}

export class LabStopped extends Error {
  override name = 'LabStopped';
}

export function abortableSleep(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new LabStopped('the lab was stopped'));
    const timer =
      seconds < 0
        ? undefined
        : setTimeout(() => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          }, seconds * 1000);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new LabStopped('the lab was stopped'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export async function abortableUntil(cond: () => boolean, what: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(l10n.t('gave up waiting for {0} after {1} ms', what, timeoutMs));
    await abortableSleep(0.01, signal);
  }
}

/** `promise`, or a LabStopped rejection when the lab is stopped, or an error after `timeoutMs`. */
export function orStopped<T>(promise: Promise<T>, stopped: AbortSignal, what: string, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      stopped.removeEventListener('abort', onStop);
    };
    const onStop = () => {
      settle();
      reject(new LabStopped('the lab was stopped'));
    };
    const timer = setTimeout(() => {
      settle();
      reject(new Error(l10n.t('gave up waiting for {0} after {1} ms', what, timeoutMs)));
    }, timeoutMs);
    if (stopped.aborted) return onStop();
    stopped.addEventListener('abort', onStop, { once: true });
    promise.then(
      (v) => {
        settle();
        resolve(v);
      },
      (err: unknown) => {
        settle();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Joins each in turn, as `for t in threads: t.join()`. */
export async function joinAll(actors: readonly { join(): Promise<void> }[]): Promise<void> {
  for (const a of actors) await a.join();
}

export function ms(start: number): number {
  return Math.round(performance.now() - start);
}
