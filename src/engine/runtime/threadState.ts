// What a thread is doing, as one Int32 in shared memory (arena T_STATE). Names are what the UI shows.

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

export type ThreadStateName =
  | 'new'
  | 'running'
  | 'sleeping'
  | 'waiting for lock'
  | 'waiting for event'
  | 'waiting on condition'
  | 'waiting for semaphore'
  | 'waiting at barrier'
  | 'joining'
  | 'blocked in recv'
  | 'sending'
  | 'done'
  | 'failed'
  | 'idle';

const NAMES: readonly ThreadStateName[] = [
  'new',
  'running',
  'sleeping',
  'waiting for lock',
  'waiting for event',
  'waiting on condition',
  'waiting for semaphore',
  'waiting at barrier',
  'joining',
  'blocked in recv',
  'sending',
  'done',
  'failed',
  'idle',
];

export function threadStateName(state: number): ThreadStateName {
  return NAMES[state] ?? 'running';
}
