import * as vscode from 'vscode';

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
