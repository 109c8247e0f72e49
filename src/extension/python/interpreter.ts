// Which Python runs the user's file: the one the Python extension selected (its public API), else
// the setting socketLab.python.interpreter, else python3 on PATH.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';

export interface Interpreter {
  readonly path: string;
  /** Where the choice came from, for the message when it does not work. */
  readonly source: 'python extension' | 'setting' | 'PATH';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** The Python extension's selected interpreter for this file, if it is installed and says. */
async function fromPythonExtension(resource: vscode.Uri): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) return undefined;
  try {
    const api: unknown = ext.isActive ? ext.exports : await ext.activate();
    const environments = isObject(api) ? api.environments : undefined;
    if (!isObject(environments) || typeof environments.getActiveEnvironmentPath !== 'function' || typeof environments.resolveEnvironment !== 'function') return undefined;
    const active: unknown = environments.getActiveEnvironmentPath(resource);
    const resolved: unknown = await environments.resolveEnvironment(active);
    const executable = isObject(resolved) && isObject(resolved.executable) ? resolved.executable : undefined;
    const uri = executable?.uri;
    if (uri instanceof vscode.Uri) return uri.fsPath;
    return isObject(active) && typeof active.path === 'string' ? active.path : undefined;
  } catch {
    return undefined;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function findInterpreter(resource: vscode.Uri): Promise<Interpreter | undefined> {
  const selected = await fromPythonExtension(resource);
  if (selected) return { path: selected, source: 'python extension' };
  const setting = vscode.workspace.getConfiguration('socketLab', resource).get<string>('python.interpreter', '').trim();
  if (setting) return { path: setting, source: 'setting' };
  const found = onPath('python3');
  return found ? { path: found, source: 'PATH' } : undefined;
}

/** `undefined` when it runs and is 3.8 or later; else what is wrong, in words. */
export function checkInterpreter(interpreter: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(interpreter, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { timeout: 10_000 }, (err, stdout) => {
      if (err) return resolve(vscode.l10n.t('{0} does not run ({1})', interpreter, err.message.split('\n')[0] ?? ''));
      const [major, minor] = stdout.trim().split('.').map(Number);
      if (major !== 3 || (minor ?? 0) < 8) return resolve(vscode.l10n.t('{0} is Python {1}; Socket Lab needs Python 3.8 or later', interpreter, stdout.trim()));
      resolve(undefined);
    });
  });
}

/**
 * The interpreter that runs `uri`, checked; undefined once the user was told why none works
 * (what to set, with a button to the setting). Nothing has started by then.
 */
export async function usableInterpreter(uri: vscode.Uri): Promise<Interpreter | undefined> {
  const interpreter = await findInterpreter(uri);
  const problem = interpreter ? await checkInterpreter(interpreter.path) : vscode.l10n.t('no python3 was found on PATH');
  if (interpreter && !problem) return interpreter;
  const open = vscode.l10n.t('Open Setting');
  const choice = await vscode.window.showErrorMessage(
    vscode.l10n.t(
      'Socket Lab cannot run {0}: {1}. Set the interpreter in the setting socketLab.python.interpreter (or select one with the Python extension).',
      path.basename(uri.fsPath),
      problem ?? '',
    ),
    open,
  );
  if (choice === open) void vscode.commands.executeCommand('workbench.action.openSettings', 'socketLab.python.interpreter');
  return undefined;
}
