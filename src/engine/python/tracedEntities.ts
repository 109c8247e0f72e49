// The entities a traced Python program contributes to the live state model: each wraps the
// tracer's latest record and builds the same views the engine's own entities build, so every
// tree, the dashboard and recordings show a Python program without a second code path.
import { escapeBytes } from '../../protocol/escape';
import { THREAD_STATES, type ThreadStateName } from '../../protocol/states';
import type {
  ConcurrencyModel,
  ConnectionState,
  ConnectionView,
  PoolView,
  PoolWorkerView,
  ReadinessRound,
  ServerView,
  SyncPrimitive,
  SyncView,
  ThreadView,
  Transport,
  WaitTarget,
} from '../../protocol/views';
import type { Tracked } from '../state/model';
import type { SharedInfo } from './sharedObjects';
import { field, type TracerRecord } from './tracerMessages';

/** What an entity asks of the process it belongs to (cross references by thread ident). */
export interface ProcessScope {
  readonly programId: string;
  /** `Process-1: ` for a child's threads, '' for the program's own. */
  readonly prefix: string;
  entityId(tracerId: string): string;
  /** A record's name as the views show it: `Process-1: Thread-2` in a child. */
  nameOf(rec: TracerRecord): string;
  record(tracerId: string): TracerRecord | undefined;
  threadByIdent(ident: number): TracerRecord | undefined;
  /** Syncs whose holder is `ident` (for a thread's `holding`). */
  heldBy(ident: number): readonly TracerRecord[];
  /** The open connection a thread used last (for `serving`). */
  servingBy(ident: number): TracerRecord | undefined;
  /** The thread serves more than one open connection (a select loop): its state is its own, not theirs. */
  servesMany(ident: number): boolean;
  deadlocked(syncId: string): boolean;
  /** A record of an object the program's processes share: its row, name and holder in any process. */
  sharedInfo(rec: TracerRecord): SharedInfo | undefined;
  /** A primitive's name as its row says it (a shared one is named by the process that made it). */
  syncName(rec: TracerRecord): string;
  /** The process ended (its threads are no longer alive, whatever their last record said). */
  readonly ended: number | null;
  /** The entity of the Pool (in the parent process) whose worker this process is. */
  poolOfWorker(pid: number): string | null;
  /** This process's name (`ForkPoolWorker-2`), as its parent named it. */
  readonly processName: string;
  /** Server entity id for a listener record id, or the process's client-sockets group. */
  serverOf(rec: TracerRecord): string | null;
}

const SYNC_PRIMITIVES = new Set<SyncPrimitive>(['Lock', 'RLock', 'Semaphore', 'BoundedSemaphore', 'Event', 'Condition', 'Barrier']);

function threadState(s: string | null): ThreadStateName {
  return s !== null && Object.prototype.hasOwnProperty.call(THREAD_STATES, s) ? (s as ThreadStateName) : 'running';
}

abstract class TracedEntity<V extends ThreadView | SyncView | ServerView | ConnectionView | PoolView | PoolWorkerView> implements Tracked<V> {
  dirty = false;
  readonly id: string;

  constructor(
    protected readonly scope: ProcessScope,
    public rec: TracerRecord,
  ) {
    this.id = scope.entityId(rec.id);
  }

  protected get endedAt(): number | null {
    return this.rec.ended ?? this.scope.ended;
  }

  abstract view(): V;
}

export class TracedThread extends TracedEntity<ThreadView> {
  view(): ThreadView {
    const r = this.rec;
    const s = this.scope;
    const ident = field.num(r, 'ident');
    const alive = field.bool(r, 'alive') && s.ended === null;
    const state = alive ? threadState(field.str(r, 'state')) : field.str(r, 'state') === 'failed' ? 'failed' : 'done';
    const error = field.obj(r, 'error');
    return {
      id: this.id,
      kind: 'thread',
      parentId: s.programId,
      name: s.nameOf(r),
      createdAt: r.created,
      endedAt: alive ? null : (r.ended ?? s.ended ?? Date.now()),
      ident,
      daemon: field.bool(r, 'daemon'),
      alive,
      state,
      stateSince: field.num(r, 'since') ?? r.created,
      waitingFor: alive ? this.waitingFor() : null,
      holding: ident === null ? [] : s.heldBy(ident).map((x) => s.syncName(x)),
      wokenBy: null,
      exitCode: null,
      error: error ? { type: String(error.type ?? 'Exception'), message: String(error.message ?? '') } : null,
      serving: this.serving(ident),
    };
  }

