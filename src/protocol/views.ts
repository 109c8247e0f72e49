// The live state model's vocabulary: plain, serialisable views of what exists now.
// Language-neutral on purpose: a later external reporter (say a Python program) can speak it too.
import type { ThreadStateName } from './states';

export type EntityKind = 'server' | 'connection' | 'lab' | 'thread' | 'process' | 'sync' | 'pool' | 'worker' | 'program';

export interface EntityBase {
  /** Stable for the entity's whole life, e.g. `server-1`, `conn-7`. */
  readonly id: string;
  readonly kind: EntityKind;
  readonly parentId: string | null;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** Set once the entity has ended; it is kept for a short retention window, then removed. */
  readonly endedAt: number | null;
}

export const TRANSPORTS = ['tcp', 'udp', 'unix'] as const;
export type Transport = (typeof TRANSPORTS)[number];
export const MODELS = ['iterative', 'event-loop', 'thread-per-connection', 'process-per-connection', 'thread-pool'] as const;
export type ConcurrencyModel = (typeof MODELS)[number];
export type ServerState = 'listening' | 'stopping' | 'stopped';

/** One turn of the event loop that found sockets ready (what `select()` would have returned). */
export interface ReadinessRound {
  readonly at: number;
  readonly readable: number;
  readonly writable: number;
  /** The first few ready sockets' peers. */
  readonly sockets: readonly string[];
}

/** The threads or child processes that serve a server's connections. */
export interface WorkerCapacity {
  readonly kind: 'thread' | 'process';
  readonly live: number;
  readonly busy: number;
  readonly idle: number;
  readonly cap: number;
  /** Connections waiting for a thread or child. */
  readonly queued: number;
  /** e.g. `thread cap (100) reached: 3 connections wait`; null while there is room. */
  readonly capNote: string | null;
}

export interface ResponseTime {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly replies: number;
  /** The window these figures cover. */
  readonly windowMs: number;
}

export interface ServerView extends EntityBase {
  readonly kind: 'server';
  readonly transport: Transport;
  readonly model: ConcurrencyModel;
  readonly handler: string;
  readonly host: string;
  readonly port: number;
  /** Unix sockets: the socket file. */
  readonly path: string | null;
  /** What a client connects to: `127.0.0.1:8080` or the socket path. */
  readonly address: string;
  readonly state: ServerState;
  readonly backlog: number;
  readonly recvSize: number;
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  /** Connections refused (max connections, full listen queue), and why the last one was. */
  readonly refused: number;
  readonly lastRefusal: string | null;
  /** iterative: connections waiting for their turn. */
  readonly waiting: number;
  readonly workers: WorkerCapacity | null;
  /** event-loop: readiness rounds so far and the last few. */
  readonly rounds: number;
  readonly recentRounds: readonly ReadinessRound[];
  /** The last listener-level error (e.g. EMFILE), in plain words. */
  readonly lastError: string | null;
  readonly liveConnections: number;
  readonly totalConnections: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
  /** Messages received per second, over the last publisher interval. */
  readonly messagesInPerSecond: number;
  /** Response times (a read to the server's next write on that connection) over the last second or so; null: no replies. */
  readonly responseTime: ResponseTime | null;
  readonly handlerErrors: number;
  /** A listening socket of a traced program (its parent is the program): the socketserver class, if any. */
  readonly traced?: { readonly serverClass: string | null } | null;
}

export type ConnectionState = 'waiting' | 'open' | 'half-closed' | 'closing' | 'closed';
/** socketserver's phases: setup, handle, finish. */
export type HandlerPhase = 'waiting' | 'setup' | 'handle' | 'finish' | 'done';

export interface ErrorInfo {
  readonly type: string;
  readonly message: string;
  readonly stack?: string;
}

