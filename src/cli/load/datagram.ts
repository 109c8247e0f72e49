import dgram from 'node:dgram';
import net from 'node:net';
import type { MessageFormat } from './payload';
import type { LoadTally } from './result';

/**
 * One UDP "connection" of the load generator: a connected datagram socket. Datagrams may be lost
 * or reordered, so each carries its number in its first bytes (when it has room; see
 * MessageFormat.seqBytes). With `--expect any` a datagram back answers the oldest outstanding
 * one; with `--expect none` a datagram is done once sent, and any datagram back is wrong.
 */
export class DatagramLoadConnection {
  private socket!: dgram.Socket;
  private sendSeq = 0;
  /** Datagrams awaiting their reply, by the number they carry: the message number and intended send time. */
  private readonly outstanding = new Map<number, { readonly seq: number; readonly at: number }>();
  open = false;
  sending = true;
  /** UDP has no connection for a server to close: this resolves only once we close. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  constructor(
    private readonly size: number,
    private readonly tally: LoadTally,
    private readonly closedLoop: boolean,
    private readonly timeoutMs: number,
    private readonly format: MessageFormat,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

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
    this.format.fill(buf, seq);
    this.format.stampSeq(buf, seq);
    const expectsReply = this.format.expect !== 'none';
    if (expectsReply) this.outstanding.set(this.format.seqKey(seq), { seq, at: intendedAt });
    this.tally.bytesSent += this.size;
    this.socket.send(buf, (err) => {
      if (err) this.tally.error((err as NodeJS.ErrnoException).code ?? 'ERROR');
      else if (!expectsReply) {
        this.tally.complete(intendedAt, performance.now());
        // As for streams: the next send waits a turn of the event loop so timers still run.
        if (this.closedLoop) setImmediate(() => this.send(performance.now()));
      }
    });
  }

  /** Drops datagrams unanswered for longer than the timeout (lost); closed loop sends the next. */
  expire(now: number): void {
    for (const [key, { at }] of this.outstanding) {
      if (now - at < this.timeoutMs) continue;
      this.outstanding.delete(key);
      this.tally.missingBytes += this.size;
      if (this.closedLoop) this.send(now);
    }
  }

  private onMessage(msg: Buffer): void {
    const now = performance.now();
    this.tally.bytesReceived += msg.length;
    if (this.format.expect === 'none') {
      this.tally.corruptBytes += msg.length;
      return;
    }
    if (this.format.expect === 'any') {
      const oldest = this.outstanding.entries().next();
      this.tally.bytesVerified += msg.length;
      if (oldest.done) return;
      this.answer(oldest.value[0], oldest.value[1].at, now);
      return;
    }
    const key = this.format.seqBytes > 0 ? this.format.readSeq(msg) : this.format.seqKey(this.sendSeq - 1);
    const sent = key === undefined ? undefined : this.outstanding.get(key);
    if (key === undefined || sent === undefined || msg.length !== this.size) {
      this.tally.corruptBytes += msg.length; // unknown, duplicate or wrong-sized datagram
      return;
    }
    const from = this.format.seqBytes;
    const bad = this.format.corrupt(msg, from, msg.length, sent.seq, from);
    this.tally.corruptBytes += bad;
    this.tally.bytesVerified += msg.length - bad;
    this.answer(key, sent.at, now);
  }

  private answer(key: number, at: number, now: number): void {
    this.outstanding.delete(key);
    this.tally.complete(at, now);
    if (this.closedLoop) this.send(now);
  }

  get missingBytes(): number {
    return this.outstanding.size * this.size;
  }

  close(): Promise<void> {
    this.open = false;
    return new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    }).then(() => this.markClosed());
  }
}
