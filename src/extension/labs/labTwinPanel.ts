import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as vscode from 'vscode';
import type { LabDefinition } from '../../engine/labs/lab';
import type { LabRun } from '../../engine/labs/labRun';
import type { PythonTwin, TwinView } from '../../engine/labs/pythonTwin';
import { tr } from '../../protocol/l10n';
import type { LabView } from '../../protocol/views';

/** Lines of each run shown (the newest): enough to read a lab's whole story. */
const SHOWN_LINES = 60;
/** Output can come in bursts: the page is redrawn at most this often. */
const REDRAW_MS = 200;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A lab and its real Python program, side by side: the Node lab's outcome and lines on the
 * left, Python's output and `outcome:` line on the right, and the one line that says where the
 * Node lab imitates. A page without script: it is redrawn from here as the runs go on.
 */
export class LabTwinPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private node: LabRun | undefined;
  private python: PythonTwin | undefined;
  private pythonProblem: string | null = null;
  private disposed = false;
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;

  constructor(
    private readonly lab: LabDefinition,
    private readonly exampleFile: string,
  ) {
    this.panel = vscode.window.createWebviewPanel(
      'socketLab.labTwin',
      vscode.l10n.t('{0}: Node lab and Python', tr(lab.title)),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: false,
        localResourceRoots: [],
      },
    );
    this.panel.onDidDispose(() => this.dispose(), undefined, this.subscriptions);
    this.draw();
  }

  get visible(): boolean {
    return !this.disposed;
  }

  showNode(run: LabRun): void {
    this.node = run;
    this.subscriptions.push(run.onLine(() => this.redrawSoon()));
    void run.finished.then(() => this.redrawSoon());
    this.redrawSoon();
  }

  showPython(twin: PythonTwin): void {
    this.python = twin;
    this.subscriptions.push(twin.onDidChange(() => this.redrawSoon()));
    this.redrawSoon();
  }

  /** Python could not run at all (no interpreter): said in its column. */
  pythonFailed(problem: string): void {
    this.pythonProblem = problem;
    this.redrawSoon();
  }

  private redrawSoon(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, REDRAW_MS);
  }

  private draw(): void {
    if (this.disposed) return;
    this.panel.webview.html = this.html(this.node?.view(), this.python?.view());
  }

  private html(node: LabView | undefined, py: TwinView | undefined): string {
    const nonce = randomBytes(16).toString('base64');
    const note = this.lab.imitation ? vscode.l10n.t('Where the Node lab imitates: {0}', tr(this.lab.imitation)) : vscode.l10n.t('The Node lab reproduces what this Python program shows.');
    const state = (s: string) => (s === 'running' ? vscode.l10n.t('running') : s === 'done' ? vscode.l10n.t('done') : s === 'failed' ? vscode.l10n.t('failed') : vscode.l10n.t('stopped'));
    const nodeOutcome = node?.summary ?? node?.error?.message ?? null;
    const nodeLines = node ? node.output.slice(-SHOWN_LINES) : [];
    const pyLines = py ? py.lines.slice(-SHOWN_LINES) : [];
    const column = (id: string, heading: string, status: string, outcome: string | null, lines: readonly string[], problem: string | null) => `
<section id="${id}">
  <h2>${escape(heading)}</h2>
  <p class="status" data-state="${escape(status)}">${escape(status)}</p>
  ${outcome ? `<p class="outcome"><strong>${escape(vscode.l10n.t('Outcome'))}:</strong> ${escape(outcome)}</p>` : ''}
  ${problem ? `<p class="problem">${escape(problem)}</p>` : ''}
  <pre>${escape(lines.join('\n'))}</pre>
</section>`;
    const pyStatus = this.pythonProblem
      ? vscode.l10n.t('failed')
      : !py
        ? vscode.l10n.t('waiting for the Node lab to end (the two do not share the CPU)')
        : `${state(py.state)} · ${(py.elapsedMs / 1000).toFixed(2)} s${py.exitCode !== null ? ` · exit code ${py.exitCode}` : ''}`;
    const nodeStatus = node ? `${state(node.state)}${node.endedAt !== null ? ` · ${((node.endedAt - node.createdAt) / 1000).toFixed(2)} s` : ''}` : vscode.l10n.t('starting');
    return `<!DOCTYPE html>
<html lang="${escape(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'">
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 12px; }
  .note { padding: 6px 10px; border-left: 3px solid var(--vscode-textLink-foreground); background: var(--vscode-textBlockQuote-background); }
  .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  section { min-width: 0; }
  pre { white-space: pre-wrap; word-break: break-word; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); background: var(--vscode-textCodeBlock-background); padding: 8px; max-height: 60vh; overflow: auto; }
  .outcome { font-size: 1.05em; }
  .problem { color: var(--vscode-errorForeground); }
  .status { color: var(--vscode-descriptionForeground); }
</style>
<title>${escape(tr(this.lab.title))}</title>
</head>
<body>
<h1>${escape(tr(this.lab.title))} <small>(${escape(this.lab.name)} · ${escape(path.basename(this.exampleFile))})</small></h1>
<p class="note" id="note">${escape(note)}</p>
<div class="columns">
${column('node', vscode.l10n.t('Node lab (Socket Lab runtime)'), nodeStatus, nodeOutcome, nodeLines, null)}
${column('python', vscode.l10n.t('Python: {0}', path.basename(this.exampleFile)), pyStatus, py?.outcome ?? null, pyLines, this.pythonProblem ?? py?.problem ?? null)}
</div>
</body>
</html>`;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    this.subscriptions.forEach((s) => s.dispose());
    void this.python?.dispose();
    this.panel.dispose();
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
  }
}
