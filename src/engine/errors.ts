import type { ErrorInfo } from './state/views';

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
export function describeListenError(err: unknown, host: string, port: number): SocketLabError {
  const code = errnoCode(err) ?? 'UNKNOWN';
  const where = formatHostPort(host, port);
  switch (code) {
    case 'EADDRINUSE':
      return new SocketLabError(
        `Port ${port} is already in use on ${host} (EADDRINUSE): another socket is listening there.`,
        code,
        'Socket Lab sets SO_REUSEADDR, so a connection lingering in TIME_WAIT would not block it; a live listener does. Stop it or use a free port.',
      );
    case 'EACCES':
      return new SocketLabError(
        `Permission denied to listen on ${where} (EACCES).`,
        code,
        port > 0 && port < 1024 ? 'Ports below 1024 are privileged; choose 1024 or higher, or 0 for any free port.' : undefined,
      );
    case 'EADDRNOTAVAIL':
      return new SocketLabError(`Address ${host} is not an address of this machine (EADDRNOTAVAIL).`, code);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SocketLabError(`Host name ${host} could not be resolved (${code}).`, code);
    default: {
      const detail = err instanceof Error ? err.message : String(err);
      return new SocketLabError(`Could not listen on ${where}: ${detail}`, code);
    }
  }
}

/** Turns a failed `connect` into `connection refused (ECONNREFUSED) 127.0.0.1:PORT` style text. */
export function describeConnectError(err: unknown, host: string, port: number): SocketLabError {
  const code = errnoCode(err) ?? 'UNKNOWN';
  const where = formatHostPort(host, port);
  const meaning: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ECONNRESET: 'connection reset by peer',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    EADDRNOTAVAIL: 'address not available',
  };
  const text = meaning[code] ?? (err instanceof Error ? err.message : 'connection failed');
  return new SocketLabError(`${text} (${code}) ${where}`, code);
}
