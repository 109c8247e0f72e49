import type { Replacement } from '../../protocol/said';
import type { ErrorInfo } from '../../protocol/views';

/** A line a worker said to be translated where the bundle is: the English message and its arguments. */
export interface Said {
  readonly message: string;
  readonly args: readonly Replacement[];
}

/** What the main thread tells a new thread (workerData). */
export interface ThreadStart {
  readonly buffer: SharedArrayBuffer;
  readonly slot: number;
  readonly name: string;
  /** A program name from the registry, or `module#export` for the user's own code. */
  readonly target: string;
  readonly args: readonly unknown[];
}

/** A worker started ahead of its thread (WarmThreads): its ThreadStart comes as a message. */
export interface WarmStart {
  readonly warm: true;
}

/** What a thread tells the main thread ('warm': a warm worker is ready for its ThreadStart). */
export type ThreadMessage =
  | { readonly type: 'warm' }
  | { readonly type: 'print'; readonly text: string; readonly said?: Said }
  | { readonly type: 'result'; readonly value: unknown }
  | { readonly type: 'error'; readonly error: ErrorInfo };
