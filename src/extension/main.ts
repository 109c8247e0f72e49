import * as vscode from 'vscode';
import { useBundle } from '../protocol/l10n';
import type { SocketLabApi } from './api';
import { Controller } from './controller';

let controller: Controller | undefined;

export function activate(context: vscode.ExtensionContext): SocketLabApi {
  // The engine, the tree rows' words and the dashboard translate from the bundle VS Code chose.
  useBundle(vscode.l10n.bundle as Record<string, string> | undefined);
  // Activation only wires up views and commands; no engine exists until a server is asked for.
  controller = new Controller(context);
  return controller.api;
}

export async function deactivate(): Promise<void> {
  const c = controller;
  controller = undefined;
  await c?.close();
}
