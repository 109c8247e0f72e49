import net from 'node:net';
import type { Target } from '../../engine/target';
import type { MessageFormat } from './payload';
import type { LoadTally } from './result';

/**
 * One TCP or Unix stream connection of the load generator. Replies arrive in order, so the
 * expected byte stream is the replies to messages 0, 1, 2, … back to back; `recvSeq`/`recvOffset`
 * track where in it the next byte belongs. When the reply cannot be predicted (`--expect any`),
 * bytes arriving answer every message in flight; when there is none (`--expect none`), a message
 * is done once the kernel took it, and any byte back is wrong.
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
  private closingByUs = false;
  open = false;
  sending = true;
  /** Resolves when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  constructor(
    private readonly size: number,
    private readonly tally: LoadTally,
    private readonly closedLoop: boolean,
    private readonly format: MessageFormat,
  ) {
    this.reusable = Buffer.allocUnsafe(size);
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
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
        s.on('close', () => {
          this.open = false;
          if (!this.closingByUs) this.tally.closedByServer++;
          this.markClosed();
        });
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
    // Closed loop: the previous message was fully answered (or, expecting no reply, fully handed
    // to the kernel), so its buffer is free to reuse.
    const buf = this.closedLoop ? this.reusable : Buffer.allocUnsafe(this.size);
    this.format.fill(buf, this.sendSeq++);
    this.sentAt.push(intendedAt);
    this.tally.bytesSent += this.size;
    if (this.format.expect === 'none') this.socket.write(buf, (err) => this.onTaken(err));
    else this.socket.write(buf);
  }

  /** Expecting no reply, a message is done once the kernel took it. */
  private onTaken(err: Error | null | undefined): void {
    if (err) return;
    // A write the kernel took at once calls back on the next tick; sending the next message from
    // there would chain ticks and starve the timers that end the run, so it waits for the next
    // turn of the event loop.
    this.completeOldest(performance.now(), false);
    if (this.closedLoop) setImmediate(() => this.send(performance.now()));
  }

  private completeOldest(now: number, sendNext = this.closedLoop): void {
    this.tally.complete(this.sentAt[this.sentHead++]!, now);
    if (this.sentHead > 1024 && this.sentHead * 2 > this.sentAt.length) {
      this.sentAt.splice(0, this.sentHead);
      this.sentHead = 0;
    }
    if (sendNext) this.send(now);
  }

  private onData(chunk: Uint8Array, length: number): void {
    const now = performance.now();
    this.tally.bytesReceived += length;
    if (this.format.expect === 'none') {
      this.tally.corruptBytes += length;
      return;
    }
    if (this.format.expect === 'any') {
      // Bytes before any message (a greeting) answer nothing; otherwise they answer all in flight.
      this.tally.bytesVerified += length;
      for (let n = this.inFlight; n > 0; n--) this.completeOldest(now);
      return;
    }
    let i = 0;
    while (i < length) {
      if (this.inFlight === 0) {
        // More bytes than were sent: all of them are wrong.
        this.tally.corruptBytes += length - i;
        return;
      }
      const take = Math.min(length - i, this.size - this.recvOffset);
      const bad = this.format.corrupt(chunk, i, i + take, this.recvSeq, this.recvOffset);
      this.tally.corruptBytes += bad;
      this.tally.bytesVerified += take - bad;
      this.recvOffset += take;
      i += take;
      if (this.recvOffset === this.size) {
        this.recvOffset = 0;
        this.recvSeq++;
        this.completeOldest(now);
      }
    }
  }

  /** Bytes sent but never answered (or, expecting no reply, never taken by the kernel). */
  get missingBytes(): number {
    return this.inFlight * this.size - this.recvOffset;
  }

  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    this.closingByUs = true;
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}
