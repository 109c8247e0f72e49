// The body of every runtime process: runs one program, then exits with Python's exit codes (0
// done, 1 uncaught exception, n for sys.exit(n)). The bundle's entry (which programs it knows by
// name) is the labs' workers/processMain.ts: the runtime knows no lab.
import { formatMessage } from '../../protocol/said';
import { formatWithOptions } from 'node:util';
import { toErrorInfo } from '../errors';
import type { ArrayProxy, DictProxy, LockProxy, ProcessApi, ProcessProgram, ValueProxy } from './processApi';
import { type BrokerHandle, type ChildMessage, isBrokerHandle, type ParentMessage } from './processMessages';
import { ThreadState } from './threadState';

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 1;

function post(m: ChildMessage): void {
  process.send?.(m);
}

/** Resolves once the message has been handed to the channel (so exiting after it loses nothing). */
function postLast(m: ChildMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));
}

function call(handle: BrokerHandle, op: string, ...args: unknown[]): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    post({ type: 'call', id, target: handle.$broker, op, args });
  });
}

function proxy(h: BrokerHandle): ValueProxy | ArrayProxy | DictProxy | LockProxy {
  switch (h.type) {
    case 'Value': {
      const v: ValueProxy = { name: h.name, get: () => call(h, 'get') as Promise<number>, set: async (x) => void (await call(h, 'set', x)) };
      return v;
    }
    case 'Array': {
      const a: ArrayProxy = {
        name: h.name,
        get: (i) => call(h, 'get', i) as Promise<number>,
        set: async (i, x) => void (await call(h, 'set', i, x)),
        list: () => call(h, 'list') as Promise<number[]>,
      };
      return a;
    }
    case 'dict': {
      const d: DictProxy = {
        name: h.name,
        get: (k, fallback) => call(h, 'get', k, fallback),
        set: async (k, x) => void (await call(h, 'set', k, x)),
        items: () => call(h, 'items') as Promise<[string, unknown][]>,
      };
      return d;
    }
    case 'Lock':
    case 'RLock': {
      const l: LockProxy = {
        name: h.name,
        acquire: (blocking = true, timeout = -1) => call(h, 'acquire', blocking, timeout) as Promise<boolean>,
        release: async () => void (await call(h, 'release')),
      };
      return l;
    }
  }
}

function resolveTarget(programs: Readonly<Record<string, ProcessProgram>>, target: string): ProcessProgram {
  const builtin = programs[target];
  if (builtin) return builtin;
  const hash = target.lastIndexOf('#');
  if (hash > 0) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fn = (require(target.slice(0, hash)) as Record<string, unknown>)[target.slice(hash + 1)];
    if (typeof fn === 'function') return fn as ProcessProgram;
  }
  throw new Error(`no process program named "${target}"`);
}

async function run(programs: Readonly<Record<string, ProcessProgram>>, name: string, target: string, args: readonly unknown[]): Promise<void> {
  const api: ProcessApi = {
    name,
    pid: process.pid,
    sleep: async (s) => {
      post({ type: 'state', state: ThreadState.Sleeping });
      await new Promise((r) => setTimeout(r, s * 1000));
      post({ type: 'state', state: ThreadState.Running });
    },
    print: (...parts) => post({ type: 'print', text: formatWithOptions({ colors: false }, ...parts) }),
    say: (message, ...args) => post({ type: 'print', text: formatMessage(message, args), said: { message, args } }),
    exit: (code) => process.exit(code),
  };
  try {
    const value = await resolveTarget(programs, target)(api, ...(args.map((a) => (isBrokerHandle(a) ? proxy(a) : a)) as never[]));
    await postLast({ type: 'result', value: value ?? null });
    process.exit(0);
  } catch (err) {
    await postLast({ type: 'error', error: toErrorInfo(err) });
    process.exit(1);
  }
}

/** Serves the parent: runs the program it names; `programs`: the targets known by name. */
export function serveProcess(programs: Readonly<Record<string, ProcessProgram>>): void {
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'start') void run(programs, m.name, m.target, m.args);
    else if (m.type === 'reply') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(Object.assign(new Error(m.error.message), { name: m.error.type }));
    }
  });
  // The parent went away (lab stopped, extension host gone): nothing is left running.
  process.on('disconnect', () => process.exit(0));
  post({ type: 'ready' });
}
