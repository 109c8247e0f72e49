import { parseArgs } from 'node:util';
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
  if (!isTransport(transport)) throw new UsageError(`serve: transport must be one of ${TRANSPORTS.join(', ')}; got ${transport ?? 'nothing'}.`);
  if (!isModel(values.model)) throw new UsageError(`serve: --model must be one of ${MODELS.join(', ')}; got "${values.model}".`);
  const handler = parseHandler(values.handler);
  if (!handler) throw new UsageError(`serve: --handler must be one of ${HANDLER_NAMES.join(', ')} (crash-on:WORD for another word); got "${values.handler}".`);
  const portError = validatePort(values.port);
  if (portError) throw new UsageError(`serve: ${portError}`);
  const numbers: Record<string, number> = {};
  const v = values as Record<string, unknown>;
  for (const [flag, key] of Object.entries(NUMBER_OPTIONS)) {
    const text = v[flag];
    if (text === undefined) continue;
    if (typeof text !== 'string' || !/^\d+$/.test(text)) throw new UsageError(`serve: --${flag} must be a whole number; got "${String(text)}".`);
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
  server.onAccepted((conn) => out.event('connected', `connected ${conn.peerAddress}`, { id: conn.id, peer: conn.peerAddress }));
  server.onConnectionClosed((conn) => {
    const c = conn.counters;
    const view = conn.view();
    out.event(
      'disconnected',
      `disconnected ${conn.peerAddress} (in ${formatBytes(c.bytesIn)}/${c.messagesIn} msg, out ${formatBytes(c.bytesOut)}/${c.messagesOut} msg; ${view.closeReason ?? 'closed'})`,
      { id: conn.id, peer: conn.peerAddress, ...c, reason: view.closeReason, servedBy: view.servedBy },
    );
  });
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
    const left = stopping.map((s) => `${s.describe()}: ${s.view().state}, ${s.connections.size} connections`);
    out.error(`stopping took over 10 s; exiting anyway (${left.join('; ') || 'no server left'})`);
    process.exit(1);
  }, 10_000);
  watchdog.unref();
  await engine.dispose();
  clearTimeout(watchdog);
  out.event('stopped', `stopped (${signal})`, { signal });
  return 0;
}
