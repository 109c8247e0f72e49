import * as l10n from '@vscode/l10n';
import dgram from 'node:dgram';
import net from 'node:net';
import type { ErrorInfo } from '../protocol/views';

/** Any thrown value as plain, serialisable data (type, message, stack). */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof Error) return { type: err.name, message: err.message, stack: err.stack };
  return { type: typeof err, message: String(err) };
}

/** An error meant for the user: a plain-language message, the errno code when there is one. */
export class SocketLabError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly hint?: string,
    /** A port that was free when the error was made (port in use). */
    readonly freePort?: number,
  ) {
    super(message);
    this.name = 'SocketLabError';
  }
}

export function errnoCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Turns a failed `listen` into a message that names the port and says what to do. */
export function describeListenError(err: unknown, host: string, port: number, transport: 'tcp' | 'udp' = 'tcp', freePort?: number): SocketLabError {
  const code = errnoCode(err) ?? 'UNKNOWN';
  const where = formatHostPort(host, port);
  const offer = freePort ? ` ${l10n.t('Port {0} is free now.', freePort)}` : '';
  switch (code) {
    case 'EADDRINUSE':
      return new SocketLabError(
        transport === 'udp'
          ? l10n.t('UDP port {0} is already in use on {1} (EADDRINUSE): another socket is bound there.', port, host)
          : l10n.t('Port {0} is already in use on {1} (EADDRINUSE): another socket is listening there.', port, host),
        code,
        (transport === 'udp'
          ? l10n.t('UDP has no TIME_WAIT: a live socket holds the port. Stop it or use a free port.')
          : l10n.t('Socket Lab sets SO_REUSEADDR, so a connection lingering in TIME_WAIT would not block it; a live listener does. Stop it or use a free port.')) + offer,
        freePort,
      );
    case 'EACCES':
      return new SocketLabError(
        l10n.t('Permission denied to listen on {0} (EACCES).', where),
        code,
        port > 0 && port < 1024 ? l10n.t('Ports below 1024 are privileged; choose 1024 or higher, or 0 for any free port.') : undefined,
      );
    case 'EADDRNOTAVAIL':
      return new SocketLabError(l10n.t('Address {0} is not an address of this machine (EADDRNOTAVAIL).', host), code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SocketLabError(l10n.t('Host name {0} could not be resolved ({1}).', host, code), code);
    default: {
      const detail = err instanceof Error ? err.message : String(err);
      return new SocketLabError(l10n.t('Could not listen on {0}: {1}', where, detail), code);
    }
  }
}

/** Turns a failed `connect` into `connection refused (ECONNREFUSED) 127.0.0.1:PORT` style text. */
export function describeConnectError(err: unknown, host: string, port: number): SocketLabError {
  const code = errnoCode(err) ?? 'UNKNOWN';
  const where = formatHostPort(host, port);
  const meaning: Record<string, string> = {
    ECONNREFUSED: l10n.t('connection refused'),
    ETIMEDOUT: l10n.t('connection timed out'),
    EHOSTUNREACH: l10n.t('host unreachable'),
    ENETUNREACH: l10n.t('network unreachable'),
    ECONNRESET: l10n.t('connection reset by peer'),
    ENOTFOUND: l10n.t('host not found'),
    EAI_AGAIN: l10n.t('host name lookup failed'),
    EADDRNOTAVAIL: l10n.t('address not available'),
  };
  const text = meaning[code] ?? (err instanceof Error ? err.message : l10n.t('connection failed'));
  return new SocketLabError(`${text} (${code}) ${where}`, code);
}

/** A port the OS calls free right now on `host` (for "port in use: try this one"). */
export function findFreePort(host: string, transport: 'tcp' | 'udp' = 'tcp'): Promise<number | undefined> {
  return new Promise((resolve) => {
    if (transport === 'udp') {
      const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', () => resolve(undefined));
      s.bind(0, host, () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
      return;
    }
    const srv = net.createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ host, port: 0 }, () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : undefined));
    });
  });
}
