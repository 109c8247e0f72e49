// What a thread is doing, as one Int32 in shared memory (arena T_STATE). Names are what the UI shows.
import type { ThreadStateName } from '../../protocol/states';

export type { ThreadStateName };

export enum ThreadState {
  New = 0,
  Running = 1,
  Sleeping = 2,
  WaitLock = 3,
  WaitEvent = 4,
  WaitCondition = 5,
  WaitSemaphore = 6,
  WaitBarrier = 7,
  Joining = 8,
  Recv = 9,
  Sending = 10,
  Done = 11,
  Failed = 12,
  /** A server's spare thread or child, parked until a connection arrives. */
  Idle = 13,
}

/** Each state's name as the views show it (the table of what each means is in protocol/states). */
const NAMES: Readonly<Record<ThreadState, ThreadStateName>> = {
  [ThreadState.New]: 'new',
  [ThreadState.Running]: 'running',
  [ThreadState.Sleeping]: 'sleeping',
  [ThreadState.WaitLock]: 'waiting for lock',
  [ThreadState.WaitEvent]: 'waiting for event',
  [ThreadState.WaitCondition]: 'waiting on condition',
  [ThreadState.WaitSemaphore]: 'waiting for semaphore',
  [ThreadState.WaitBarrier]: 'waiting at barrier',
  [ThreadState.Joining]: 'joining',
  [ThreadState.Recv]: 'blocked in recv',
  [ThreadState.Sending]: 'sending',
  [ThreadState.Done]: 'done',
  [ThreadState.Failed]: 'failed',
  [ThreadState.Idle]: 'idle',
};

export function threadStateName(state: number): ThreadStateName {
  return NAMES[state as ThreadState] ?? 'running';
}
