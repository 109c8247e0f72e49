import * as l10n from '@vscode/l10n';
// One traced Python process (the program, or a child it started): the tracer's records as last
// shipped, the entities made of them, and the cross references their views need.
import type { DeadlockInfo } from '../../protocol/views';
import type { StateModel, Tracked } from '../state/model';
import { Followers, type CaptureLimits, type StreamCapture } from '../server/streamCapture';
import type { Disposable } from '../lifecycle';
import type { SharedInfo, SharedObjects, SharingProcess } from './sharedObjects';
import type { TraceConnection } from './traceChannel';
import { TracedChildProcess, TracedConnection, TracedPool, TracedPoolWorker, TracedServer, TracedSync, TracedThread, type ProcessScope } from './tracedEntities';
import { field, type StreamChunk, type TracerMessage, type TracerRecord } from './tracerMessages';

type Entity = Tracked & { rec: TracerRecord };

/** Ended sockets kept per process beyond which the oldest are forgotten (5,000 short connections). */
const MAX_ENDED_SOCKETS = 1000;
const MAX_STATES = 100;

/**
 * What may move on every batch without anything else changing: a busy connection's bytes, a
 * lock's tallies. A record whose other fields stayed is republished at the counters' pace
 * (StateModel.touchCounters) and its cross references are left alone.
 */
const COUNTERS: Partial<Record<string, ReadonlySet<string>>> = {
  socket: new Set(['bytesIn', 'bytesOut', 'recvs', 'sends', 'last', 'lastAt', 'rounds', 'recentRounds', 'accepted']),
  sync: new Set(['acquisitions', 'contended', 'totalWaitMs', 'maxWaitMs', 'totalHoldMs', 'maxHoldMs', 'contents', 'puts', 'gets']),
};

/** How a recording names a connection's stream: `conn 127.0.0.1:53122`. */
function streamName(r: TracerRecord): string {
  return `conn ${field.str(r, 'peer') ?? r.id}`;
}

function countersOnly(before: TracerRecord | undefined, r: TracerRecord): boolean {
  const counters = COUNTERS[r.kind];
  if (!before || !counters || before.ended !== r.ended) return false;
  for (const k of Object.keys(r)) {
    if (counters.has(k)) continue;
    const a = (r as Record<string, unknown>)[k];
    const b = (before as Record<string, unknown>)[k];
    if (a !== b && JSON.stringify(a) !== JSON.stringify(b)) return false;
  }
  return true;
}

export interface ProcessHost {
  readonly model: StateModel;
  readonly programId: string;
  /** What the program's processes share (multiprocessing's locks, Values, Queues, a Manager's objects). */
  readonly shared: SharedObjects;
  /** How a child process is named in its threads' rows (`Process-1`), once known. */
  nameOfPid(pid: number): string | null;
  /** The pool entity (of any traced process) whose workers include this pid. */
  poolOfWorker(pid: number): string | null;
  /** A pool record moved: its workers (their own processes' entities) may have come before it. */
  poolMoved(): void;
  /** A connection of this process appeared: a recording that captures every connection follows it. */
  connectionOpened(proc: TracedProcess, tracerId: string, name: string): void;
  /** A child process's own channel ended: its record in its parent learns how. */
  childEnded(pid: number, code: number | null, at: number): void;
  deadlockFound(info: DeadlockInfo): void;
  changed(): void;
}

export class TracedProcess implements ProcessScope, SharingProcess {
  readonly records = new Map<string, TracerRecord>();
  private readonly entities = new Map<string, Entity>();
  private readonly byIdent = new Map<number, TracerRecord>();
  private holders = new Map<number, TracerRecord[]>();
  private serving = new Map<number, TracerRecord>();
  private servingCount = new Map<number, number>();
  private connsOf = new Map<string, TracerRecord[]>();
  private readonly deadlocks = new Set<string>();
  private readonly endedSockets: string[] = [];
  /** Connections someone follows (Follow Stream): the tracer ships their bytes while any do. */
  private readonly followers = new Map<string, Followers>();
  /** Each thread's states in order (the CLI's summary), by record id. */
  readonly states = new Map<string, string[]>();
  /** The most waiters each primitive had at once. */
  readonly maxWaiters = new Map<string, number>();
  dropped: Readonly<Record<string, number>> = {};
  ended: number | null = null;
  exitCode: number | null = null;
  exitSaid = false;
  readonly notes: string[] = [];

