// Every state a thread or process can be in, and every colour a timeline lane can take: one
// exhaustive table each, so a view never parses a state's words to learn what it means. Adding
// a state is one row here; the compiler then names every place that must say something about it.

/** What a lane is doing, coarsely: one colour each in the timeline. */
export const LANE_STATES = ['new', 'running', 'recv', 'send', 'lock', 'wait', 'sleep', 'idle', 'open', 'done', 'failed'] as const;
export type LaneState = (typeof LANE_STATES)[number];

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
  | 'blocked in accept'
  | 'blocked in get'
  | 'in select'
  | 'connecting'
  | 'sending'
  | 'done'
  | 'failed'
  | 'idle';

/** States only a traced Python program reports (the engine's own threads never accept, select or connect). */
export const TRACED_ONLY_STATES: readonly ThreadStateName[] = ['blocked in accept', 'blocked in get', 'in select', 'connecting'];

/** What a blocked thread waits on: a primitive's kind, another thread, or its socket. */
export type WaitKind = 'lock' | 'semaphore' | 'event' | 'condition' | 'barrier' | 'queue' | 'thread' | 'socket';

export interface ThreadStateInfo {
  /** Its colour in the timeline. */
  readonly lane: LaneState;
  /** Its tree row's codicon and theme colour. */
  readonly icon: readonly [codicon: string, themeColor?: string];
  /** What it waits on (null: it is not blocked). */
  readonly waitsOn: WaitKind | null;
  /** The words before what it waits for: `waiting for` Lock A, `joining` T2. */
  readonly verb: string;
  /** How long it has been in the state is part of its sentence (`sleeping (1.2 s)`). */
  readonly timed: boolean;
}

export const THREAD_STATES: Readonly<Record<ThreadStateName, ThreadStateInfo>> = {
  new: { lane: 'new', icon: ['circle-outline'], waitsOn: null, verb: 'new', timed: false },
  running: { lane: 'running', icon: ['play-circle', 'charts.green'], waitsOn: null, verb: 'running', timed: false },
  sleeping: { lane: 'sleep', icon: ['clock'], waitsOn: null, verb: 'sleeping', timed: true },
  'waiting for lock': { lane: 'lock', icon: ['lock', 'charts.orange'], waitsOn: 'lock', verb: 'waiting for', timed: true },
  'waiting for semaphore': { lane: 'lock', icon: ['lock', 'charts.orange'], waitsOn: 'semaphore', verb: 'waiting for', timed: true },
  'waiting for event': { lane: 'wait', icon: ['bell', 'charts.yellow'], waitsOn: 'event', verb: 'waiting for', timed: true },
  'waiting on condition': { lane: 'wait', icon: ['bell', 'charts.yellow'], waitsOn: 'condition', verb: 'waiting on condition', timed: true },
  'waiting at barrier': { lane: 'wait', icon: ['debug-pause', 'charts.yellow'], waitsOn: 'barrier', verb: 'waiting at barrier', timed: true },
  joining: { lane: 'wait', icon: ['debug-step-into'], waitsOn: 'thread', verb: 'joining', timed: true },
  'blocked in recv': { lane: 'recv', icon: ['plug', 'charts.blue'], waitsOn: 'socket', verb: 'blocked in recv', timed: true },
  'blocked in accept': { lane: 'recv', icon: ['radio-tower', 'charts.blue'], waitsOn: 'socket', verb: 'blocked in accept', timed: true },
  'blocked in get': { lane: 'wait', icon: ['inbox', 'charts.yellow'], waitsOn: 'queue', verb: 'blocked in get on', timed: true },
  'in select': { lane: 'wait', icon: ['eye', 'charts.blue'], waitsOn: 'socket', verb: 'in select on', timed: true },
  connecting: { lane: 'send', icon: ['plug', 'charts.purple'], waitsOn: 'socket', verb: 'connecting', timed: true },
  sending: { lane: 'send', icon: ['arrow-up', 'charts.green'], waitsOn: 'socket', verb: 'sending', timed: false },
  idle: { lane: 'idle', icon: ['circle-large-outline'], waitsOn: null, verb: 'idle', timed: false },
  done: { lane: 'done', icon: ['pass', 'disabledForeground'], waitsOn: null, verb: 'done', timed: false },
  failed: { lane: 'failed', icon: ['error', 'errorForeground'], waitsOn: null, verb: 'failed', timed: false },
};

export interface LaneStateInfo {
  /** Its name in the dashboard's legend. */
  readonly legend: string;
  /** Its name on a trace slice (Perfetto colours slices by name, so one word or two). */
  readonly slice: string;
  /** The theme colour it is drawn in, and a fallback for a theme without it. */
  readonly color: readonly [cssVar: string, fallback: string];
}

export const LANE_STATE_INFO: Readonly<Record<LaneState, LaneStateInfo>> = {
  new: { legend: 'starting', slice: 'starting', color: ['--vscode-disabledForeground', '#888888'] },
  running: { legend: 'running', slice: 'running', color: ['--vscode-charts-green', '#89d185'] },
  recv: { legend: 'blocked in recv', slice: 'blocked in recv', color: ['--vscode-charts-blue', '#3794ff'] },
  send: { legend: 'sending / back-pressure', slice: 'sending', color: ['--vscode-charts-purple', '#b180d7'] },
  lock: { legend: 'waiting for lock', slice: 'waiting for lock', color: ['--vscode-charts-orange', '#d18616'] },
  wait: { legend: 'waiting (event, condition, join)', slice: 'waiting', color: ['--vscode-charts-yellow', '#cca700'] },
  sleep: { legend: 'sleeping', slice: 'sleeping', color: ['--vscode-charts-lines', '#808080'] },
  idle: { legend: 'idle', slice: 'idle', color: ['--vscode-editorWidget-border', '#454545'] },
  open: { legend: 'open (no thread of its own)', slice: 'open', color: ['--vscode-textLink-foreground', '#3794ff'] },
  done: { legend: 'done', slice: 'done', color: ['--vscode-disabledForeground', '#6f6f6f'] },
  failed: { legend: 'failed', slice: 'failed', color: ['--vscode-errorForeground', '#f14c4c'] },
};

/** Blocked in the sense of the Threads view's filter: waiting on something or in a socket call. */
export function isBlocked(state: ThreadStateName): boolean {
  return THREAD_STATES[state].waitsOn !== null;
}