  private waitingFor(): WaitTarget | null {
    const r = this.rec;
    const s = this.scope;
    const waitId = field.str(r, 'wait');
    const waitName = field.str(r, 'waitName');
    const target = waitId ? s.record(waitId) : undefined;
    const shared = target?.kind === 'sync' ? s.sharedInfo(target) : undefined;
    if (shared) return shared;
    if (target?.kind === 'sync') {
      const holder = field.num(target, 'holder');
      const h = holder === null ? undefined : s.threadByIdent(holder);
      return { id: s.entityId(target.id), name: field.str(target, 'name') ?? target.id, holderId: h ? s.entityId(h.id) : null, holderName: h ? s.nameOf(h) : null };
    }
    if (target) return { id: s.entityId(target.id), name: s.nameOf(target), holderId: null, holderName: null };
    if (waitName !== null) return { id: `${this.id}/wait`, name: waitName, holderId: null, holderName: null };
    return null;
  }

  private serving(ident: number | null): { id: string; peer: string } | null {
    if (ident === null) return null;
    const c = this.scope.servingBy(ident);
    return c ? { id: this.scope.entityId(c.id), peer: field.str(c, 'peer') ?? '?' } : null;
  }
}

export class TracedSync extends TracedEntity<SyncView> {
  view(): SyncView {
    const r = this.rec;
    const s = this.scope;
    const primitive = field.str(r, 'primitive') as SyncPrimitive;
    const holder = field.num(r, 'holder');
    const h = holder === null ? undefined : s.threadByIdent(holder);
    const waiters = field.nums(r, 'waiters').map((ident) => {
      const t = s.threadByIdent(ident);
      return t ? { id: s.entityId(t.id), name: s.nameOf(t) } : { id: `${this.id}/waiter/${ident}`, name: `thread ${ident}` };
    });
    return {
      id: this.id,
      kind: 'sync',
      parentId: s.programId,
      name: s.nameOf(r),
      createdAt: r.created,
      endedAt: this.endedAt,
      primitive: SYNC_PRIMITIVES.has(primitive) ? primitive : 'Lock',
      sharing: 'shared memory (threads)',
      holderId: h ? s.entityId(h.id) : null,
      holderName: h ? s.nameOf(h) : holder !== null ? `thread ${holder}` : null,
      depth: field.num(r, 'depth') ?? 0,
      value: field.num(r, 'value') ?? 0,
      waiters,
      acquisitions: field.num(r, 'acquisitions') ?? 0,
      contended: field.num(r, 'contended') ?? 0,
      totalWaitMs: field.num(r, 'totalWaitMs') ?? 0,
      maxWaitMs: field.num(r, 'maxWaitMs') ?? 0,
      totalHoldMs: field.num(r, 'totalHoldMs') ?? 0,
      maxHoldMs: field.num(r, 'maxHoldMs') ?? 0,
      ownerDead: holder !== null && (!h || !field.bool(h, 'alive')) && s.ended === null,
      broken: field.bool(r, 'broken'),
      deadlocked: s.deadlocked(r.id),
    };
  }
}

function transportOf(r: TracerRecord): Transport {
  const t = field.str(r, 'transport');
  return t === 'udp' || t === 'unix-dgram' ? 'udp' : t === 'unix' ? 'unix' : 'tcp';
}

function hostPort(address: string | null): { host: string; port: number } {
  const m = address ? /^\[?(.*?)\]?:(\d+)$/.exec(address) : null;
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: '', port: 0 };
}

/** A listening (or bound datagram) socket of the program, shown as a server. */
export class TracedServer extends TracedEntity<ServerView> {
  private lastIn = 0;
  private lastAt = 0;
  private rate = 0;

