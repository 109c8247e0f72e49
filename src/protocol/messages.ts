// The only messages that cross between the extension host and the dashboard webview.
// Everything arriving from a webview is untrusted: `parseWebviewMessage` is the single gate.
// The host does not forward engine views as they are: it sends the dashboard's own compact rows
// (frames.ts), only when they change, so a message stays small however many connections exist.
import type { Frame, RecordedStream, StreamUpdate } from './frames';

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
