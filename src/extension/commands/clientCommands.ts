import * as vscode from 'vscode';
import { benchCheckArgs } from '../../cli/load/handlerCheck';
import type { CommandHandler } from './context';
import { askClientTarget, targetArgs } from '../terminals/clientTarget';
import { resolveServer, tracedServer, tracedTarget } from './pickTarget';
import { connectableTarget } from '../terminals/terminals';
import type { Server } from '../../engine/server/server';
import type { Target } from '../../engine/target';

const MAX_CLIENTS = 16;

function serverTarget(server: Server): Target {
  if (server.options.transport === 'unix') return { transport: 'unix', path: server.address };
  return connectableTarget({ transport: server.options.transport, host: server.host, port: server.port });
}

async function askNumber(title: string, prompt: string, value: number, max: number): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt,
    value: String(value),
    ignoreFocusOut: true,
    validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= max ? undefined : `Enter a whole number from 1 to ${max}.`),
  });
  return text === undefined ? undefined : Number(text.trim());
}

export const clientCommands: Record<string, CommandHandler> = {
  'socketLab.openClientTerminal': async (c, arg) => {
    const traced = tracedServer(c, arg);
    const server = traced ? undefined : await resolveServer(c, arg, 'connect to');
    const target = traced ? tracedTarget(traced) : server && serverTarget(server);
    if (target) await c.terminals.openClient(target);
  },

  /** Any host:port or socket path, including the user's own servers in any language. */
  'socketLab.openClient': async (c) => {
    const target = await askClientTarget(vscode.l10n.t('Open Client'));
    if (target) await c.terminals.openClient(target);
  },

  /** N client terminals side by side in one terminal group. */
  'socketLab.openClients': async (c, arg) => {
    const traced = tracedServer(c, arg);
    const server = traced ? undefined : await resolveServer(c, arg, 'connect to');
    const target = traced ? tracedTarget(traced) : server && serverTarget(server);
    if (!target) return;
    const n = await askNumber('Open N Clients', `How many client terminals (side by side, up to ${MAX_CLIENTS})?`, 3, MAX_CLIENTS);
    if (!n) return;
    const first = await c.terminals.openClient(target);
    for (let i = 1; i < n; i++) await c.terminals.openClient(target, first);
  },

  /** The load generator in a terminal; the server's row shows the load while it runs. */
  'socketLab.loadTest': async (c, arg) => {
    const server = await resolveServer(c, arg, 'load-test');
    if (!server) return;
    const check = benchCheckArgs(server.options.handler, server.options.transport);
    const greets = check.includes('greeting');
    const conns = await askNumber(
      'Load Test (1/2): connections',
      greets
        ? 'How many connections at a time? (This server greets and closes: each connects, reads the greeting, is closed, and connects again.)'
        : 'How many connections, each with one 64-byte message in flight?',
      10,
      10_000,
    );
    if (!conns) return;
    const seconds = await askNumber('Load Test (2/2): duration', 'How many seconds?', 10, 3600);
    if (!seconds) return;
    const args = targetArgs(serverTarget(server));
    await c.terminals.open({ name: `Socket Lab load test ${args[1]}`, icon: 'dashboard', args: ['bench', ...args, '-c', String(conns), '-d', String(seconds), ...check, '--hold'] });
  },
};