  constructor(
    scope: ProcessScope,
    rec: TracerRecord,
    private readonly connections: () => readonly TracerRecord[],
  ) {
    super(scope, rec);
  }

  view(): ServerView {
    const r = this.rec;
    const conns = this.connections();
    const transport = transportOf(r);
    const local = field.str(r, 'local');
    const { host, port } = hostPort(local);
    const rounds = field.list(r, 'recentRounds').flatMap((x): ReadinessRound[] => {
      if (typeof x !== 'object' || x === null) return [];
      const o = x as Record<string, unknown>;
      return [{ at: Number(o.at) || 0, readable: Number(o.readable) || 0, writable: Number(o.writable) || 0, sockets: Array.isArray(o.sockets) ? o.sockets.map(String).slice(0, 4) : [] }];
    });
    const model = (field.str(r, 'serverModel') as ConcurrencyModel | null) ?? ((field.num(r, 'rounds') ?? 0) > 0 ? 'event-loop' : 'iterative');
    let bytesIn = field.num(r, 'bytesIn') ?? 0;
    let bytesOut = field.num(r, 'bytesOut') ?? 0;
    let messagesIn = field.num(r, 'recvs') ?? 0;
    let live = 0;
    for (const c of conns) {
      bytesIn += field.num(c, 'bytesIn') ?? 0;
      bytesOut += field.num(c, 'bytesOut') ?? 0;
      messagesIn += field.num(c, 'recvs') ?? 0;
      if (c.ended === null && this.scope.ended === null) live++;
    }
    const now = Date.now();
    if (now - this.lastAt >= 500) {
      this.rate = this.lastAt ? ((messagesIn - this.lastIn) * 1000) / (now - this.lastAt) : 0;
      this.lastIn = messagesIn;
      this.lastAt = now;
    }
    const ended = this.endedAt;
    return {
      id: this.id,
      kind: 'server',
      parentId: this.scope.programId,
      name: `${transport.toUpperCase()} ${local ?? '?'}`,
      createdAt: r.created,
      endedAt: ended,
      transport,
      model: model === 'thread-per-connection' || model === 'process-per-connection' || model === 'event-loop' ? model : 'iterative',
      handler: field.str(r, 'handler') ?? (transport === 'udp' ? 'datagram socket' : 'socket'),
      host,
      port,
      path: transport === 'unix' ? local : null,
      address: local ?? '?',
      state: ended === null ? 'listening' : 'stopped',
      backlog: 0,
      recvSize: 0,
      maxConnections: 0,
      idleTimeoutMs: 0,
      refused: 0,
      lastRefusal: null,
      waiting: 0,
      workers: null,
      rounds: field.num(r, 'rounds') ?? 0,
      recentRounds: rounds,
      lastError: null,
      liveConnections: live,
      totalConnections: field.num(r, 'accepted') ?? conns.length,
      bytesIn,
      bytesOut,
      messagesIn,
      messagesInPerSecond: Math.max(0, this.rate),
      responseTime: null,
      handlerErrors: 0,
      traced: { serverClass: field.str(r, 'serverClass') },
    };
  }
}

function connectionState(r: TracerRecord, processEnded: number | null): ConnectionState {
  if (r.ended !== null || processEnded !== null) return 'closed';
  return field.str(r, 'state') === 'half-closed' ? 'half-closed' : 'open';
}

