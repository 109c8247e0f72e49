// The only messages that cross between the extension host and the dashboard webview.
// Everything arriving from a webview is untrusted: `parseWebviewMessage` is the single gate.
import type { StateMessage } from '../engine/state/views';

/** Webview → extension. */
export type WebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'select'; readonly id: string }
  | { readonly type: 'closeConnection'; readonly id: string };

/** Extension → webview: state exactly as the engine's publisher emits it. */
export type HostMessage = { readonly type: 'state'; readonly state: StateMessage };

const ID = /^[a-z]+-\d{1,12}$/;

/** Returns the message when it is well-formed, else undefined (callers log and drop it). */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return Object.keys(m).length === 1 ? { type: 'ready' } : undefined;
    case 'select':
    case 'closeConnection':
      return typeof m.id === 'string' && ID.test(m.id) && Object.keys(m).length === 2 ? { type: m.type, id: m.id } : undefined;
    default:
      return undefined;
  }
}