  constructor(
    private readonly host: ProcessHost,
    readonly conn: TraceConnection,
    readonly pid: number,
    readonly ppid: number,
    readonly isMain: boolean,
  ) {}

  get programId(): string {
    return this.host.programId;
  }

  get processName(): string {
    return this.isMain ? 'MainProcess' : (this.host.nameOfPid(this.pid) ?? `pid ${this.pid}`);
  }

  poolOfWorker(pid: number): string | null {
    return this.host.poolOfWorker(pid);
  }

  /** The pool record here that lists `pid` among its workers. */
  poolRecordOf(pid: number): TracerRecord | undefined {
    for (const r of this.records.values()) if (r.kind === 'pool' && field.nums(r, 'workers').includes(pid)) return r;
    return undefined;
  }

  get prefix(): string {
    if (this.isMain) return '';
    return `${this.host.nameOfPid(this.pid) ?? `pid ${this.pid}`}: `;
  }

  entityId(tracerId: string): string {
    return `${this.host.programId}:${tracerId}`;
  }

  nameOf(rec: TracerRecord): string {
    return this.prefix + (field.str(rec, 'name') ?? rec.id);
  }

  record(tracerId: string): TracerRecord | undefined {
    return this.records.get(tracerId);
  }

  threadByIdent(ident: number): TracerRecord | undefined {
    return this.byIdent.get(ident);
  }

  heldBy(ident: number): readonly TracerRecord[] {
    return this.holders.get(ident) ?? [];
  }

  servingBy(ident: number): TracerRecord | undefined {
    return this.serving.get(ident);
  }

  servesMany(ident: number): boolean {
    return (this.servingCount.get(ident) ?? 0) > 1;
  }

  sharedInfo(rec: TracerRecord): SharedInfo | undefined {
    const key = field.str(rec, 'shared');
    return key === null ? undefined : this.host.shared.info(key);
  }

  syncName(rec: TracerRecord): string {
    return this.sharedInfo(rec)?.name ?? field.str(rec, 'name') ?? rec.id;
  }

  /** Its pool-worker entity says which pool it is under: asked again (the pool may be new). */
  touchPoolWorker(): void {
    for (const e of this.entities.values()) if (e instanceof TracedPoolWorker) this.host.model.touch(e);
  }

  private touchRecord(id: string): void {
    const e = this.entities.get(id);
    if (e) this.host.model.touch(e);
  }

  touchThreads(idents: readonly number[]): void {
    for (const ident of idents) {
      const r = this.byIdent.get(ident);
      const e = r && this.entities.get(r.id);
      if (e) this.host.model.touch(e);
    }
  }

  deadlocked(syncId: string): boolean {
    return this.deadlocks.has(syncId);
  }

  serverOf(rec: TracerRecord): string | null {
    const listener = field.str(rec, 'listener');
    if (listener && this.entities.has(listener)) return this.entityId(listener);
    return this.host.programId;
  }

  /** Its open connections (a recording that starts now follows each). */
  *liveConnections(): Iterable<{ tracerId: string; name: string }> {
    if (this.ended !== null) return;
    for (const e of this.entities.values()) if (e instanceof TracedConnection && e.rec.ended === null) yield { tracerId: e.rec.id, name: streamName(e.rec) };
  }

  /**
   * Follows a connection of this process: the tracer starts shipping what it reads and writes;
   * the last follower leaving stops it. Undefined when it is not a live connection here.
   */
  follow(tracerId: string, limits?: CaptureLimits): ({ readonly capture: StreamCapture } & Disposable) | undefined {
    const r = this.records.get(tracerId);
    const role = r ? field.str(r, 'role') : null;
    if (!r || r.ended !== null || this.ended !== null || (role !== 'accepted' && role !== 'client')) return undefined;
    let f = this.followers.get(tracerId);
    if (!f) this.followers.set(tracerId, (f = new Followers()));
    const first = !f.active;
    const handle = f.follow(limits);
    if (first) this.conn.send({ type: 'follow', id: tracerId, on: true });
    return {
      capture: handle.capture,
      dispose: () => {
        handle.dispose();
        if (!f.active) this.conn.send({ type: 'follow', id: tracerId, on: false });
      },
    };
  }

  private streamed(chunks: readonly StreamChunk[]): void {
    for (const c of chunks) {
      const capture = this.followers.get(c.id)?.active;
      if (!capture) continue;
      if ('dropped' in c) capture.dropped += c.dropped;
      else capture.record(c.dir, c.data);
    }
  }

