import net from 'node:net';
import { validateHost, validatePort } from './address';

export type ClientTransportKind = 'tcp' | 'udp' | 'unix';

export type Target = { readonly transport: 'tcp' | 'udp'; readonly host: string; readonly port: number } | { readonly transport: 'unix'; readonly path: string };

/**
 * Parses a target as users write it: `HOST:PORT`, `[v6]:PORT`, `HOST PORT` (two arguments), or a
 * socket path for unix. Returns an error message instead of throwing.
 */
export function parseTarget(transport: ClientTransportKind, args: readonly string[]): Target | string {
  if (transport === 'unix') {
    if (args.length !== 1 || !args[0]) return 'expected the socket PATH.';
    return { transport, path: args[0] };
  }
  let host: string | undefined;
  let portText: string | undefined;
  if (args.length === 2) [host, portText] = args;
  else if (args.length === 1) {
    const m = /^\[([^\]]+)\]:(\d+)$/.exec(args[0]!) ?? /^([^:]+):(\d+)$/.exec(args[0]!);
    if (!m) return `expected HOST:PORT (or HOST PORT); got "${args[0]}".`;
    [, host, portText] = m;
  } else return 'expected HOST:PORT (or HOST PORT).';
  const hostError = validateHost(host!);
  if (hostError) return hostError;
  const portError = validatePort(portText!);
  if (portError) return portError;
  if (Number(portText) === 0) return 'port 0 cannot be connected to: give the port the server printed.';
  return { transport, host: host!, port: Number(portText) };
}

export function formatTarget(t: Target): string {
  if (t.transport === 'unix') return t.path;
  return net.isIPv6(t.host) ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}
