import net from 'node:net';
import util from 'node:util';

/**
 * A bound stream socket that this process never accepts on: prefork children listen on it and
 * accept themselves. It is what Node's own cluster module shares with its workers
 * (`net._createServerHandle`: bind without listen), since a net.Server in the parent would take
 * connections too. Kept here, behind one function, because that helper is not public API: where it
 * is missing, process-per-connection falls back to handing each accepted socket to a child.
 */
export interface SharedListener {
  /** The raw handle to send to children (child.send(message, handle)). */
  readonly handle: object;
  readonly host: string;
  readonly port: number;
  /** Closes this process's copy (a Unix socket's file is unlinked); children close theirs. */
  close(): void;
}

interface RawHandle {
  getsockname?(out: { address?: string; port?: number }): number;
  close(): void;
}

type CreateServerHandle = (address: string, port: number, addressType: number, fd?: number, flags?: number) => RawHandle | number;

function creator(): CreateServerHandle | undefined {
  const f = (net as unknown as { _createServerHandle?: unknown })._createServerHandle;
  return typeof f === 'function' ? (f as CreateServerHandle) : undefined;
}

export function sharedListenerSupported(): boolean {
  return creator() !== undefined;
}

/** Binds (does not listen). Throws an Error with the errno `code` (EADDRINUSE, EACCES, …). */
export function bindShared(where: { readonly host: string; readonly port: number } | { readonly path: string }): SharedListener {
  const create = creator();
  if (!create) throw Object.assign(new Error('shared listening sockets are not available in this Node'), { code: 'ENOTSUP' });
  const raw = 'path' in where ? create(where.path, -1, -1) : create(where.host, where.port, net.isIPv6(where.host) ? 6 : 4);
  if (typeof raw === 'number') {
    const code = util.getSystemErrorName(raw);
    throw Object.assign(new Error(`bind ${code}`), { code, errno: raw, syscall: 'bind' });
  }
  let host = 'path' in where ? where.path : where.host;
  let port = 'path' in where ? 0 : where.port;
  if (!('path' in where) && raw.getsockname) {
    const out: { address?: string; port?: number } = {};
    if (raw.getsockname(out) === 0) {
      host = out.address ?? host;
      port = out.port ?? port;
    }
  }
  let closed = false;
  return {
    handle: raw,
    host,
    port,
    close() {
      if (closed) return;
      closed = true;
      raw.close();
    },
  };
}
