import type { WorkerScripts } from '../workers/spawn';
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../log';
import type { StateModel } from '../state/model';
import type { ErrorInfo } from '../../protocol/views';
import { describeListenError, errnoCode, findFreePort, formatHostPort } from '../errors';
import type { ResolvedServerOptions } from './options';
import { Server } from './server';
import { UdpPeer } from './udpPeer';
import type { Followers } from './streamCapture';
import type { StreamSource } from './connectionCapture';

/** A peer quiet this long is shown as closed (UDP has no close); the idle timeout shortens it. */
const PEER_IDLE_MS = 30_000;
/** Peers remembered at once; the quietest is forgotten first. */
const MAX_PEERS = 10_000;
/** The largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP header bytes). */
export const MAX_UDP_PAYLOAD = 65_507;

/** socketserver.UDPServer and its mix-ins: every datagram is a request, answered with sendto. */
export class DatagramServer extends Server {
  private readonly peers = new Map<string, UdpPeer>();
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly peerIdleMs: number;

  private constructor(
    id: string,
    options: ResolvedServerOptions,
    private readonly socket: dgram.Socket,
    host: string,
    port: number,
    model: StateModel,
    log: Logger,
    workers: WorkerScripts,
  ) {
    super(id, options, host, port, model, log, workers);
    this.peerIdleMs = options.idleTimeoutMs > 0 ? options.idleTimeoutMs : PEER_IDLE_MS;
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
    socket.on('error', (err) => this.listenerError(err));
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(5000, this.peerIdleMs));
    this.sweepTimer.unref();
  }

  static async start(options: ResolvedServerOptions, model: StateModel, log: Logger, workers: WorkerScripts): Promise<DatagramServer> {
    const type = net.isIPv6(options.host) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({ type, reuseAddr: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: options.host, port: options.port, exclusive: true }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      socket.close();
      const free = errnoCode(err) === 'EADDRINUSE' ? await findFreePort(options.host, 'udp') : undefined;
      throw describeListenError(err, options.host, options.port, 'udp', free);
    }
    const addr = socket.address();
    const server = new DatagramServer(model.newId('server'), options, socket, addr.address, addr.port, model, log, workers);
    log.info(`${server.describe()} listening`);
    return server;
  }

  get address(): string {
    return formatHostPort(this.host, this.port);
  }

  override closeConnection(id: string): boolean {
    for (const p of this.peers.values()) {
      if (p.id === id) {
        this.forget(p, 'forgotten by user');
        return true;
      }
    }
    return super.closeConnection(id);
  }

  protected async closeListener(): Promise<void> {
    clearInterval(this.sweepTimer);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    for (const p of [...this.peers.values()]) this.forget(p, 'server stopped');
  }

  private receive(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.state !== 'listening') return;
    const key = formatHostPort(rinfo.address, rinfo.port);
    let peer = this.peers.get(key);
    if (!peer) {
      if (this.peers.size >= MAX_PEERS) this.forgetQuietest();
      peer = new UdpPeer(this.model.newId('conn'), this.id, key, rinfo.address, rinfo.port, this.address, this.model);
      this.peers.set(key, peer);
      this.totalConnections++;
      this.onStreamEmitter.fire({ id: peer.id, name: `conn ${key}`, followers: peer.followers });
    } else {
      // Map order is recency order: the quietest peer is always first.
      this.peers.delete(key);
      this.peers.set(key, peer);
    }
    peer.received(msg);
    this.reportBytes(msg.length, 0);
    this.noteReady(key, false);
    const p = peer;
    p.inFlight++;
    // The response time ends at the first reply to this datagram.
    let receivedAt = performance.now();
    this.dispatcher.datagram({
      data: msg,
      peer: key,
      reply: (data) => {
        if (receivedAt) {
          this.reportLatency((performance.now() - receivedAt) * 1000);
          receivedAt = 0;
        }
        this.reply(p, data);
      },
      fail: (error) => this.datagramFailed(p, error),
      done: (by, byId) => {
        p.inFlight--;
        p.served(by, byId);
      },
    });
  }

  private reply(peer: UdpPeer, data: Uint8Array | string): void {
    // A thread or child may answer a datagram after the socket closed (stopping): drop it.
    if (this.state !== 'listening') return;
    const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (n > MAX_UDP_PAYLOAD) {
      this.datagramFailed(peer, { type: 'EMSGSIZE', message: `a reply of ${n} bytes does not fit in one UDP datagram (at most ${MAX_UDP_PAYLOAD} bytes); it was not sent` });
      return;
    }
    const failed = (err: Error) => this.datagramFailed(peer, { type: (err as { code?: string }).code ?? err.name, message: `could not send to ${peer.peer}: ${err.message}` });
    try {
      this.socket.send(data, peer.port, peer.address, (err) => err && failed(err));
    } catch (err) {
      failed(err as Error);
      return;
    }
    peer.sent(data, n);
    this.reportBytes(0, n);
  }

  private datagramFailed(peer: UdpPeer, error: ErrorInfo): void {
    peer.fail(error);
    this.reportHandlerError(peer, error);
  }

  private sweep(): void {
    const cutoff = Date.now() - this.peerIdleMs;
    for (const p of this.peers.values()) {
      if (p.lastActivityAt >= cutoff) break;
      if (p.inFlight === 0) this.forget(p, `quiet for ${Math.round(this.peerIdleMs / 1000)} s`);
    }
  }

  private forgetQuietest(): void {
    const first = this.peers.values().next().value;
    if (first) this.forget(first, 'forgotten: too many peers');
  }

  private forget(p: UdpPeer, reason: string): void {
    this.peers.delete(p.peer);
    p.end(reason);
    this.model.touch(this);
  }

  override liveStreams(): StreamSource[] {
    return [...this.peers.values()].map((p) => ({ id: p.id, name: `conn ${p.peer}`, followers: p.followers }));
  }

  override streamOf(id: string): Followers | undefined {
    for (const p of this.peers.values()) if (p.id === id) return p.followers;
    return undefined;
  }

  override view(): ReturnType<Server['view']> {
    return { ...super.view(), liveConnections: this.peers.size };
  }
}
