import * as vscode from 'vscode';
import { SocketLabError } from '../../engine/errors';
import type { Server } from '../../engine/server/server';
import { clientCommands } from './clientCommands';
import type { CommandContext, CommandHandler } from './context';
import { labCommands } from './labCommands';
import { pythonCommands } from '../python/pythonCommands';
import { entityId, isImplicitArgument, resolveServer, targetId, tracedServer } from './pickTarget';
import { askStartRequest, confirmExposure, parseStartRequest, toServerOptions, type ConsentedRequest } from './startServer';

async function startServer(c: CommandContext, given: unknown): Promise<Server | undefined> {
  // The Servers view's `+` is given the focused row: that is no request, so the user is asked.
  const arg = isImplicitArgument(given) ? undefined : given;
  const request = parseStartRequest(arg) ?? (arg === undefined ? await askStartRequest() : undefined);
  if (!request) {
    if (arg !== undefined) void vscode.window.showErrorMessage(vscode.l10n.t('Socket Lab: Start Server was given invalid settings; nothing was started.'));
    return undefined;
  }
  // Every start through the command asks: its argument can come from anyone.
  const consented = await confirmExposure(request);
  return consented ? start(c, consented) : undefined;
}

/** Starts what the user already agreed to (a retry on another port does not ask again). */
async function start(c: CommandContext, request: ConsentedRequest): Promise<Server | undefined> {
  try {
    const server = await c.engine().startServer(toServerOptions(request));
    await c.revealServer(server.id);
    return server;
  } catch (err) {
    if (!(err instanceof SocketLabError)) throw err;
    c.log.warn(err.message);
    const retry = err.code === 'EADDRINUSE' && request.transport !== 'unix' ? (err.freePort ? `Use Port ${err.freePort}` : 'Use a Free Port') : undefined;
    const text = `Socket Lab: ${err.message}${err.hint ? ` ${err.hint}` : ''}`;
    const choice = await (retry ? vscode.window.showErrorMessage(text, retry) : vscode.window.showErrorMessage(text));
    if (choice === retry) return start(c, { ...request, port: err.freePort ?? 0 });
    return undefined;
  }
}

const table: Record<string, CommandHandler> = {
  ...clientCommands,
  ...labCommands,
  ...pythonCommands,
  'socketLab.startServer': startServer,
  'socketLab.stopServer': async (c, arg) => {
    const server = await resolveServer(c, arg, 'stop');
    if (server) await c.engine().stopServer(server.id);
  },
  'socketLab.stopAllServers': (c) => c.engineIfStarted?.stopAll(),
  'socketLab.closeConnection': (c, arg) => {
    const id = targetId(arg, 'connection');
    if (id && !c.engineIfStarted?.closeConnection(id)) void vscode.window.showInformationMessage(vscode.l10n.t('That connection has already closed.'));
  },
  'socketLab.copyAddress': async (c, arg) => {
    const traced = tracedServer(c, arg);
    if (traced) return vscode.env.clipboard.writeText(traced.address);
    const server = await resolveServer(c, arg, 'copy the address of');
    if (server) await vscode.env.clipboard.writeText(server.address);
  },
  'socketLab.focusServers': () => vscode.commands.executeCommand('socketLab.servers.focus'),
  'socketLab.showLog': (c) => c.log.show(),
  'socketLab.openWalkthrough': () => vscode.commands.executeCommand('workbench.action.openWalkthrough', 'socket-lab.socket-lab#socketLab.learn', false),
  'socketLab.openDashboard': (c) => c.dashboard.show(),
  'socketLab.revealInTree': (c, arg) => (typeof arg === 'string' ? c.revealInTree(arg) : undefined),
  'socketLab.revealServingThread': (c, arg) => c.revealRelated(arg, 'servedBy'),
  'socketLab.revealWaitTarget': (c, arg) => c.revealRelated(arg, 'waitTarget'),
  'socketLab.revealHolder': (c, arg) => c.revealRelated(arg, 'holder'),
  'socketLab.filterThreads': (c) => c.pickThreadFilter(),
  'socketLab.filterConnections': (c) => c.pickConnectionFilter(),
  'socketLab.startRecording': (c) => c.recordings.start(),
  'socketLab.stopRecording': (c) => c.recordings.stop(),
  'socketLab.openRecording': (c, arg) => c.recordings.open(arg instanceof vscode.Uri ? arg : undefined),
  'socketLab.followStream': (c, arg) => {
    const id = entityId(arg);
    if (id) c.dashboard.show(id, true);
  },
  'socketLab.revealInDashboard': (c, arg) => {
    const id = entityId(arg);
    // Tree rows under an entity (a lock's holder) carry their target's id.
    const target = arg && typeof arg === 'object' && 'targetId' in arg && typeof arg.targetId === 'string' ? arg.targetId : id;
    c.dashboard.show(target);
  },
};

export function registerCommands(controller: CommandContext): vscode.Disposable[] {
  return Object.entries(table).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(controller, ...args);
      } catch (err) {
        controller.log.error(`${id} failed`, err);
        void vscode.window.showErrorMessage(`Socket Lab: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
  );
}
