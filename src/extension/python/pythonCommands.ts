import path from 'node:path';
import * as vscode from 'vscode';
import { LAUNCH_ENV } from '../../cli/python';
import type { PythonRun } from '../../engine/python/pythonRun';
import type { CommandContext, CommandHandler } from '../commands/context';
import { entityId } from '../commands/pickTarget';
import { usableInterpreter } from './interpreter';

/** The .py file a command was given (Explorer, editor title or context menu), else the active editor's. */
function pythonFile(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const doc = vscode.window.activeTextEditor?.document;
  return doc && (doc.languageId === 'python' || doc.uri.fsPath.endsWith('.py')) ? doc.uri : undefined;
}

/** Splits what the user typed as a shell would for plain words and quotes (no expansion). */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!));
  return out;
}

async function run(c: CommandContext, arg: unknown, args: string[]): Promise<PythonRun | undefined> {
  const uri = pythonFile(arg);
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showErrorMessage(vscode.l10n.t('Socket Lab: open or select a Python file (.py) saved on disk to run it.'));
    return undefined;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (doc?.isDirty) await doc.save();
  const interpreter = await usableInterpreter(uri);
  if (!interpreter) return undefined;
  const engine = c.engine();
  const file = uri.fsPath;
  const pyRun = await engine.runPython({ file, args, cwd: path.dirname(file), launch: { kind: 'external' } });
  const terminal = await c.terminals.open({
    name: `Python ${path.basename(file)}`,
    icon: 'run',
    args: ['python', '--python', interpreter.path, '--', file, ...args],
    cwd: path.dirname(file),
    env: { ...pyRun.env(), [LAUNCH_ENV]: '1' },
  });
  c.log.info(`Running ${file}${args.length ? ` ${args.join(' ')}` : ''} with ${interpreter.path} (from the ${interpreter.source}), traced.`);
  // A terminal closed before its launcher reported leaves a run that would wait forever.
  const closed = vscode.window.onDidCloseTerminal((t) => {
    if (t !== terminal) return;
    closed.dispose();
    if (pyRun.isRunning && pyRun.program.state === 'starting') void pyRun.stop();
  });
  void pyRun.finished.then(() => closed.dispose());
  void vscode.commands.executeCommand('socketLab.threads.focus');
  return pyRun;
}

async function pickProgram(c: CommandContext, arg: unknown): Promise<PythonRun | undefined> {
  const engine = c.engineIfStarted;
  const running = engine?.listPrograms().filter((r) => r.isRunning) ?? [];
  const id = entityId(arg);
  if (id) return engine?.program(id.split(':')[0]!);
  if (running.length <= 1) return running[0];
  const pick = await vscode.window.showQuickPick(
    running.map((r) => ({ label: path.basename(r.program.file), description: `pid ${r.program.pid ?? '?'}`, run: r })),
    { placeHolder: vscode.l10n.t('Program to stop') },
  );
  return pick?.run;
}

export const pythonCommands: Record<string, CommandHandler> = {
  'socketLab.runPythonFile': (c, arg) => run(c, arg, []),

  'socketLab.runPythonFileWithArgs': async (c, arg) => {
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Run Python File with Arguments'),
      prompt: vscode.l10n.t('Arguments, as on a command line (quotes group words)'),
      ignoreFocusOut: true,
    });
    if (text === undefined) return undefined;
    return run(c, arg, splitArgs(text));
  },

  /** Ends the program and every process it started. */
  'socketLab.stopProgram': async (c, arg) => {
    const r = await pickProgram(c, arg);
    if (!r) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No Python program is running under Socket Lab.'));
      return;
    }
    const end = await r.stop();
    c.log.info(`Stopped ${r.program.file} (exit code ${end.exitCode ?? 'unknown'}).`);
  },
};
