import net from 'node:net';
import type { Target } from '../../engine/target';
import { countCorrupt, fillPattern } from './pattern';
import type { LoadTally } from './result';

/**
 * One TCP or Unix stream connection of the load generator. Replies arrive in order, so the
 * expected byte stream is messages 0, 1, 2, … back to back; `recvSeq`/`recvOffset` track where
 * in it the next byte belongs.
 */
export class StreamLoadConnection {
  private socket!: net.Socket;
  private sendSeq = 0;
  private recvSeq = 0;
  private recvOffset = 0;
  /** Intended send times of messages in flight (ms), oldest first. */
  private readonly sentAt: number[] = [];
  private sentHead = 0;
  private readonly reusable: Buffer;
  open = false;
  sending = true;

  constructor(
    private readonly index: number,
    private readonly size: number,
    private readonly tally: LoadTally,
    private readonly closedLoop: boolean,
  ) {
    this.reusable = Buffer.allocUnsafe(size);
  }

  connect(target: Target): Promise<void> {
    return new Promise((resolve, reject) => {
      // `onread` fills one reused buffer: no Buffer allocation and no stream machinery per read,
      // which is what keeps this generator from being the bottleneck.
      const onread = { buffer: Buffer.allocUnsafe(64 * 1024), callback: (n: number, buf: Uint8Array) => (this.onData(buf, n), true) };
      const s = target.transport === 'unix' ? net.connect({ path: target.path, onread }) : net.connect({ host: target.host, port: target.port, noDelay: true, onread });
      this.socket = s;
      s.once('connect', () => {
        this.open = true;
        s.off('error', reject);
        s.on('error', (err: NodeJS.ErrnoException) => this.tally.error(err.code ?? 'ERROR'));
        s.on('close', () => (this.open = false));
        resolve();
      });
      s.once('error', reject);
    });
  }

  get inFlight(): number {
    return this.sentAt.length - this.sentHead;
  }

  /** Sends the next message; `intendedAt` is when the schedule wanted it sent (open loop). */
  send(intendedAt: number): void {
    if (!this.open || !this.sending) return;
    // Closed loop: the previous message was fully echoed, so its buffer is free to reuse.
    const buf = this.closedLoop ? this.reusable : Buffer.allocUnsafe(this.size);
    fillPattern(buf, this.index, this.sendSeq++);
    this.sentAt.push(intendedAt);
    this.tally.bytesSent += this.size;
    this.socket.write(buf);
  }

  private onData(chunk: Uint8Array, length: number): void {
    const now = performance.now();
    let i = 0;
    while (i < length) {
      if (this.inFlight === 0) {
        // More bytes than were sent: all of them are wrong.
        this.tally.corruptBytes += length - i;
        return;
      }
      const take = Math.min(length - i, this.size - this.recvOffset);
      const bad = countCorrupt(chunk, i, i + take, this.index, this.recvSeq, this.recvOffset);
      this.tally.corruptBytes += bad;
      this.tally.bytesVerified += take - bad;
      this.recvOffset += take;
      i += take;
      if (this.recvOffset === this.size) {
        this.recvOffset = 0;
        this.recvSeq++;
        this.tally.complete(this.sentAt[this.sentHead++]!, now);
        if (this.sentHead > 1024 && this.sentHead * 2 > this.sentAt.length) {
          this.sentAt.splice(0, this.sentHead);
          this.sentHead = 0;
        }
        if (this.closedLoop) this.send(now);
      }
    }
  }

  /** Bytes sent but never echoed. */
  get missingBytes(): number {
    return this.inFlight * this.size - this.recvOffset;
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}
