import type * as vscode from 'vscode';
import type { SocketLabApi } from './api';
import { Controller } from './controller';

let controller: Controller | undefined;

export function activate(context: vscode.ExtensionContext): SocketLabApi {
  // Activation only wires up views and commands; no engine exists until a server is asked for.
  controller = new Controller(context);
  return controller.api;
}

export async function deactivate(): Promise<void> {
  const c = controller;
  controller = undefined;
  await c?.close();
}
