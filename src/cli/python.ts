import { spawn } from 'node:child_process';
import * as l10n from '@vscode/l10n';
import net from 'node:net';
import { constants } from 'node:os';
import path from 'node:path';
import { Engine } from '../engine/engine';
import type { StateMessage } from '../protocol/views';
import { holdThenExit, inExtensionTerminal } from './terminal';
import { UsageError } from './usage';

/** Set by the extension on the terminal it runs a program in: report to its channel (see PythonRun). */
export const LAUNCH_ENV = 'SOCKET_LAB_PYTHON_LAUNCH';

interface PythonArgs {
  readonly interpreter: string;
  readonly json: boolean;
  readonly file: string;
  readonly args: string[];
}

function parse(argv: readonly string[]): PythonArgs {
  let interpreter = process.env.SOCKET_LAB_PYTHON || 'python3';
  let json = false;
  let i = 0;
  // Options come before FILE; everything after FILE is the program's.
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json') json = true;
    else if (a === '--python') {
      const v = argv[++i];
      if (!v) throw new UsageError(l10n.t('python: --python needs the path of an interpreter.'));
      interpreter = v;
    } else if (a === '--') {
      i++;
      break;
    } else if (a.startsWith('--')) throw new UsageError(l10n.t('python: unknown option "{0}" (options go before FILE).', a));
    else break;
  }
  const file = argv[i];
  if (!file) throw new UsageError(l10n.t('python: which file? socket-lab python FILE [ARGS…]'));
  return { interpreter, json, file, args: argv.slice(i + 1) };
}

/** `socket-lab python [--python PATH] [--json] FILE [ARGS…]`: a Python program, traced. */
export async function python(argv: string[]): Promise<number> {
  const a = parse(argv);
  if (process.env[LAUNCH_ENV] === '1' && process.env.SOCKET_LAB_CHANNEL) return launch(a);
  return standalone(a);
}

function noInterpreter(interpreter: string, err: Error): string {
  return `${l10n.t('socket-lab python: could not start {0} ({1}). Install Python 3.8 or later, or name one with --python PATH (in VS Code: the setting socketLab.python.interpreter).', interpreter, err.message)}\n`;
}

/**
 * In a terminal the extension opened: the extension holds the channel and shows the program; we
 * start the interpreter on this terminal (its keyboard, its screen, its Ctrl+C) and tell the
 * extension which process it is and how it ended.
 */
async function launch(a: PythonArgs): Promise<number> {
  const child = spawn(a.interpreter, ['-m', 'socketlab_trace', a.file, ...a.args], { stdio: 'inherit' });
  // Ctrl+C and Stop reach the whole group; the program decides, and we stay to tell its end.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  const spawned = new Promise<Error | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', resolve);
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  const report = await reporter();
  const started = await spawned;
  if (started) {
    process.stderr.write(noInterpreter(a.interpreter, started));
    report({ type: 'hello', role: 'launcher', token: process.env.SOCKET_LAB_TOKEN, pid: process.pid, pgid: process.pid });
    report({ type: 'error', message: noInterpreter(a.interpreter, started).trim() });
    report({ type: 'exit', code: 127 });
    return holdThenExit(127);
  }
  report({ type: 'hello', role: 'launcher', token: process.env.SOCKET_LAB_TOKEN, pid: child.pid, pgid: process.pid });
  const [code, signal] = await exited;
  const exitCode = code ?? (signal ? 128 + (osSignal(signal) ?? 0) : 1);
  report({ type: 'exit', code: code ?? (signal ? -(osSignal(signal) ?? 0) : null), signal });
  process.off('SIGINT', ignore);
  process.off('SIGTERM', ignore);
  // Written before we exit: process.exit drops what a pipe has not taken yet.
  await new Promise<void>((resolve) =>
    process.stdout.write(
      `\n\x1b[2m${signal ? l10n.t('[Socket Lab] {0} was ended by {1}', path.basename(a.file), signal) : l10n.t('[Socket Lab] {0} exited with code {1}', path.basename(a.file), String(code))}\x1b[0m\n`,
      () => resolve(),
    ),
  );
  return inExtensionTerminal() ? holdThenExit(exitCode) : exitCode;
}

function osSignal(s: NodeJS.Signals): number | undefined {
  return constants.signals[s];
}

/** A line writer to the extension's channel; writes nothing when there is none to reach. */
async function reporter(): Promise<(m: object) => void> {
  const where = process.env.SOCKET_LAB_CHANNEL!;
  const socket = net.connect(where);
  const ok = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  });
  if (!ok) return () => undefined;
  socket.on('error', () => undefined);
  socket.unref();
  return (m) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(m)}\n`);
  };
}

/** In a shell: run it here, the program on this terminal, what it did after (or as JSON lines). */
async function standalone(a: PythonArgs): Promise<number> {
  const engine = new Engine({ log: { info() {}, warn() {}, error: (m) => process.stderr.write(`${m}\n`) }, tickMs: 100 });
  const run = await engine.runPython({
    file: a.file,
    args: a.args,
    // Same process group as us: the shell's Ctrl+C reaches the program, as with python3 itself.
    launch: { kind: 'spawn', interpreter: a.interpreter, stdio: ['inherit', a.json ? 2 : 'inherit', 'inherit'], detached: false },
  });
  let spawnError: Error | null = null;
  run.process?.once('error', (err) => (spawnError = err));
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  const stopOnTerm = () => void run.stop();
  process.once('SIGTERM', stopOnTerm);
  const subscription = a.json ? engine.publisher.subscribe((m) => printChanges(m, run.id)) : undefined;
  const end = await run.finished;
  engine.publisher.tick();
  subscription?.dispose();
  const summary = run.summary();
  await engine.dispose();
  process.off('SIGINT', ignore);
  process.off('SIGTERM', stopOnTerm);
  if (spawnError) {
    process.stderr.write(noInterpreter(a.interpreter, spawnError));
    return 127;
  }
  if (a.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const threads = summary.threads.length;
    const primitives = summary.locks.length;
    const sockets = summary.sockets.length;
    const processes = summary.processes.length;
    const line = l10n.t(
      '[Socket Lab] {0}: exit code {1} · {2} · {3} · {4} · {5}',
      path.basename(a.file),
      end.exitCode ?? '?',
      threads === 1 ? l10n.t('1 thread') : l10n.t('{0} threads', threads),
      primitives === 1 ? l10n.t('1 primitive') : l10n.t('{0} primitives', primitives),
      sockets === 1 ? l10n.t('1 socket') : l10n.t('{0} sockets', sockets),
      processes === 1 ? l10n.t('1 process') : l10n.t('{0} processes', processes),
    );
    process.stderr.write(`\n${line}\n`);
  }
  return end.exitCode === null ? 1 : end.exitCode < 0 ? 128 - end.exitCode : end.exitCode;
}

/** One JSON line per entity of the program that appeared or changed. */
function printChanges(m: StateMessage, programId: string): void {
  const views = m.type === 'snapshot' ? m.entities : [...m.added, ...m.changed];
  for (const v of views) {
    if (v.id !== programId && v.parentId !== programId && !v.id.startsWith(`${programId}:`)) continue;
    process.stdout.write(`${JSON.stringify({ at: m.now, entity: v })}\n`);
  }
}
