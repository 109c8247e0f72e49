import dgram from 'node:dgram';
import net from 'node:net';
import { countCorrupt, fillPattern } from './pattern';
import type { LoadTally } from './result';

const SEQ_BYTES = 4;

/**
 * One UDP "connection" of the load generator: a connected datagram socket. Datagrams may be lost
 * or reordered, so each carries its sequence number in its first 4 bytes (when it has room).
 */
export class DatagramLoadConnection {
  private socket!: dgram.Socket;
  private sendSeq = 0;
  private readonly outstanding = new Map<number, number>();
  open = false;
  sending = true;

  constructor(
    private readonly index: number,
    private readonly size: number,
    private readonly tally: LoadTally,
    private readonly closedLoop: boolean,
    private readonly timeoutMs: number,
  ) {}

  connect(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
      this.socket = s;
      s.once('error', reject);
      s.connect(port, host, () => {
        s.off('error', reject);
        this.open = true;
        s.on('error', (err: NodeJS.ErrnoException) => this.tally.error(err.code ?? 'ERROR'));
        s.on('message', (msg) => this.onMessage(msg));
        resolve();
      });
    });
  }

  get inFlight(): number {
    return this.outstanding.size;
  }

  send(intendedAt: number): void {
    if (!this.open || !this.sending) return;
    const seq = this.sendSeq++;
    const buf = Buffer.allocUnsafe(this.size);
    fillPattern(buf, this.index, seq);
    if (this.size >= SEQ_BYTES) buf.writeUInt32BE(seq >>> 0, 0);
    this.outstanding.set(seq, intendedAt);
    this.tally.bytesSent += this.size;
    this.socket.send(buf, (err) => {
      if (err) this.tally.error((err as NodeJS.ErrnoException).code ?? 'ERROR');
    });
  }

  /** Drops datagrams unanswered for longer than the timeout (lost); closed loop sends the next. */
  expire(now: number): void {
    for (const [seq, at] of this.outstanding) {
      if (now - at < this.timeoutMs) continue;
      this.outstanding.delete(seq);
      this.tally.missingBytes += this.size;
      if (this.closedLoop) this.send(now);
    }
  }

  private onMessage(msg: Buffer): void {
    const now = performance.now();
    const seq = this.size >= SEQ_BYTES && msg.length >= SEQ_BYTES ? msg.readUInt32BE(0) : this.sendSeq - 1;
    const at = this.outstanding.get(seq);
    if (at === undefined || msg.length !== this.size) {
      this.tally.corruptBytes += msg.length; // unknown, duplicate or wrong-sized datagram
      return;
    }
    this.outstanding.delete(seq);
    const from = this.size >= SEQ_BYTES ? SEQ_BYTES : 0;
    const bad = countCorrupt(msg, from, msg.length, this.index, seq, from);
    this.tally.corruptBytes += bad;
    this.tally.bytesVerified += msg.length - bad;
    this.tally.complete(at, now);
    if (this.closedLoop) this.send(now);
  }

  get missingBytes(): number {
    return this.outstanding.size * this.size;
  }

  close(): Promise<void> {
    this.open = false;
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
