import type * as vscode from 'vscode';
import type { LabRun } from '../engine/labs/labRun';
import type { Logger } from '../engine/log';

/** Lets the engine write to the extension's LogOutputChannel without knowing about VS Code. */
export function engineLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m, err) => (err instanceof Error ? channel.error(m, err) : channel.error(m)),
  };
}

/**
 * The "Socket Lab Labs" output. It comes forward for the first run of the window only: after
 * that the panel belongs to the user (their terminals), and the output shows on request (the
 * Labs view's button) or when a run fails.
 */
export class LabOutput implements vscode.Disposable {
  private shownOnce = false;

  constructor(private readonly channel: vscode.OutputChannel) {}

  show(): void {
    this.shownOnce = true;
    this.channel.show(true);
  }

  /** Streams a run's lines; brings the output forward on the window's first run or a failure. */
  follow(run: LabRun, header: string): void {
    this.channel.appendLine(header);
    run.onLine((line) => this.channel.appendLine(line));
    if (!this.shownOnce) this.show();
    void run.finished.then(() => {
      if (run.view().state === 'failed') this.show();
    });
  }

  dispose(): void {
    this.channel.dispose();
  }
}
