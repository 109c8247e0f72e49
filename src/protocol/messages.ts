// The only messages that cross between the extension host and the dashboard webview.
// Everything arriving from a webview is untrusted: `parseWebviewMessage` is the single gate.
// The host does not forward engine views as they are: it sends the dashboard's own compact rows
// (a lane per thread/process/connection, a row per lock, one sample per server and pool), only
// when they change, so a message stays small however many connections exist.
import type { SyncView } from '../engine/state/views';

/** What a lane is doing, coarsely: one colour each in the timeline. */
export const LANE_STATES = ['new', 'running', 'recv', 'send', 'lock', 'wait', 'sleep', 'idle', 'open', 'done', 'failed'] as const;
export type LaneState = (typeof LANE_STATES)[number];

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

/**
 * A recorded session: the frames the dashboard would have been sent (from a full picture on),
 * and the connections' bytes. Replaying the frames up to a time rebuilds the picture at that time.
 */
export interface Recording {
  readonly format: 'socket-lab-recording';
  readonly version: 1;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly frames: readonly Frame[];
  readonly streams: readonly RecordedStream[];
  /** What the recording left out (limits reached), in plain words. */
  readonly notes: readonly string[];
}

/**
 * A recording on its way to a replay panel, in parts under the message limit. The first part
 * carries the header; a stream's records may span parts (append them by id).
 */
export interface ReplayPart {
  readonly index: number;
  readonly last: boolean;
  readonly header: { readonly name: string; readonly startedAt: number; readonly endedAt: number; readonly notes: readonly string[] } | null;
  readonly frames: readonly Frame[];
  readonly streams: readonly RecordedStream[];
}

/** Extension → webview. */
export type HostMessage =
  /** The host (re)started listening: answer with `ready`. */
  | { readonly type: 'hello' }
  /** Forget everything: a full picture follows in one or more frames. */
  | { readonly type: 'reset'; readonly now: number }
  | { readonly type: 'frame'; readonly frame: Frame }
  /** Select and show an entity (a tree's "Reveal in Dashboard"); `follow`: in the Follow stream tab. */
  | { readonly type: 'reveal'; readonly id: string; readonly follow: boolean }
  | { readonly type: 'stream'; readonly update: StreamUpdate }
  /** This panel replays a recording instead of showing the live state. */
  | { readonly type: 'replay'; readonly part: ReplayPart };

/** What the webview may ask the host to do to an entity. */
export const ACTIONS = ['closeConnection', 'killThread', 'stopServer'] as const;
export type DashboardAction = (typeof ACTIONS)[number];

/** Webview → extension. */
export type WebviewMessage =
  | { readonly type: 'ready' }
  /** The user selected an entity: reveal it in its tree. */
  | { readonly type: 'select'; readonly id: string }
  | { readonly type: 'action'; readonly action: DashboardAction; readonly id: string }
  /** Follow this connection's stream (null: stop following). */
  | { readonly type: 'follow'; readonly id: string | null };

/** Entity ids as the engine makes them: `conn-12`, `thread-3`, `server-1`. */
const ID = /^[a-z]+-\d{1,12}$/;

function isId(v: unknown): v is string {
  return typeof v === 'string' && ID.test(v);
}

function hasKeys(m: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(m);
  return own.length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(m, k));
}

/** Returns the message when it is well-formed, else undefined (callers log and drop it). */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return hasKeys(m, ['type']) ? { type: 'ready' } : undefined;
    case 'select':
      return hasKeys(m, ['type', 'id']) && isId(m.id) ? { type: 'select', id: m.id } : undefined;
    case 'action': {
      if (!hasKeys(m, ['type', 'action', 'id']) || !isId(m.id)) return undefined;
      const action = ACTIONS.find((a) => a === m.action);
      return action ? { type: 'action', action, id: m.id } : undefined;
    }
    case 'follow':
      return hasKeys(m, ['type', 'id']) && (m.id === null || isId(m.id)) ? { type: 'follow', id: m.id } : undefined;
    default:
      return undefined;
  }
}

/** Messages to the webview stay under this size; a bigger frame is sent in parts. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