export interface ConnectionView extends EntityBase {
  readonly kind: 'connection';
  readonly transport: Transport;
  readonly peer: string;
  readonly local: string;
  readonly state: ConnectionState;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly lastActivityAt: number;
  /** True while reading is paused because the peer is not reading what we send. */
  readonly backpressure: boolean;
  /** Why it is not served yet (iterative turn, thread or child cap); null once served. */
  readonly waitingReason: string | null;
  /** What serves it: `event loop`, `Thread-3 (ident 7)`, `Process-2 (pid 4242)`. */
  readonly servedBy: string;
  /** The thread or process entity serving it, for cross-links; null on the event loop. */
  readonly servedById: string | null;
  /** That thread's or process's state, e.g. `blocked in recv`. */
  readonly servedByState: ThreadStateName | null;
  readonly phase: HandlerPhase;
  /** recv calls so far; the last and largest number of recvs one arriving segment took. */
  readonly reads: number;
  readonly readsLastMessage: number;
  readonly readsMaxMessage: number;
  /** The last bytes received, escaped for display (never raw: they may be binary). */
  readonly lastReceived: string;
  readonly closeReason: string | null;
  readonly error: ErrorInfo | null;
}

/** Something a thread or process waits on, with who holds it (for "waiting for Lock#2 held by Thread-1"). */
export interface WaitTarget {
  readonly id: string;
  readonly name: string;
  readonly holderId: string | null;
  readonly holderName: string | null;
}

/** A thread or process of the runtime, `MainThread` included. */
export interface ThreadView extends EntityBase {
  readonly kind: 'thread' | 'process';
  /** `threading.get_ident()` (the worker's thread id) or the process id; null before start. */
  readonly ident: number | null;
  readonly daemon: boolean;
  readonly alive: boolean;
  readonly state: ThreadStateName;
  readonly stateSince: number;
  readonly waitingFor: WaitTarget | null;
  /** Names of the locks it holds now. */
  readonly holding: readonly string[];
  /** The thread whose release, set or notify last woke it, and when (ms since the epoch), when known. */
  readonly wokenBy: { readonly id: string; readonly name: string; readonly at: number } | null;
  /** Processes: Python's exitcode (negative signal number after terminate/kill). */
  readonly exitCode: number | null;
  readonly error: ErrorInfo | null;
  /** A server's thread or child: the connection it serves now. */
  readonly serving?: { readonly id: string; readonly peer: string } | null;
}

export type SyncPrimitive = 'Lock' | 'RLock' | 'Semaphore' | 'BoundedSemaphore' | 'Event' | 'Condition' | 'Barrier' | 'Value' | 'Array' | 'dict' | 'list' | 'Namespace' | 'Queue';

export interface SyncView extends EntityBase {
  readonly kind: 'sync';
  readonly primitive: SyncPrimitive;
  /** `shared memory (threads)` or `shared via broker` (processes cannot share memory in Node). */
  /** Threads of one process, a lab's broker, processes of a Python program (semaphores, shared memory, a Queue's pipe), or a Manager's process. */
  readonly sharing: 'shared memory (threads)' | 'shared via broker' | 'shared between processes' | 'in a Manager process';
  readonly holderId: string | null;
  readonly holderName: string | null;
  /** RLock recursion depth. */
  readonly depth: number;
  /** Semaphore value, Event flag (0/1), Barrier arrivals, Value contents; Array/dict length. */
  readonly value: number;
  /** Broker-held Array and dict: a short preview of the contents. */
  readonly contents?: string;
  readonly waiters: readonly { readonly id: string; readonly name: string }[];
  readonly acquisitions: number;
  readonly contended: number;
  readonly totalWaitMs: number;
  readonly maxWaitMs: number;
  readonly totalHoldMs: number;
  readonly maxHoldMs: number;
  readonly ownerDead: boolean;
  readonly broken: boolean;
  /** Part of a detected deadlock cycle. */
  readonly deadlocked: boolean;
}

export type LabState = 'running' | 'done' | 'failed' | 'stopped';

