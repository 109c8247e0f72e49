import { parseArgs } from 'node:util';
import * as l10n from '@vscode/l10n';
import { exposureWarning, validatePort } from '../engine/address';
import { Engine } from '../engine/engine';
import { SocketLabError } from '../engine/errors';
import { HANDLER_NAMES, parseHandler } from '../engine/server/handlers';
import { isModel, isTransport, MODELS, resolveServerOptions, TRANSPORTS, UNIX_DATAGRAM_UNAVAILABLE, type ServerOptions } from '../engine/server/options';
import { formatBytes } from '../protocol/format';
import { createOutput } from './output';
import { UsageError } from './usage';

const NUMBER_OPTIONS = {
  backlog: 'backlog',
  'recv-size': 'recvSize',
  'max-connections': 'maxConnections',
  'idle-timeout': 'idleTimeoutMs',
  'max-threads': 'maxThreads',
  'pool-size': 'poolSize',
  'max-children': 'maxChildren',
  spares: 'spares',
} as const;

/** `socket-lab serve tcp|udp|unix …`: a headless server on the same engine the extension uses. */
export async function serve(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string', default: 'event-loop' },
      handler: { type: 'string', default: 'echo' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      path: { type: 'string' },
      ...Object.fromEntries(Object.keys(NUMBER_OPTIONS).map((k) => [k, { type: 'string' as const }])),
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const [transport] = positionals;
  if (transport === 'unix-dgram') throw new UsageError(`serve: ${UNIX_DATAGRAM_UNAVAILABLE}`);
  if (!isTransport(transport)) {
    throw new UsageError(
      transport === undefined
        ? l10n.t('serve: transport must be one of {0}; got nothing.', TRANSPORTS.join(', '))
        : l10n.t('serve: transport must be one of {0}; got {1}.', TRANSPORTS.join(', '), transport),
    );
  }
  if (!isModel(values.model)) throw new UsageError(l10n.t('serve: --model must be one of {0}; got "{1}".', MODELS.join(', '), values.model));
  const handler = parseHandler(values.handler);
  if (!handler) throw new UsageError(l10n.t('serve: --handler must be one of {0} (crash-on:WORD for another word); got "{1}".', HANDLER_NAMES.join(', '), values.handler));
  const portError = validatePort(values.port);
  if (portError) throw new UsageError(`serve: ${portError}`);
  const numbers: Record<string, number> = {};
  const v = values as Record<string, unknown>;
  for (const [flag, key] of Object.entries(NUMBER_OPTIONS)) {
    const text = v[flag];
    if (text === undefined) continue;
    if (typeof text !== 'string' || !/^\d+$/.test(text)) throw new UsageError(l10n.t('serve: --{0} must be a whole number; got "{1}".', flag, String(text)));
    numbers[key] = Number(text);
  }
  const options: ServerOptions = {
    transport,
    model: values.model,
    handler: handler.name,
    handlerArg: handler.arg,
    host: values.host,
    port: Number(values.port),
    path: values.path,
    ...numbers,
  };
  const resolved = resolveServerOptions(options);
  if (typeof resolved === 'string') throw new UsageError(`serve: ${resolved}`);

  const out = createOutput(values.json, values.quiet);
  const warning = transport === 'unix' ? undefined : exposureWarning(values.host);
  if (warning) out.warn(warning);

  const engine = new Engine({
    log: { info() {}, warn: (m) => out.warn(m), error: (m) => process.stderr.write(`${m}\n`) },
  });
  let server;
  try {
    server = await engine.startServer(options);
  } catch (err) {
    if (err instanceof SocketLabError) {
      out.error(err.hint ? `${err.message} ${err.hint}` : err.message);
      return 1;
    }
    throw err;
  }
  server.onAccepted((conn) => out.event('connected', l10n.t('connected {0}', conn.peerAddress), { id: conn.id, peer: conn.peerAddress }));
  server.onConnectionClosed((conn) => {
    const c = conn.counters;
    const view = conn.view();
    out.event(
      'disconnected',
      view.closeReason === null
        ? l10n.t('disconnected {0} (in {1}/{2} msg, out {3}/{4} msg; closed)', conn.peerAddress, formatBytes(c.bytesIn), c.messagesIn, formatBytes(c.bytesOut), c.messagesOut)
        : l10n.t('disconnected {0} (in {1}/{2} msg, out {3}/{4} msg; {5})', conn.peerAddress, formatBytes(c.bytesIn), c.messagesIn, formatBytes(c.bytesOut), c.messagesOut, view.closeReason),
      { id: conn.id, peer: conn.peerAddress, ...c, reason: view.closeReason, servedBy: view.servedBy },
    );
  });
  // Not translated: scripts, the tests and the README's readers wait for this exact line.
  out.event('listening', `listening ${transport} ${server.address}`, {
    transport,
    model: resolved.model,
    host: server.host,
    port: server.port,
    path: resolved.path ?? null,
    address: server.address,
  });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // A second signal while closing means "now".
  process.once(signal, () => process.exit(130));
  // Stopping has its own 2 s deadline per connection; if it is still not done well after that,
  // say what is left and leave anyway: a server that will not exit is worse than an abrupt one.
  const stopping = engine.listServers();
  const watchdog = setTimeout(() => {
    const left = stopping.map((s) => l10n.t('{0}: {1}, {2} connections', s.describe(), s.view().state, s.connections.size));
    out.error(left.length ? l10n.t('stopping took over 10 s; exiting anyway ({0})', left.join('; ')) : l10n.t('stopping took over 10 s; exiting anyway (no server left)'));
    process.exit(1);
  }, 10_000);
  watchdog.unref();
  await engine.dispose();
  clearTimeout(watchdog);
  out.event('stopped', l10n.t('stopped ({0})', signal), { signal });
  return 0;
}
