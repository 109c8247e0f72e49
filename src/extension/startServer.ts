import * as vscode from 'vscode';
import { exposureWarning, validateHost, validatePort } from '../engine/address';
import { HANDLERS, HANDLER_NAMES, isHandlerName, type HandlerName } from '../engine/server/handlers';
import type { Transport } from '../engine/state/views';
import { readSettings } from './config';

export interface StartServerRequest {
  readonly transport: Transport;
  readonly handler: HandlerName;
  readonly host: string;
  readonly port: number;
  /** Set when the user already accepted a non-loopback bind. */
  readonly exposureAccepted?: boolean;
}

/** Commands can be invoked by anyone (links, other extensions): validate their argument. */
export function parseStartRequest(arg: unknown): StartServerRequest | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Record<string, unknown>;
  if (a.transport !== 'tcp' || !isHandlerName(a.handler)) return undefined;
  if (typeof a.host !== 'string' || validateHost(a.host)) return undefined;
  if (typeof a.port !== 'number' || validatePort(String(a.port))) return undefined;
  return { transport: 'tcp', handler: a.handler, host: a.host, port: a.port, exposureAccepted: a.exposureAccepted === true };
}

const STEPS = 4;

/** The Start Server… flow: transport, handler, host, port. Undefined when the user cancels. */
export async function askStartRequest(): Promise<StartServerRequest | undefined> {
  const settings = readSettings();
  const transport = await vscode.window.showQuickPick(
    [{ label: 'TCP', description: 'stream socket', detail: 'Like socket.socket(AF_INET, SOCK_STREAM) and socketserver.TCPServer.', value: 'tcp' as const }],
    { title: `Start Server (1/${STEPS}): transport`, placeHolder: 'Transport', ignoreFocusOut: true },
  );
  if (!transport) return undefined;

  const handler = await vscode.window.showQuickPick(
    HANDLER_NAMES.map((name) => ({ label: name, description: HANDLERS[name].description, value: name })),
    { title: `Start Server (2/${STEPS}): handler`, placeHolder: 'What the server does with what it receives', ignoreFocusOut: true },
  );
  if (!handler) return undefined;

  const host = await vscode.window.showInputBox({
    title: `Start Server (3/${STEPS}): address`,
    prompt: '127.0.0.1 accepts connections from this machine only; 0.0.0.0 or :: from your whole network.',
    value: settings.defaultHost,
    ignoreFocusOut: true,
    validateInput: (v) => validateHost(v) ?? (exposureWarning(v) ? { message: exposureWarning(v)!, severity: vscode.InputBoxValidationSeverity.Warning } : undefined),
  });
  if (host === undefined) return undefined;

  const port = await vscode.window.showInputBox({
    title: `Start Server (4/${STEPS}): port`,
    prompt: '0 lets the operating system pick any free port.',
    value: String(settings.defaultPort),
    ignoreFocusOut: true,
    validateInput: (v) => validatePort(v),
  });
  if (port === undefined) return undefined;

  return { transport: transport.value, handler: handler.value, host: host.trim(), port: Number(port.trim()) };
}

/** Asks before binding anywhere but loopback. */
export async function confirmExposure(request: StartServerRequest): Promise<boolean> {
  const warning = exposureWarning(request.host);
  if (!warning || request.exposureAccepted) return true;
  const choice = await vscode.window.showWarningMessage(warning, { modal: true, detail: 'Lab servers have no authentication.' }, 'Listen Anyway');
  return choice === 'Listen Anyway';
}
