import type { Worker } from 'node:worker_threads';
import type { WorkerScripts } from '../workers/spawn';
import type { Arena } from './arena';
import type { Logger } from '../log';
import type { StateModel } from '../state/model';
import type { WaitTarget } from '../../protocol/views';

/** What threads and processes need from the runtime that owns them. */
export interface RuntimeHost {
  readonly arena: Arena;
  readonly model: StateModel;
  readonly log: Logger;
  /** The entity that owns this runtime (a lab, a server, a pool): parent of its threads. */
  readonly ownerId: string;
  /** Where the worker bundles are (tests, benchmarks; default: beside this bundle). */
  readonly workers: WorkerScripts;
  waitTarget(slot: number): WaitTarget | null;
  heldBy(slot: number): string[];
  /** Who last woke the thread (a release, set or notify) and when, when known. */
  wokenBy(slot: number): { readonly id: string; readonly name: string; readonly at: number } | null;
  /** A thread or process printed a line. */
  output(from: string, text: string): void;
  /** A thread worker started ahead (Runtime.warmThreads), if one is idle. */
  warmThread(): Worker | undefined;
  /** An actor ended: locks it held are marked, queues it sat in are left. */
  actorEnded(slot: number): void;
}
