// Every worker thread and child process the engine starts goes through here: which bundle it
// runs (entries.json, which esbuild.js builds one bundle per entry from), how it is started, and
// how its end is told — including a fork that failed before it had a pid.
import { fork, type ChildProcess, type IOType } from 'node:child_process';
import { constants } from 'node:os';
import path from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import entries from './entries.json';

/** A bundle that runs in a worker thread or child process: `dist/<entry>.js`. */
export type WorkerEntry = keyof typeof entries;

/** Where a bundle is when it is not beside the running one in dist/ (tests, benchmarks). */
export type WorkerScripts = Partial<Readonly<Record<WorkerEntry, string>>>;

export const WORKER_ENTRIES = Object.keys(entries) as readonly WorkerEntry[];

export function workerScript(entry: WorkerEntry, scripts?: WorkerScripts): string {
  return scripts?.[entry] ?? path.join(__dirname, `${entry}.js`);
}

/**
 * A worker thread running a bundle. execArgv: [] — the thread runs our bundle; the host's loader
 * or inspector flags are not its own.
 */
export function startThread(script: string, options: Omit<WorkerOptions, 'execArgv'>): Worker {
  return new Worker(script, { ...options, execArgv: [] });
}

/** What a child's stdout and stderr do: piped to the parent, inherited, or dropped. */
export type ChildOutput = readonly [stdout: IOType, stderr: IOType];

/**
 * A child Node process running a bundle, with an IPC channel that carries structured clones.
 * ELECTRON_RUN_AS_NODE: in desktop VS Code, execPath is Electron; this makes it plain Node.
 */
export function forkChild(script: string, output: ChildOutput): ChildProcess {
  return fork(script, [], {
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', output[0], output[1], 'ipc'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
}

/** How a child ended: Python's exitcode (negative signal number) and, for a fork that failed, why. */
export interface ChildEnd {
  readonly exitCode: number;
  readonly signal: NodeJS.Signals | null;
  readonly spawnError: Error | null;
}

/**
 * Resolves once, when the child has ended. A fork that failed (EMFILE, EAGAIN, ENOMEM) has no pid
 * and never emits 'exit': it ends here too, with exit code 1 and the error. Errors of a running
 * child (a send to one that went) go to `onError`.
 */
export function whenChildEnds(child: ChildProcess, onError: (err: Error) => void): Promise<ChildEnd> {
  return new Promise((resolve) => {
    let ended = false;
    const end = (e: ChildEnd) => {
      if (ended) return;
      ended = true;
      resolve(e);
    };
    child.once('exit', (code, signal) => end({ exitCode: code ?? -(signal ? constants.signals[signal] : 0), signal, spawnError: null }));
    child.on('error', (err) => {
      if (child.pid === undefined) end({ exitCode: 1, signal: null, spawnError: err });
      else onError(err);
    });
  });
}
