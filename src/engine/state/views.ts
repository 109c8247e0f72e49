// The live state model's vocabulary: plain, serialisable views of what exists now.
// Language-neutral on purpose: a later external reporter (say a Python program) can speak it too.

export type EntityKind = 'server' | 'connection';

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

export type Transport = 'tcp';
export type ConcurrencyModel = 'event-loop';
export type ServerState = 'listening' | 'stopping' | 'stopped';

export interface ServerView extends EntityBase {
  readonly kind: 'server';
  readonly transport: Transport;
  readonly model: ConcurrencyModel;
  readonly handler: string;
  readonly host: string;
  readonly port: number;
  readonly state: ServerState;
  readonly liveConnections: number;
  readonly totalConnections: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly messagesIn: number;
  /** Messages received per second, over the last publisher interval. */
  readonly messagesInPerSecond: number;
  readonly handlerErrors: number;
}

export type ConnectionState = 'open' | 'half-closed' | 'closing' | 'closed';

export interface ErrorInfo {
  readonly type: string;
  readonly message: string;
  readonly stack?: string;
}

export interface ConnectionView extends EntityBase {
  readonly kind: 'connection';
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
  /** What serves it: `event loop` here; a thread id or pid in other models. */
  readonly servedBy: string;
  /** The last bytes received, escaped for display (never raw: they may be binary). */
  readonly lastReceived: string;
  readonly closeReason: string | null;
  readonly error: ErrorInfo | null;
}

export type EntityView = ServerView | ConnectionView;

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