  apply(m: TracerMessage): void {
    if (m.type === 'batch') {
      // Records first: a connection new in this batch is announced (and followed by a
      // recording) before the bytes the tracer captured from its first read are handed out.
      this.batch(m.records, m.dropped);
      this.streamed(m.streams);
    } else if (m.type === 'error') this.notes.push(`The tracer stopped tracing ${m.part} in pid ${this.pid} after an error inside it (${m.message}); the program went on.`);
    else if (m.type === 'exit') {
      this.exitCode = m.code;
      this.exitSaid = true;
    }
  }

  private batch(records: readonly TracerRecord[], dropped: Readonly<Record<string, number>>): void {
    this.dropped = dropped;
    let syncsMoved = false;
    let threadsMoved = false;
    let poolsMoved = false;
    const movedThreads = new Set<number>();
    const touched = new Set<Entity>();
    const counted = new Set<Entity>();
    const syncThreads = new Set<number>();
    for (const r of records) {
      const before = this.records.get(r.id);
      this.records.set(r.id, r);
      const quiet = countersOnly(before, r);
      if (r.kind === 'thread') {
        threadsMoved = true;
        const ident = field.num(r, 'ident');
        if (ident !== null) {
          this.byIdent.set(ident, r);
          movedThreads.add(ident);
        }
        this.noteState(r);
      } else if (r.kind === 'pool') poolsMoved = true;
      else if (r.kind === 'sync') {
        if (!quiet) {
          syncsMoved = true;
          // Who held it or waits for it, before and now: their rows name it.
          for (const x of [before, r]) {
            if (!x) continue;
            const h = field.num(x, 'holder');
            if (h !== null) syncThreads.add(h);
            for (const w of field.nums(x, 'waiters')) syncThreads.add(w);
          }
        }
        const n = field.nums(r, 'waiters').length;
        if (n > (this.maxWaiters.get(r.id) ?? 0)) this.maxWaiters.set(r.id, n);
        const key = field.str(r, 'shared');
        if (key !== null) {
          this.host.shared.update(this, r, key);
          continue;
        }
      }
      const e = this.entities.get(r.id) ?? this.create(r);
      if (!e) continue;
      e.rec = r;
      (quiet ? counted : touched).add(e);
      if (r.ended !== null && before?.ended == null) {
        this.followers.get(r.id)?.end('closed by the program');
        this.host.model.end(e);
        if (r.kind === 'socket') this.forgetLater(r.id);
      }
    }
    this.index();
    for (const e of touched) this.host.model.touch(e);
    for (const e of counted) if (!touched.has(e)) this.host.model.touchCounters(e);
    // Cross references, redrawn with what they name: a primitive's holder or waiters change what
    // threads say (holding, held by); a thread's state is its connection's `served by · state`; a
    // connection's counters are its server's. A busy server's hundred threads and connections
    // change every batch: only what refers to a changed record is touched.
    if (syncsMoved) this.touchThreads([...syncThreads]);
    // A holder that ended makes its locks' rows say so (ownerDead).
    for (const ident of movedThreads) for (const x of this.holders.get(ident) ?? []) if (!field.str(x, 'shared')) this.touchRecord(x.id);
    for (const e of this.entities.values()) {
      if (e instanceof TracedConnection) {
        const t = field.num(e.rec, 'thread');
        if (t !== null && movedThreads.has(t) && !this.servesMany(t)) this.host.model.touch(e);
      } else if (e instanceof TracedServer) this.host.model.touchCounters(e);
    }
    if (syncsMoved || threadsMoved) this.findDeadlocks();
    if (poolsMoved) this.host.poolMoved();
    this.host.changed();
  }

  private noteState(r: TracerRecord): void {
    const s = field.str(r, 'state');
    if (s === null) return;
    let list = this.states.get(r.id);
    if (!list) this.states.set(r.id, (list = []));
    if (list[list.length - 1] !== s && list.length < MAX_STATES) list.push(s);
  }

  private create(r: TracerRecord): Entity | undefined {
    let e: Entity | undefined;
    switch (r.kind) {
      case 'thread':
        e = new TracedThread(this, r);
        break;
      case 'sync':
        e = new TracedSync(this, r);
        break;
      case 'pool':
        e = new TracedPool(this, r);
        break;
      case 'process':
        e = new TracedChildProcess(this, r);
        break;
      case 'worker':
        e = new TracedPoolWorker(this, r);
        break;
      case 'socket': {
        const role = field.str(r, 'role');
        if (role === 'listener' || role === 'datagram') e = new TracedServer(this, r, () => this.connsOf.get(r.id) ?? []);
        else if (role === 'accepted' || role === 'client') e = new TracedConnection(this, r);
        break;
      }
    }
    if (!e) return undefined;
    this.entities.set(r.id, e);
    this.host.model.add(e);
    if (e instanceof TracedConnection && r.ended === null) this.host.connectionOpened(this, r.id, streamName(r));
    return e;
  }

