import * as vscode from 'vscode';
import type { CommandContext } from './context';
import type { Server } from '../../engine/server/server';
import type { Target } from '../../engine/target';
import type { ServerView } from '../../protocol/views';

/**
 * A row of one of Socket Lab's trees, as VS Code hands it back: to a context-menu command the
 * row itself, to a view-title command the row that has the focus (whatever view-title button
 * was pressed). Every row has a `kind` and an `id`.
 */
export interface TreeRow {
  readonly kind: string;
  readonly id: string;
}

export function isTreeRow(arg: unknown): arg is TreeRow {
  return typeof arg === 'object' && arg !== null && 'kind' in arg && 'id' in arg && typeof arg.kind === 'string' && typeof arg.id === 'string';
}

/**
 * What VS Code passes by itself — a focused tree row, an Explorer resource — rather than
 * something a caller (a link, a keybinding, another extension) chose to pass. Commands that take
 * settings treat it as no argument at all.
 */
export function isImplicitArgument(arg: unknown): boolean {
  return isTreeRow(arg) || arg instanceof vscode.Uri;
}

/** Tree rows, entity ids, or nothing (then the user picks): every form a command may be given. */
export function targetId(arg: unknown, kind: 'server' | 'connection'): string | undefined {
  if (typeof arg === 'string') return arg;
  if (!isTreeRow(arg)) return undefined;
  if (arg.kind === kind) return arg.id;
  // A connection, traffic or range row stands for its server (a title button with one focused).
  if (kind === 'server' && 'serverId' in arg && typeof arg.serverId === 'string') return arg.serverId;
  return undefined;
}

/** A row or an id, whatever kind of entity: its id. */
export function entityId(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'id' in arg && typeof arg.id === 'string') return arg.id;
  return undefined;
}

export async function resolveServer(c: CommandContext, arg: unknown, action: string): Promise<Server | undefined> {
  const id = targetId(arg, 'server');
  const servers = c.engineIfStarted?.listServers() ?? [];
  if (id) {
    const server = servers.find((s) => s.id === id);
    if (!server) void vscode.window.showInformationMessage(vscode.l10n.t('Socket Lab: that server has stopped.'));
    return server;
  }
  if (servers.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No Socket Lab server is running.'));
    return undefined;
  }
  if (servers.length === 1) return servers[0];
  const pick = await vscode.window.showQuickPick(
    servers.map((s) => ({ label: `${s.options.transport.toUpperCase()} ${s.address}`, description: `${s.options.handler} · ${s.options.model}`, server: s })),
    { placeHolder: `Server to ${action}` },
  );
  return pick?.server;
}

/** A listening socket of a traced Python program (a row under its program in Servers), if `arg` is one. */
export function tracedServer(c: CommandContext, arg: unknown): ServerView | undefined {
  const id = targetId(arg, 'server');
  const v = id ? c.engineIfStarted?.model.get(id)?.view() : undefined;
  return v?.kind === 'server' && v.traced && v.endedAt === null ? v : undefined;
}

/** Where a client reaches a traced program's server. */
export function tracedTarget(s: ServerView): Target {
  if (s.transport === 'unix') return { transport: 'unix', path: s.address };
  return { transport: s.transport, host: s.host, port: s.port };
}
