import dgram from 'node:dgram';
import net from 'node:net';
import { describeConnectError, formatHostPort, type SocketLabError } from '../../engine/errors';
import type { Target } from '../../engine/target';

export interface ConnectionEvents {
  data(chunk: Buffer): void;
  /** The peer finished sending (FIN); streams only. */
  end(): void;
  close(): void;
  error(err: SocketLabError): void;
}

/** One client connection over TCP, a Unix stream socket, or connected UDP. */
export interface ClientConnection {
  readonly stream: boolean;
  /** Our end, `127.0.0.1:51234`, as the server's connection row names it (none for a Unix socket). */
  readonly local: string | undefined;
  write(data: Uint8Array): void;
  /** shutdown(SHUT_WR): stop sending, keep reading (the connection closes once the peer ends too). */
  halfClose(): void;
  /** Abort with RST. */
  reset(): void;
  /** Close now, whatever the peer is still sending. */
  destroy(): void;
  /** Stop reading while our output cannot keep up (TCP's window then holds the peer back). UDP cannot be held back: no-ops. */
  pause(): void;
  resume(): void;
}

function describe(target: Target, err: unknown): SocketLabError {
  return target.transport === 'unix' ? describeConnectError(err, target.path, 0) : describeConnectError(err, target.host, target.port);
}

export function openConnection(target: Target, on: ConnectionEvents): Promise<ClientConnection> {
  return target.transport === 'udp' ? openDatagram(target, on) : openStream(target, on);
}

function openStream(target: Target, on: ConnectionEvents): Promise<ClientConnection> {
  return new Promise((resolve, reject) => {
    // allowHalfOpen: our FIN and the server's are separate events; the session decides when to close.
    const s = target.transport === 'unix' ? net.connect({ path: target.path, allowHalfOpen: true }) : net.connect({ host: target.host, port: target.port, noDelay: true, allowHalfOpen: true });
    s.once('error', (err) => reject(describe(target, err)));
    s.once('connect', () => {
      s.removeAllListeners('error');
      s.on('error', (err) => on.error(describe(target, err)));
      s.on('data', (d: Buffer) => on.data(d));
      s.on('end', () => on.end());
      s.on('close', () => on.close());
      resolve({
        stream: true,
        local: s.localPort === undefined ? undefined : formatHostPort(s.localAddress ?? '', s.localPort),
        write: (d) => void s.write(d),
        // Once both sides have sent FIN the socket closes itself (autoDestroy).
        halfClose: () => {
          if (!s.writableEnded) s.end();
        },
        reset: () => void s.resetAndDestroy(),
        destroy: () => void s.destroy(),
        pause: () => void s.pause(),
        resume: () => void s.resume(),
      });
    });
  });
}

function openDatagram(target: Extract<Target, { transport: 'udp' | 'tcp' }>, on: ConnectionEvents): Promise<ClientConnection> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket(net.isIPv6(target.host) ? 'udp6' : 'udp4');
    s.once('error', (err) => reject(describe(target, err)));
    s.connect(target.port, target.host, () => {
      s.removeAllListeners('error');
      // On a connected UDP socket an ICMP "port unreachable" arrives as ECONNREFUSED.
      s.on('error', (err) => on.error(describe(target, err)));
      s.on('message', (m) => on.data(m));
      s.on('close', () => on.close());
      let open = true;
      const close = () => {
        if (!open) return;
        open = false;
        s.close();
      };
      const local = s.address();
      resolve({
        stream: false,
        local: formatHostPort(local.address, local.port),
        write: (d) => s.send(d, (err) => err && on.error(describe(target, err))),
        halfClose: close,
        reset: close,
        destroy: close,
        pause: () => undefined,
        resume: () => undefined,
      });
    });
  });
}
