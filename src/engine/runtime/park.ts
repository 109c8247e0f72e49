import { nowMs, T_PARK, WakeReason, type Arena } from './arena';

/** Blocks a worker thread until woken or the timeout (ms; < 0 = forever) passes. */
export function parkSync(arena: Arena, me: number, timeoutMs: number): WakeReason {
  const i = arena.t(me, T_PARK);
  const deadline = timeoutMs < 0 ? Infinity : nowMs() + timeoutMs;
  for (;;) {
    const r = Atomics.load(arena.i32, i) as WakeReason;
    if (r !== WakeReason.Waiting) return r;
    const left = deadline - nowMs();
    if (left <= 0) return WakeReason.Waiting;
    Atomics.wait(arena.i32, i, WakeReason.Waiting, left === Infinity ? undefined : left);
  }
}

/** The main thread's form: the event loop keeps running while it waits. */
export async function parkAsync(arena: Arena, me: number, timeoutMs: number): Promise<WakeReason> {
  const i = arena.t(me, T_PARK);
  const deadline = timeoutMs < 0 ? Infinity : nowMs() + timeoutMs;
  for (;;) {
    const r = Atomics.load(arena.i32, i) as WakeReason;
    if (r !== WakeReason.Waiting) return r;
    const left = deadline - nowMs();
    if (left <= 0) return WakeReason.Waiting;
    const res = Atomics.waitAsync(arena.i32, i, WakeReason.Waiting, left === Infinity ? undefined : left);
    if (res.async) await res.value;
  }
}
