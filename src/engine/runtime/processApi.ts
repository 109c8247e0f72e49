import type { Replacement } from '../../protocol/said';

/** What a process body receives (it runs in a child process; shared objects go through the broker). */
export interface ProcessApi {
  readonly name: string;
  readonly pid: number;
  /** `time.sleep(seconds)`. */
  sleep(seconds: number): Promise<void>;
  print(...parts: unknown[]): void;
  /** A line in the display language (see ThreadApi.say). */
  say(message: string, ...args: Replacement[]): void;
  /** `sys.exit(code)`. */
  exit(code: number): never;
}

export type ProcessProgram = (p: ProcessApi, ...args: never[]) => unknown;

/** Proxies for broker objects, as Python's Manager proxies: every call is a round trip. */
export interface ValueProxy {
  readonly name: string;
  get(): Promise<number>;
  set(v: number): Promise<void>;
}
export interface ArrayProxy {
  readonly name: string;
  get(i: number): Promise<number>;
  set(i: number, v: number): Promise<void>;
  list(): Promise<number[]>;
}
export interface DictProxy {
  readonly name: string;
  get(key: string, fallback?: unknown): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  items(): Promise<[string, unknown][]>;
}
export interface LockProxy {
  readonly name: string;
  acquire(blocking?: boolean, timeout?: number): Promise<boolean>;
  release(): Promise<void>;
}