/** An accepted connection (under its listener) or one the program made (under its client group). */
export class TracedConnection extends TracedEntity<ConnectionView> {
  view(): ConnectionView {
    const r = this.rec;
    const s = this.scope;
    const ident = field.num(r, 'thread');
    const t = ident === null ? undefined : s.threadByIdent(ident);
    const last = field.str(r, 'last') ?? '';
    const recvs = field.num(r, 'recvs') ?? 0;
    const state = connectionState(r, s.ended);
    return {
      id: this.id,
      kind: 'connection',
      parentId: s.serverOf(r),
      name: field.str(r, 'peer') ?? r.id,
      createdAt: r.created,
      endedAt: this.endedAt,
      transport: transportOf(r),
      peer: field.str(r, 'peer') ?? '?',
      local: field.str(r, 'local') ?? '?',
      state,
      bytesIn: field.num(r, 'bytesIn') ?? 0,
      bytesOut: field.num(r, 'bytesOut') ?? 0,
      messagesIn: recvs,
      messagesOut: field.num(r, 'sends') ?? 0,
      lastActivityAt: field.num(r, 'lastAt') ?? r.created,
      backpressure: false,
      waitingReason: null,
      servedBy: t ? s.nameOf(t) : 'not read yet',
      servedById: t ? s.entityId(t.id) : null,
      servedByState: t && ident !== null && !s.servesMany(ident) && field.bool(t, 'alive') && s.ended === null ? threadState(field.str(t, 'state')) : null,
      phase: state === 'closed' ? 'done' : recvs > 0 ? 'handle' : 'setup',
      reads: recvs,
      readsLastMessage: recvs ? 1 : 0,
      readsMaxMessage: recvs ? 1 : 0,
      lastReceived: escapeBytes(Buffer.from(last, 'latin1')),
      closeReason: state === 'closed' ? (r.ended !== null ? 'closed by the program' : 'the program ended') : null,
      error: null,
    };
  }
}

/** A child process the program started (multiprocessing), from the parent's record. */
export class TracedChildProcess extends TracedEntity<ThreadView> {
  /** The child's own channel said how it ended (its exit code), or went without saying. */
  childExit: { code: number | null; at: number } | null = null;

  view(): ThreadView {
    const r = this.rec;
    const code = field.num(r, 'exitCode') ?? this.childExit?.code ?? null;
    const ended = r.ended ?? this.childExit?.at ?? (code !== null ? Date.now() : null) ?? this.scope.ended;
    const alive = ended === null;
    return {
      id: this.id,
      kind: 'process',
      parentId: this.scope.programId,
      name: this.scope.nameOf(r),
      createdAt: r.created,
      endedAt: ended,
      ident: field.num(r, 'pid'),
      daemon: field.bool(r, 'daemon'),
      alive,
      state: alive ? 'running' : code !== null && code !== 0 ? 'failed' : 'done',
      stateSince: ended ?? r.created,
      waitingFor: null,
      holding: [],
      wokenBy: null,
      exitCode: alive ? null : code,
      error: null,
    };
  }
}

export class TracedPool extends TracedEntity<PoolView> {
  view(): PoolView {
    const r = this.rec;
    const state = field.str(r, 'state');
    return {
      id: this.id,
      kind: 'pool',
      parentId: this.scope.programId,
      name: this.scope.nameOf(r),
      createdAt: r.created,
      endedAt: this.endedAt,
      poolKind: 'process',
      size: field.num(r, 'size') ?? 0,
      state: state === 'closed' || state === 'joined' || state === 'terminated' ? state : 'running',
      queued: field.num(r, 'queued') ?? 0,
      oldestWaitMs: 0,
      busy: field.num(r, 'busy') ?? 0,
      tasksDone: field.num(r, 'tasksDone') ?? 0,
      tasksFailed: field.num(r, 'tasksFailed') ?? 0,
      workersReplaced: 0,
      callbackThread: 'Thread (_handle_results)',
      startError: null,
    };
  }
}

/** This process as a worker of a multiprocessing.Pool, under the pool in the Pools view. */
export class TracedPoolWorker extends TracedEntity<PoolWorkerView> {
  view(): PoolWorkerView {
    const r = this.rec;
    const s = this.scope;
    const pid = field.num(r, 'pid');
    const ended = this.endedAt;
    const busy = field.str(r, 'state') === 'busy';
    return {
      id: this.id,
      kind: 'worker',
      parentId: (pid !== null ? s.poolOfWorker(pid) : null) ?? s.programId,
      name: s.processName,
      createdAt: r.created,
      endedAt: ended,
      workerKind: 'process',
      ident: pid,
      state: ended !== null ? 'exited' : busy ? 'busy' : 'idle',
      task: ended === null && busy ? field.str(r, 'task') : null,
      taskSince: field.num(r, 'since'),
      tasksDone: field.num(r, 'tasksDone') ?? 0,
      exitReason: ended !== null ? 'the pool ended it' : null,
    };
  }
}
