import { parseArgs } from 'node:util';
import { validateHost, validatePort, exposureWarning } from '../engine/address';
import { Engine } from '../engine/engine';
import { SocketLabError } from '../engine/errors';
import { HANDLER_NAMES, isHandlerName } from '../engine/server/handlers';
import { formatBytes } from '../engine/text/format';
import { createOutput } from './output';
import { UsageError } from './usage';

/** `socket-lab serve tcp …`: a headless server on the same engine the extension uses. */
export async function serve(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      handler: { type: 'string', default: 'echo' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  const [transport] = positionals;
  if (transport !== 'tcp') throw new UsageError(`serve: transport must be "tcp"; got ${transport ?? 'nothing'}.`);
  if (!isHandlerName(values.handler)) {
    throw new UsageError(`serve: --handler must be one of ${HANDLER_NAMES.join(', ')}; got "${values.handler}".`);
  }
  const portError = validatePort(values.port);
  if (portError) throw new UsageError(`serve: ${portError}`);
  const hostError = validateHost(values.host);
  if (hostError) throw new UsageError(`serve: ${hostError}`);

  const out = createOutput(values.json, values.quiet);
  const warning = exposureWarning(values.host);
  if (warning) out.warn(warning);

  const engine = new Engine({
    log: { info() {}, warn: (m) => out.warn(m), error: (m) => process.stderr.write(`${m}\n`) },
  });
  let server;
  try {
    server = await engine.startServer({ transport: 'tcp', model: 'event-loop', handler: values.handler, host: values.host, port: Number(values.port) });
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
    const v = conn.view();
    out.event(
      'disconnected',
      `disconnected ${conn.peerAddress} (in ${formatBytes(c.bytesIn)}/${c.messagesIn} msg, out ${formatBytes(c.bytesOut)}/${c.messagesOut} msg; ${v.closeReason ?? 'closed'})`,
      { id: conn.id, peer: conn.peerAddress, ...c, reason: v.closeReason },
    );
  });
  out.event('listening', `listening tcp ${server.address}`, { transport: 'tcp', host: server.host, port: server.port, address: server.address });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // A second signal while closing means "now".
  process.once(signal, () => process.exit(130));
  await engine.dispose();
  out.event('stopped', `stopped (${signal})`, { signal });
  return 0;
}
