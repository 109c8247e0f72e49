import * as vscode from 'vscode';
import type { ConnectionCapture } from '../../engine/server/connectionCapture';
import type { CaptureLimits } from '../../engine/server/streamCapture';
import { plural } from '../../protocol/format';
import type { Recording } from '../../feeds/recording/format';
import type { StateMirror } from '../../feeds/stateMirror';
import { MAX_RECORDING_BYTES, parseRecording } from '../../feeds/recording/parseRecording';
import { DEFAULT_RECORDER_LIMITS, Recorder } from '../../feeds/recording/recorder';
import { ReplayPanel } from './replayPanel';
import { connectionLogs, toChromeTrace } from '../../feeds/recording/traceExport';

const TICK_MS = 200;

export interface RecordingsHost {
  readonly extensionUri: vscode.Uri;
  readonly storageUri: vscode.Uri;
  readonly mirror: StateMirror;
  readonly log: vscode.LogOutputChannel;
  /** Starts capturing every connection's bytes (the engine is created if need be). */
  captureConnections(limits: CaptureLimits, maxStreams: number): ConnectionCapture;
}

/** What a finished recording was saved as. */
export interface SavedRecording {
  readonly trace: vscode.Uri;
  readonly logs: vscode.Uri;
  readonly recording: Recording;
}

/**
 * Record → export → reopen. One recording at a time, shown in the status bar while it runs;
 * stopping writes the Chrome trace (with the recording inside) and the connection logs.
 */
export class Recordings implements vscode.Disposable {
  private active: { recorder: Recorder; disposables: vscode.Disposable[] } | undefined;
  private readonly item = vscode.window.createStatusBarItem('socketLab.recording', vscode.StatusBarAlignment.Left, 49);
  private readonly panels = new Set<ReplayPanel>();

  constructor(private readonly host: RecordingsHost) {
    this.item.name = 'Socket Lab Recording';
    this.item.command = 'socketLab.stopRecording';
    this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  get isRecording(): boolean {
    return this.active !== undefined;
  }

  start(): void {
    if (this.active) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Socket Lab is already recording. Stop it from the status bar (or Socket Lab: Stop Recording) first.'));
      return;
    }
    const { mirror } = this.host;
    const disposables: vscode.Disposable[] = [mirror.acquire()];
    const limits = DEFAULT_RECORDER_LIMITS;
    const recorder = new Recorder(mirror, this.host.captureConnections(limits.capture, limits.maxStreams), Date.now(), limits);
    disposables.push(
      mirror.onDidChange((c) => {
        if (c.full) recorder.picture(Date.now());
        else
          recorder.note(
            [...c.added, ...c.changed].map((e) => e.id),
            c.removed.map((e) => e.id),
          );
      }),
    );
    const timer = setInterval(() => {
      recorder.tick(Date.now());
      this.showStatus(recorder);
    }, TICK_MS);
    disposables.push(new vscode.Disposable(() => clearInterval(timer)), new vscode.Disposable(() => recorder.dispose()));
    this.active = { recorder, disposables };
    this.showStatus(recorder);
    this.item.show();
    void vscode.commands.executeCommand('setContext', 'socketLab.recording', true);
    this.host.log.info('Recording started.');
  }

