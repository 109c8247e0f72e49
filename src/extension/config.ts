import * as vscode from 'vscode';
import type { ServerOptions } from '../engine/server/options';

export interface SocketLabSettings {
  readonly defaultHost: string;
  readonly defaultPort: number;
  readonly closedConnectionRetentionSeconds: number;
}

export function readSettings(): SocketLabSettings {
  const c = vscode.workspace.getConfiguration('socketLab');
  return {
    defaultHost: c.get<string>('defaultHost', '127.0.0.1'),
    defaultPort: c.get<number>('defaultPort', 0),
    closedConnectionRetentionSeconds: c.get<number>('closedConnectionRetentionSeconds', 3),
  };
}

/** socketLab.server.*: the options every new server starts with (validated by the engine). */
export function readServerOptions(): Partial<ServerOptions> {
  const c = vscode.workspace.getConfiguration('socketLab.server');
  const n = (key: string): number | undefined => {
    const v = c.get<unknown>(key);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  const idle = n('idleTimeoutSeconds');
  return {
    backlog: n('backlog'),
    recvSize: n('recvSize'),
    maxConnections: n('maxConnections'),
    idleTimeoutMs: idle === undefined ? undefined : Math.round(idle * 1000),
    maxThreads: n('maxThreads'),
    poolSize: n('threadPoolSize'),
    maxChildren: n('maxChildren'),
    spares: n('spares'),
  };
}

const PREAPPROVAL_KEY = 'allowNonLoopbackWithoutAsking';
export const EXPOSURE_PREAPPROVAL_SETTING = `socketLab.${PREAPPROVAL_KEY}`;

/**
 * True only when the user set the pre-approval in their own user settings. Workspace and folder
 * values are ignored on purpose: a cloned repository can write those.
 */
export function exposurePreapproved(): boolean {
  return vscode.workspace.getConfiguration('socketLab').inspect<unknown>(PREAPPROVAL_KEY)?.globalValue === true;
}
