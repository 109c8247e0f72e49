// The body of every runtime thread: runs one program, blocking-style. The bundle's entry (which
// programs it knows by name) is the labs' workers/threadMain.ts: the runtime knows no lab.
import { formatMessage } from '../../protocol/said';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { formatWithOptions } from 'node:util';
import { toErrorInfo } from '../errors';
import { Arena } from './arena';
import { setCurrentSlot } from './current';
import { rehydrateArgs } from './rehydrate';
import { blockingSleep, type ThreadApi, type ThreadProgram } from './threadApi';
import type { ThreadMessage, ThreadStart, WarmStart } from './threadMessages';
import { ThreadState } from './threadState';

function post(message: ThreadMessage): void {
  parentPort!.postMessage(message);
}

function resolveTarget(programs: Readonly<Record<string, ThreadProgram>>, target: string): ThreadProgram {
  const builtin = programs[target];
  if (builtin) return builtin;
  const hash = target.lastIndexOf('#');
  if (hash > 0) {
    // The user's own module: `path/to/file.js#exportName`.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(target.slice(0, hash)) as Record<string, unknown>;
    const fn = mod[target.slice(hash + 1)];
    if (typeof fn === 'function') return fn as ThreadProgram;
  }
  throw new Error(`no thread program named "${target}"`);
}

function run(programs: Readonly<Record<string, ThreadProgram>>, start: ThreadStart): void {
  const arena = new Arena(start.buffer);
  setCurrentSlot(start.slot);
  arena.setState(start.slot, ThreadState.Running);
  const api: ThreadApi = {
    name: start.name,
    ident: threadId,
    sleep: (s) => blockingSleep(arena, start.slot, s),
    print: (...parts) => post({ type: 'print', text: formatWithOptions({ colors: false }, ...parts) }),
    say: (message, ...args) => post({ type: 'print', text: formatMessage(message, args), said: { message, args } }),
  };
  try {
    const program = resolveTarget(programs, start.target);
    const value = program(api, ...(rehydrateArgs(arena, start.args) as never[]));
    post({ type: 'result', value: value === undefined ? null : value });
    arena.setState(start.slot, ThreadState.Done);
  } catch (err) {
    post({ type: 'error', error: toErrorInfo(err) });
    arena.setState(start.slot, ThreadState.Failed);
  }
}

/**
 * Runs the thread this worker was started for, or — started warm, ahead of its thread — the one
 * whose ThreadStart comes first as a message; `programs`: the targets known by name.
 */
export function serveThread(programs: Readonly<Record<string, ThreadProgram>>): void {
  const data = workerData as ThreadStart | WarmStart;
  if ('warm' in data) {
    // Once the body returns no listener is left, and the worker ends with its thread.
    parentPort!.once('message', (start: ThreadStart) => run(programs, start));
    post({ type: 'warm' });
  } else run(programs, data);
}