export interface LabView extends EntityBase {
  readonly kind: 'lab';
  readonly lab: string;
  readonly title: string;
  readonly state: LabState;
  /** The outcome in one plain sentence, once known. */
  readonly summary: string | null;
  readonly figures: Readonly<Record<string, unknown>> | null;
  /** The last lines the lab printed. */
  readonly output: readonly string[];
  readonly deadlock: DeadlockInfo | null;
  readonly error: ErrorInfo | null;
  /** While running, once the lab said how far it is; absent from older recordings. */
  readonly progress?: LabProgress | null;
}

/** A running lab's progress: the share done, and the time left when it can be estimated. */
export interface LabProgress {
  readonly fraction: number;
  readonly leftMs: number | null;
}

export interface DeadlockInfo {
  readonly threads: readonly string[];
  readonly locks: readonly string[];
  /** e.g. `Thread-1 holds Lock-A and waits for Lock-B, held by Thread-2, which waits for Lock-A`. */
  readonly description: string;
}

export type PoolState = 'running' | 'closed' | 'joined' | 'terminated';

/** A worker pool like `multiprocessing.Pool`; its workers are its children. */
export interface PoolView extends EntityBase {
  readonly kind: 'pool';
  readonly poolKind: 'thread' | 'process';
  readonly size: number;
  readonly state: PoolState;
  readonly queued: number;
  /** How long the oldest queued task has waited (ms), 0 when none. */
  readonly oldestWaitMs: number;
  readonly busy: number;
  readonly tasksDone: number;
  readonly tasksFailed: number;
  readonly workersReplaced: number;
  /** Where callbacks and error callbacks run. */
  readonly callbackThread: string;
  /** Why the pool cannot start workers, if it cannot. */
  readonly startError: ErrorInfo | null;
}

export type PoolWorkerState = 'starting' | 'idle' | 'busy' | 'exited';

export interface PoolWorkerView extends EntityBase {
  readonly kind: 'worker';
  readonly workerKind: 'thread' | 'process';
  /** Thread id or pid. */
  readonly ident: number | null;
  readonly state: PoolWorkerState;
  /** The task it runs now, e.g. `sleep(3, 2)`. */
  readonly task: string | null;
  readonly taskSince: number | null;
  readonly tasksDone: number;
  readonly exitReason: string | null;
}

export type ProgramState = 'starting' | 'running' | 'exited';

/**
 * A program of the user's (a Python file) run under the tracer: its threads, primitives,
 * listening sockets, child processes and pools are its children.
 */
export interface ProgramView extends EntityBase {
  readonly kind: 'program';
  readonly language: 'python';
  /** The file as run, and its arguments. */
  readonly file: string;
  readonly args: readonly string[];
  readonly pid: number | null;
  /** e.g. `Python 3.11.7`, once the program said hello. */
  readonly interpreter: string | null;
  readonly state: ProgramState;
  /** Python's exit code (negative signal number when a signal ended it), once exited. */
  readonly exitCode: number | null;
  /** Processes traced so far, the program's own included. */
  readonly processes: number;
  /** What the tracer's caps turned away, by kind (a program that opened 5,000 connections). */
  readonly dropped: Readonly<Record<string, number>>;
  /** Plain sentences: a part of the tracer that failed (and stopped), the channel lost, caps reached. */
  readonly notes: readonly string[];
  /** A cycle of threads waiting for locks held by each other, once detected. */
  readonly deadlock: DeadlockInfo | null;
}

export type EntityView = ServerView | ConnectionView | LabView | ThreadView | SyncView | PoolView | PoolWorkerView | ProgramView;

/** What a subscriber receives: a full snapshot first, then deltas on every tick that changed something. */
export type StateMessage =
  | { readonly type: 'snapshot'; readonly now: number; readonly entities: readonly EntityView[] }
  | {
      readonly type: 'delta';
      readonly now: number;
      /** New since the last message (upsert: may repeat one a snapshot already had). */
      readonly added: readonly EntityView[];
      /** Changed since the last message, as whole views (upsert). */
      readonly changed: readonly EntityView[];
      /** Ids whose retention window has passed; they will not be mentioned again. */
      readonly removed: readonly string[];
    };
