// The dashboard's rows: what a frame carries (a lane per thread, process, connection or pool
// worker, a row per lock, one sample per server and pool) and a followed connection's records.
// The live dashboard, the recording file and its replay all speak in these.
import type { LaneState } from './states';
import type { SyncView } from './views';

export type LaneKind = 'thread' | 'process' | 'connection' | 'worker';

/** One timeline lane: a thread, process, pool worker or connection. */
export interface Lane {
  readonly id: string;
  readonly kind: LaneKind;
  readonly name: string;
  /** The owner (server, lab, pool) it is grouped under, and its name. */
  readonly groupId: string | null;
  readonly group: string;
  readonly state: LaneState;
  /** The sentence the trees show, e.g. `waiting for Lock A (1.2 s, held by T2)`. */
  readonly label: string;
  /** When the current state began (ms since the epoch). */
  readonly since: number;
  /** Locks it holds now (drawn as a bar over its lane). */
  readonly holding: readonly string[];
  /** The lock (or other primitive) it waits on, for the wait-for graph and cross-links. */
  readonly waitingForId: string | null;
  /** Threads and processes: the connection it serves; connections: the thread or process serving it. */
  readonly linkId: string | null;
  /** The lane whose release, set or notify last woke this one, and when (the timeline draws an arrow). */
  readonly woken: { readonly by: string; readonly at: number } | null;
  readonly ended: boolean;
}

/** One synchronisation primitive, for the Locks table and the wait-for graph: its engine view's figures, owner named. */
export type LockRow = Pick<
  SyncView,
  'id' | 'name' | 'primitive' | 'holderId' | 'holderName' | 'depth' | 'value' | 'waiters' | 'acquisitions' | 'contended' | 'totalWaitMs' | 'maxWaitMs' | 'totalHoldMs' | 'maxHoldMs' | 'deadlocked'
> & { readonly group: string };

/** One server's counters at `now` (rates are computed by the webview between samples). */
export interface ServerSample {
  readonly id: string;
  readonly name: string;
  readonly connections: number;
  readonly messagesPerSecond: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Connections waiting for their turn or for a thread/child. */
  readonly queued: number;
  /** Threads or children busy serving (thread/process models). */
  readonly busy: number;
  /** Response-time percentiles over the server's last window (ms); null: no replies in it. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly ended: boolean;
}

export interface PoolSample {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly busy: number;
  readonly queued: number;
  readonly ended: boolean;
}

/** What changed since the previous frame. Rows are upserts; `gone` lists ids to forget. */
export interface Frame {
  readonly now: number;
  readonly lanes: readonly Lane[];
  readonly locks: readonly LockRow[];
  readonly servers: readonly ServerSample[];
  readonly pools: readonly PoolSample[];
  readonly gone: readonly string[];
}

/** One read or write on the followed connection; `b64` holds at most the first STREAM_RECORD_BYTES. */
export interface StreamEntry {
  readonly seq: number;
  readonly at: number;
  readonly dir: 'in' | 'out';
  readonly size: number;
  readonly b64: string;
}

/** How a direction reads wherever messages are listed (log, diagram, trace, text export). */
export const DIRECTION_LABELS: Readonly<Record<StreamEntry['dir'], string>> = { in: 'client → server', out: 'server → client' };

/** What the webview shows of a record's bytes (the engine keeps more, for exports). */
export const STREAM_RECORD_BYTES = 1024;

/** New records on the followed connection, in order. */
export interface StreamUpdate {
  readonly id: string;
  /** The first update after a follow: forget the previous connection's records. */
  readonly restart: boolean;
  readonly records: readonly StreamEntry[];
  /** Records not shown: fell off the capture's bound, or more arrived than one update carries. */
  readonly skipped: number;
  /** Why nothing can be captured (a child owns the socket), or why it ended. */
  readonly unavailable: string | null;
  readonly ended: string | null;
}

/** One connection's bytes as a recording kept them. */
export interface RecordedStream {
  readonly id: string;
  readonly name: string;
  readonly records: readonly StreamEntry[];
  /** Records the capture's bound let go. */
  readonly skipped: number;
  readonly unavailable: string | null;
  readonly ended: string | null;
}
