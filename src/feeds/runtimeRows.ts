// What the Threads & Processes, Sync and Pools views list (how each row looks is in
// src/extension/trees/runtimeViews.ts).
import { isBlocked, THREAD_STATES } from '../protocol/states';
import type { EntityView, PoolView, SyncView, ThreadView } from '../protocol/views';
import type { OwnedRowsSpec } from './ownedRows';

/** The Threads & Processes view's Filter action. */
export const THREAD_FILTERS = {
  all: { label: 'All threads and processes', accepts: () => true },
  live: { label: 'Alive only', accepts: (t: ThreadView) => t.alive },
  blocked: { label: 'Blocked or waiting', accepts: (t: ThreadView) => t.alive && isBlocked(t.state) },
  lock: { label: 'Waiting for a lock or semaphore', accepts: (t: ThreadView) => t.alive && (THREAD_STATES[t.state].waitsOn === 'lock' || THREAD_STATES[t.state].waitsOn === 'semaphore') },
  running: { label: 'Running', accepts: (t: ThreadView) => t.alive && t.state === 'running' },
} as const;

/**
 * Threads and processes under their lab (or server). A row whose sentence has a time in it ticks
 * — except a socket wait's: a busy server has hundreds of threads in recv, and their rows would
 * be redrawn every second for a figure nobody watches there.
 */
export const threadRows: OwnedRowsSpec<ThreadView> = {
  accepts: (e: EntityView): e is ThreadView => e.kind === 'thread' || e.kind === 'process',
  ticking: (t) => t.alive && THREAD_STATES[t.state].timed && THREAD_STATES[t.state].waitsOn !== 'socket',
};

/** Every primitive, with its holder and FIFO waiters as rows under it. */
export const syncRows: OwnedRowsSpec<SyncView> = {
  accepts: (e: EntityView): e is SyncView => e.kind === 'sync',
  refs: (s) => [...(s.holderId ? [{ targetId: s.holderId, role: 'holder' }] : []), ...s.waiters.map((w) => ({ targetId: w.id, role: 'waiting' }))],
};

/** Each pool with its workers as rows under it; a busy pool's rows tick. */
export const poolRows: OwnedRowsSpec<PoolView> = {
  accepts: (e: EntityView): e is PoolView => e.kind === 'pool',
  refs: (p, childrenOf) =>
    childrenOf(p.id)
      .filter((e) => e.kind === 'worker')
      .map((w) => ({ targetId: w.id, role: 'worker' })),
  ticking: (p) => p.busy > 0 || p.queued > 0,
};
