import * as vscode from 'vscode';
import type { Server } from '../engine/server/server';
import type { Controller } from './controller';

/** Tree rows, entity ids, or nothing (then the user picks): every form a command may be given. */
export function targetId(arg: unknown, kind: 'server' | 'connection'): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'kind' in arg && 'id' in arg && arg.kind === kind && typeof arg.id === 'string') return arg.id;
  return undefined;
}

/** A row or an id, whatever kind of entity: its id. */
export function entityId(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'id' in arg && typeof arg.id === 'string') return arg.id;
  return undefined;
}

export async function resolveServer(c: Controller, arg: unknown, action: string): Promise<Server | undefined> {
  const id = targetId(arg, 'server');
  const servers = c.engineIfStarted?.listServers() ?? [];
  if (id) return servers.find((s) => s.id === id);
  if (servers.length === 0) {
    void vscode.window.showInformationMessage('No Socket Lab server is running.');
    return undefined;
  }
  if (servers.length === 1) return servers[0];
  const pick = await vscode.window.showQuickPick(
    servers.map((s) => ({ label: `${s.options.transport.toUpperCase()} ${s.address}`, description: `${s.options.handler} · ${s.options.model}`, server: s })),
    { placeHolder: `Server to ${action}` },
  );
  return pick?.server;
}

