import * as vscode from 'vscode';
import { tr } from '../../protocol/l10n';
import { exposureWarning, validateHost, validatePort } from '../../engine/address';
import { HANDLERS, HANDLER_NAMES, isHandlerName } from '../../engine/server/handlers';
import { defaultUnixPath, isModel, isTransport, modelInfo, MODELS, UNIX_DATAGRAM_UNAVAILABLE, type ServerOptions } from '../../engine/server/options';
import type { Transport } from '../../protocol/views';
import { EXPOSURE_PREAPPROVAL_SETTING, exposurePreapproved, readServerOptions, readSettings } from '../config';

/** What the user chose; the rest of ServerOptions comes from settings (toServerOptions). */
export type StartServerRequest = Pick<ServerOptions, 'transport' | 'model' | 'handler' | 'handlerArg' | 'host' | 'port' | 'path'>;

declare const consent: unique symbol;
/**
 * A request the user has agreed to in this window (or that binds loopback only). Only
 * confirmExposure makes one: no command argument, link or workspace file can carry consent.
 */
export type ConsentedRequest = StartServerRequest & { readonly [consent]: true };

/**
 * Commands can be invoked by anyone (links, other extensions, keybindings): validate their
 * argument. Whatever else it holds (an `exposureAccepted` flag, say) is dropped: consent is the
 * user's, asked by confirmExposure.
 */
export function parseStartRequest(arg: unknown): StartServerRequest | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const a = arg as Record<string, unknown>;
  if (!isTransport(a.transport) || !isHandlerName(a.handler)) return undefined;
  const model = a.model === undefined ? 'event-loop' : a.model;
  if (!isModel(model)) return undefined;
  if (typeof a.host !== 'string' || validateHost(a.host)) return undefined;
  if (typeof a.port !== 'number' || validatePort(String(a.port))) return undefined;
  if (a.path !== undefined && (typeof a.path !== 'string' || !a.path.startsWith('/'))) return undefined;
  if (a.handlerArg !== undefined && (typeof a.handlerArg !== 'string' || !a.handlerArg.trim())) return undefined;
  return {
    transport: a.transport,
    model,
    handler: a.handler,
    handlerArg: a.handlerArg as string | undefined,
    host: a.host,
    port: a.port,
    path: a.path as string | undefined,
  };
}

/** The request plus the options from settings (backlog, recv size, caps…). */
export function toServerOptions(request: StartServerRequest): ServerOptions {
  return { ...readServerOptions(), ...request };
}

type TransportChoice = Transport | 'unix-dgram';