  /** Rebuilds the cross-reference indexes from the records (cheap: done once per batch). */
  private index(): void {
    this.holders = new Map();
    this.serving = new Map();
    this.servingCount = new Map();
    this.connsOf = new Map();
    for (const r of this.records.values()) {
      if (r.kind === 'sync') {
        const h = field.num(r, 'holder');
        if (h !== null) {
          let list = this.holders.get(h);
          if (!list) this.holders.set(h, (list = []));
          list.push(r);
        }
      } else if (r.kind === 'socket') {
        const t = field.num(r, 'thread');
        if (t !== null && r.ended === null) {
          this.serving.set(t, r);
          this.servingCount.set(t, (this.servingCount.get(t) ?? 0) + 1);
        }
        const l = field.str(r, 'listener');
        if (l !== null) {
          let list = this.connsOf.get(l);
          if (!list) this.connsOf.set(l, (list = []));
          list.push(r);
        }
      }
    }
  }

  private forgetLater(id: string): void {
    this.endedSockets.push(id);
    while (this.endedSockets.length > MAX_ENDED_SOCKETS) {
      const old = this.endedSockets.shift()!;
      this.records.delete(old);
      this.entities.delete(old);
    }
  }

  /** Threads waiting for locks held by each other, in a cycle: the program will not move on. */
  private findDeadlocks(): void {
    const waitsFor = new Map<string, { lock: TracerRecord; holder: TracerRecord }>();
    for (const t of this.records.values()) {
      if (t.kind !== 'thread' || field.str(t, 'state') !== 'waiting for lock' || !field.bool(t, 'alive')) continue;
      const lock = this.records.get(field.str(t, 'wait') ?? '');
      const holderIdent = lock ? field.num(lock, 'holder') : null;
      const holder = holderIdent === null ? undefined : this.byIdent.get(holderIdent);
      if (lock && holder) waitsFor.set(t.id, { lock, holder });
    }
    const seen = new Set<string>();
    for (const start of waitsFor.keys()) {
      if (seen.has(start)) continue;
      const path: string[] = [];
      let at: string | undefined = start;
      while (at !== undefined && !path.includes(at) && !seen.has(at)) {
        path.push(at);
        at = waitsFor.get(at)?.holder.id;
      }
      for (const p of path) seen.add(p);
      if (at === undefined || !path.includes(at)) continue;
      const cycle = path.slice(path.indexOf(at));
      const locks = cycle.map((t) => waitsFor.get(t)!.lock);
      if (locks.every((l) => this.deadlocks.has(l.id))) continue;
      for (const l of locks) {
        this.deadlocks.add(l.id);
        const e = this.entities.get(l.id);
        if (e) this.host.model.touch(e);
      }
      const name = (id: string) => this.nameOf(this.records.get(id)!);
      const lockName = (l: TracerRecord) => field.str(l, 'name') ?? l.id;
      const parts = cycle.map((t, i) => {
        const next = cycle[(i + 1) % cycle.length]!;
        const held = locks[(i + cycle.length - 1) % cycle.length]!;
        return l10n.t('{0} holds {1} and waits for {2}, held by {3}', name(t), lockName(held), lockName(locks[i]!), name(next));
      });
      this.host.deadlockFound({ threads: cycle.map(name), locks: locks.map(lockName), description: parts.join(l10n.t('; ')) });
    }
  }

  /** The process is gone: every entity of it ends (threads no longer alive, sockets closed). */
  end(at: number): void {
    if (this.ended !== null) return;
    this.ended = at;
    for (const f of this.followers.values()) f.end('the program ended');
    for (const e of this.entities.values()) {
      if (e.rec.ended === null) this.host.model.end(e);
    }
    this.host.shared.processEnded(this);
    if (!this.isMain) this.host.childEnded(this.pid, this.exitSaid ? this.exitCode : null, at);
    this.host.changed();
  }

  /** The parent's record of a child process, to learn how the child ended. */
  childRecord(pid: number): TracedChildProcess | undefined {
    for (const e of this.entities.values()) if (e instanceof TracedChildProcess && field.num(e.rec, 'pid') === pid) return e;
    return undefined;
  }
}
