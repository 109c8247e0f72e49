import type * as vscode from 'vscode';
import type { Logger } from '../engine/log';

/** Lets the engine write to the extension's LogOutputChannel without knowing about VS Code. */
export function engineLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m, err) => (err instanceof Error ? channel.error(m, err) : channel.error(m)),
  };
}