/** The Start Server… flow: transport, model, handler, address. Undefined when the user cancels. */
export async function askStartRequest(): Promise<StartServerRequest | undefined> {
  const settings = readSettings();
  let transport: TransportChoice | undefined;
  for (;;) {
    const picked = await vscode.window.showQuickPick(
      [
        { label: 'TCP', description: vscode.l10n.t('stream socket'), detail: vscode.l10n.t('socket(AF_INET, SOCK_STREAM): socketserver.TCPServer and friends.'), value: 'tcp' as const },
        {
          label: 'UDP',
          description: vscode.l10n.t('datagram socket'),
          detail: vscode.l10n.t('socket(AF_INET, SOCK_DGRAM): socketserver.UDPServer; every datagram is a request.'),
          value: 'udp' as const,
        },
        {
          label: 'Unix stream socket',
          description: vscode.l10n.t('a socket file'),
          detail: vscode.l10n.t('socket(AF_UNIX, SOCK_STREAM): socketserver.UnixStreamServer, at a short path in the temp dir.'),
          value: 'unix' as const,
        },
        { label: '$(circle-slash) Unix datagram socket', description: vscode.l10n.t('unavailable'), detail: tr(UNIX_DATAGRAM_UNAVAILABLE), value: 'unix-dgram' as const },
      ],
      { title: vscode.l10n.t('Start Server ({0}/{1}): {2}', 1, 5, vscode.l10n.t('transport')), placeHolder: vscode.l10n.t('Transport'), ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    if (picked.value !== 'unix-dgram') {
      transport = picked.value;
      break;
    }
    // Quick picks cannot disable an item: say why and ask again.
    await vscode.window.showInformationMessage(`Socket Lab: ${tr(UNIX_DATAGRAM_UNAVAILABLE)}`, { modal: true });
  }
  // A Unix socket has a path instead of an address and a port: one step fewer.
  const steps = transport === 'unix' ? 4 : 5;
  const title = (n: number, what: string) => vscode.l10n.t('Start Server ({0}/{1}): {2}', n, steps, what);

  const model = await vscode.window.showQuickPick(
    MODELS.map((m) => {
      const info = modelInfo(m, transport);
      return { label: m, description: vscode.l10n.t('like {0}', info.like), detail: tr(info.description), value: m };
    }),
    {
      title: title(2, vscode.l10n.t('concurrency model')),
      placeHolder: transport === 'udp' ? vscode.l10n.t('Who serves each datagram') : vscode.l10n.t('Who serves each connection'),
      ignoreFocusOut: true,
    },
  );
  if (!model) return undefined;

  const handler = await vscode.window.showQuickPick(
    HANDLER_NAMES.map((name) => ({ label: name, description: tr(HANDLERS[name].description), value: name })),
    { title: title(3, vscode.l10n.t('handler')), placeHolder: vscode.l10n.t('What the server does with what it receives'), ignoreFocusOut: true },
  );
  if (!handler) return undefined;
  let handlerArg: string | undefined;
  const argumentPrompt = HANDLERS[handler.value].takesArgument;
  if (argumentPrompt) {
    handlerArg = await vscode.window.showInputBox({
      title: title(3, vscode.l10n.t('{0} word', handler.value)),
      prompt: `${argumentPrompt}.`,
      value: 'crash',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter a word.')),
    });
    if (handlerArg === undefined) return undefined;
    handlerArg = handlerArg.trim();
  }

  if (transport === 'unix') {
    const path = await vscode.window.showInputBox({
      title: title(4, vscode.l10n.t('socket path')),
      prompt: vscode.l10n.t('Where the socket file goes; kept short (a Unix socket path holds at most 107 bytes).'),
      value: defaultUnixPath(),
      ignoreFocusOut: true,
      validateInput: (v) => (!v.trim().startsWith('/') ? vscode.l10n.t('Enter an absolute path.') : Buffer.byteLength(v.trim()) > 107 ? vscode.l10n.t('At most 107 bytes.') : undefined),
    });
    if (path === undefined) return undefined;
    return { transport, model: model.value, handler: handler.value, handlerArg, host: '127.0.0.1', port: 0, path: path.trim() };
  }

  const host = await vscode.window.showInputBox({
    title: title(4, vscode.l10n.t('address')),
    prompt: vscode.l10n.t('127.0.0.1 accepts connections from this machine only; 0.0.0.0 or :: from your whole network.'),
    value: settings.defaultHost,
    ignoreFocusOut: true,
    validateInput: (v) => validateHost(v) ?? (exposureWarning(v) ? { message: exposureWarning(v)!, severity: vscode.InputBoxValidationSeverity.Warning } : undefined),
  });
  if (host === undefined) return undefined;

  const port = await vscode.window.showInputBox({
    title: title(5, vscode.l10n.t('port')),
    prompt: vscode.l10n.t('0 lets the operating system pick any free port.'),
    value: String(settings.defaultPort),
    ignoreFocusOut: true,
    validateInput: (v) => validatePort(v),
  });
  if (port === undefined) return undefined;

  return { transport, model: model.value, handler: handler.value, handlerArg, host: host.trim(), port: Number(port.trim()) };
}

/**
 * Asks before binding anywhere but loopback, unless the user pre-approved that in their own user
 * settings. Undefined when they decline (or dismiss the dialog).
 */
export async function confirmExposure(request: StartServerRequest): Promise<ConsentedRequest | undefined> {
  const consented = request as ConsentedRequest;
  if (request.transport === 'unix') return consented;
  const warning = exposureWarning(request.host);
  if (!warning || exposurePreapproved()) return consented;
  const listen = vscode.l10n.t('Listen Anyway');
  const choice = await vscode.window.showWarningMessage(
    warning,
    {
      modal: true,
      detail: vscode.l10n.t(
        'Lab servers have no authentication. To stop being asked, set "{0}" to true in your user settings (workspace and folder settings cannot pre-approve this: a repository can write those).',
        EXPOSURE_PREAPPROVAL_SETTING,
      ),
    },
    listen,
  );
  return choice === listen ? consented : undefined;
}