  /** Stops and saves; undefined when nothing was recording. */
  async stop(): Promise<SavedRecording | undefined> {
    const active = this.active;
    if (!active) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Socket Lab is not recording. Start one with Socket Lab: Start Recording.'));
      return undefined;
    }
    this.active = undefined;
    const recording = active.recorder.stop(Date.now());
    for (const d of active.disposables) d.dispose();
    this.item.hide();
    void vscode.commands.executeCommand('setContext', 'socketLab.recording', false);
    const saved = await this.save(recording);
    const seconds = ((recording.endedAt - recording.startedAt) / 1000).toFixed(1);
    const what = `${seconds} s, ${plural(recording.frames.length, 'frame')}, ${plural(recording.streams.length, 'connection')} with bytes`;
    this.host.log.info(`Recording saved (${what}): ${saved.trace.fsPath} and ${saved.logs.fsPath}`);
    void vscode.window
      .showInformationMessage(
        `Recording saved (${what}) as ${basename(saved.trace)}: open it in Socket Lab to scrub through it, or in Perfetto (ui.perfetto.dev) or chrome://tracing.${recording.notes.length ? ` ${recording.notes.join(' ')}` : ''}`,
        'Open Recording',
        'Open Connection Logs',
      )
      .then((choice) => {
        if (choice === 'Open Recording') this.openReplay(recording, basename(saved.trace));
        else if (choice === 'Open Connection Logs') void vscode.window.showTextDocument(saved.logs);
      });
    return saved;
  }

  /** Opens a recording file (asks for one when not given) in a replay panel. */
  async open(uri?: vscode.Uri): Promise<void> {
    const target =
      uri ??
      (
        await vscode.window.showOpenDialog({
          canSelectMany: false,
          defaultUri: this.folder(),
          filters: { 'Socket Lab recording': ['json'] },
          openLabel: 'Open Recording',
        })
      )?.[0];
    if (!target) return;
    const name = basename(target);
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(target);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Could not open {0}: {1}', name, (err as Error).message));
      return;
    }
    if (stat.size > MAX_RECORDING_BYTES) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} is {1} MB; Socket Lab opens recordings up to {2} MB.', name, Math.round(stat.size / 1048576), MAX_RECORDING_BYTES / 1048576));
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(target)));
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not a Socket Lab recording: it is not JSON ({1}).', name, (err as Error).message));
      return;
    }
    const rec = parseRecording(json);
    if (typeof rec === 'string') {
      void vscode.window.showErrorMessage(`${name}: ${rec}`);
      return;
    }
    this.openReplay(rec, name);
  }

  openReplay(rec: Recording, name: string): ReplayPanel {
    const panel = new ReplayPanel(this.host.extensionUri, this.host.log, rec, name, () => this.panels.delete(panel));
    this.panels.add(panel);
    return panel;
  }

  /** Where recordings go: the workspace's socket-lab-recordings folder, else the extension's storage. */
  private folder(): vscode.Uri {
    const ws = vscode.workspace.workspaceFolders?.[0];
    return ws ? vscode.Uri.joinPath(ws.uri, 'socket-lab-recordings') : vscode.Uri.joinPath(this.host.storageUri, 'recordings');
  }

  private async save(rec: Recording): Promise<SavedRecording> {
    const folder = this.folder();
    await vscode.workspace.fs.createDirectory(folder);
    const stamp = new Date(rec.startedAt).toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
    const trace = vscode.Uri.joinPath(folder, `recording-${stamp}.trace.json`);
    const logs = vscode.Uri.joinPath(folder, `recording-${stamp}.connections.txt`);
    const enc = new TextEncoder();
    await vscode.workspace.fs.writeFile(trace, enc.encode(JSON.stringify(toChromeTrace(rec))));
    await vscode.workspace.fs.writeFile(logs, enc.encode(connectionLogs(rec)));
    return { trace, logs, recording: rec };
  }

  private showStatus(recorder: Recorder): void {
    const s = Math.floor((Date.now() - recorder.startedAt) / 1000);
    this.item.text = `$(record) ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
    this.item.tooltip = `Socket Lab is recording (${plural(recorder.frameCount, 'frame')}, ${plural(recorder.streamCount, 'connection')} with bytes) — click to stop and save`;
    this.item.accessibilityInformation = { label: `Socket Lab recording, ${s} seconds — activate to stop and save` };
  }

  dispose(): void {
    // Deactivating while recording drops it: files are not written during shutdown.
    if (this.active) for (const d of this.active.disposables) d.dispose();
    this.active = undefined;
    for (const p of [...this.panels]) p.dispose();
    this.item.dispose();
  }
}

function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
