import * as vscode from 'vscode';
import { parseWebviewMessage, type HostMessage, type ReplayPart } from '../../protocol/messages';
import { type Recording } from '../../feeds/recording/format';
import { dashboardHtml, dashboardRoots, safePreview } from '../dashboard/webviewHtml';
import { replayParts } from '../../feeds/recording/replayParts';

export const REPLAY_VIEW_TYPE = 'socketLab.replay';

/** Loading is a one-off burst, not live traffic: a few parts per tick. */
const TICK_MS = 100;
const PARTS_PER_TICK = 3;

/**
 * A recording in the dashboard's webview, in replay mode: the same timeline, charts, locks and
 * streams, scrubbed through time instead of following the engine. Nothing here acts on the
 * engine: what a recording shows may no longer exist.
 */
export class ReplayPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly parts: ReplayPart[];
  private outbox: ReplayPart[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    recording: Recording,
    name: string,
    private readonly onDispose: () => void,
  ) {
    this.parts = replayParts(recording, name);
    this.panel = vscode.window.createWebviewPanel(REPLAY_VIEW_TYPE, `Recording: ${name}`, vscode.ViewColumn.Active, { enableScripts: true, localResourceRoots: dashboardRoots(extensionUri) });
    this.panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'socket-lab.svg');
    this.panel.webview.html = dashboardHtml(this.panel.webview, extensionUri, `Recording: ${name}`);
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  private onMessage(raw: unknown): void {
    const m = parseWebviewMessage(raw);
    if (!m) {
      this.log.warn(`Recording: dropped a malformed message: ${safePreview(raw)}`);
      return;
    }
    if (m.type === 'ready') {
      // (Again, after the webview was reloaded.)
      this.outbox = [...this.parts];
      clearInterval(this.timer);
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.tick();
    } else if (m.type === 'action') {
      this.log.warn(`Recording: ${m.action} ignored — a recording cannot act on what it shows.`);
    }
  }

  private tick(): void {
    for (let i = 0; i < PARTS_PER_TICK && this.outbox.length > 0; i++) {
      const part = this.outbox.shift()!;
      this.panel.webview.postMessage({ type: 'replay', part } satisfies HostMessage).then(undefined, (err: unknown) => this.log.error('Recording: a part could not be sent', err));
    }
    if (this.outbox.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDispose();
  }
}
