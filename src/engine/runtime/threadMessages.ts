import type { ErrorInfo } from '../../protocol/views';

/** What the main thread tells a new thread (workerData). */
export interface ThreadStart {
  readonly buffer: SharedArrayBuffer;
  readonly slot: number;
  readonly name: string;
  /** A program name from the registry, or `module#export` for the user's own code. */
  readonly target: string;
  readonly args: readonly unknown[];
}

/** What a thread tells the main thread. */
export type ThreadMessage = { readonly type: 'print'; readonly text: string } | { readonly type: 'result'; readonly value: unknown } | { readonly type: 'error'; readonly error: ErrorInfo };
