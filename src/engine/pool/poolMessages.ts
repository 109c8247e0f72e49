import type { ErrorInfo } from '../../protocol/views';

/** How a pool worker starts: its initializer (Python's `initializer`, `initargs`), if any. */
export interface PoolWorkerInit {
  readonly initializer: string | null;
  readonly initargs: readonly unknown[];
}

/** Pool → worker. A `chunk` runs one function over several argument lists (map's chunks). */
export type PoolRequest =
  | { readonly t: 'init'; readonly init: PoolWorkerInit }
  | { readonly t: 'run'; readonly id: number; readonly fn: string; readonly args: readonly unknown[] }
  | { readonly t: 'chunk'; readonly id: number; readonly fn: string; readonly items: readonly (readonly unknown[])[] };

/** Worker → pool. */
export type PoolReply =
  | { readonly t: 'ready' }
  | { readonly t: 'init-error'; readonly error: ErrorInfo }
  | { readonly t: 'done'; readonly id: number; readonly value: unknown }
  | { readonly t: 'error'; readonly id: number; readonly error: ErrorInfo };
