import path from 'node:path';
import * as vscode from 'vscode';
import type { Engine } from '../../engine/engine';
import { paceParams, type LabDefinition } from '../../engine/labs/lab';
import type { LabRun } from '../../engine/labs/labRun';
import { exampleFile, PythonTwin } from '../../engine/labs/pythonTwin';
import { usableInterpreter } from '../python/interpreter';
import { LabTwinPanel } from './labTwinPanel';

export interface LabTwinHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  engine(): Engine;
  runLab(name: string, params: Readonly<Record<string, number>>): LabRun;
}

/**
 * "Run in Python": a lab's Node run and its real Python program (examples/), one after the
 * other so they do not share the CPU, shown side by side with the program beside them. One
 * panel per lab; running again replaces it.
 */
export class LabTwins implements vscode.Disposable {
  private readonly panels = new Map<string, LabTwinPanel>();

  constructor(private readonly host: LabTwinHost) {}

  get examplesDir(): string {
    return vscode.Uri.joinPath(this.host.extensionUri, 'examples').fsPath;
  }

  async run(lab: LabDefinition): Promise<void> {
    const file = exampleFile(lab.name, this.examplesDir);
    const uri = vscode.Uri.file(file);
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      void vscode.window.showErrorMessage(vscode.l10n.t('Socket Lab: the lab {0} has no Python program ({1} is missing).', lab.name, path.basename(file)));
      return;
    }
    // Checked first: a missing Python is said before anything starts, and nothing is left running.
    const interpreter = await usableInterpreter(uri);
    if (!interpreter) return;
    this.panels.get(lab.name)?.dispose();
    // The program the lab stands for, in the editor; the two runs beside it.
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: true, preserveFocus: true });
    const panel = new LabTwinPanel(lab, file);
    this.panels.set(lab.name, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(lab.name) === panel) this.panels.delete(lab.name);
    });
    const node = this.host.runLab(lab.name, paceParams(lab, 'fast'));
    panel.showNode(node);
    await node.finished;
    if (!panel.visible) return;
    try {
      const twin = await PythonTwin.start(
        (o) => this.host.engine().runPython(o),
        file,
        interpreter.path,
        (f) =>
          f.kind === 'not started'
            ? vscode.l10n.t('{0} did not start.', interpreter.path)
            : f.kind === 'no outcome'
              ? vscode.l10n.t('The program printed no outcome line.')
              : vscode.l10n.t('The program ended with exit code {0}; its error output (lines marked !) is above.', f.code),
      );
      if (!panel.visible) return void twin.dispose();
      panel.showPython(twin);
      this.host.log.info(`Run in Python: ${lab.name} beside ${file} (${interpreter.path}).`);
      const end = await twin.finished;
      if (end.state === 'failed') void vscode.window.showWarningMessage(vscode.l10n.t('Socket Lab: {0} did not finish as expected: {1}', path.basename(file), end.problem ?? ''));
    } catch (err) {
      panel.pythonFailed(err instanceof Error ? err.message : String(err));
    }
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }
}
