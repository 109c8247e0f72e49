import type { Said } from './threadMessages';
import type { ErrorInfo } from '../../protocol/views';

/** A shared object served by the parent's broker (Python's Manager), named in a process's args. */
export interface BrokerHandle {
  readonly $broker: string;
  readonly type: BrokerType;
  readonly name: string;
}

export type BrokerType = 'Value' | 'Array' | 'dict' | 'Lock' | 'RLock';

export function isBrokerHandle(value: unknown): value is BrokerHandle {
  return typeof value === 'object' && value !== null && typeof (value as BrokerHandle).$broker === 'string';
}

/** Parent → child. */
export type ParentMessage =
  | { readonly type: 'start'; readonly name: string; readonly target: string; readonly args: readonly unknown[] }
  | { readonly type: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: ErrorInfo };

/** What a child asks of the broker. */
export interface BrokerCall {
  readonly type: 'call';
  readonly id: number;
  readonly target: string;
  readonly op: string;
  readonly args: readonly unknown[];
}

/** Child → parent. */
export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'print'; readonly text: string; readonly said?: Said }
  | { readonly type: 'state'; readonly state: number }
  | { readonly type: 'result'; readonly value: unknown }
  | { readonly type: 'error'; readonly error: ErrorInfo }
  | BrokerCall;
