import type { Worker } from 'node:worker_threads';
import { nowMs, T_ALIVE } from '../../runtime/arena';
import type { RuntimeHost } from '../../runtime/runtimeHost';
import { ThreadState, threadStateName } from '../../runtime/threadState';
import type { Connection, ConnectionService } from '../connection';
import { Channel, F_EOF, F_GONE, F_INPUT_HELD } from '../workers/channel';
import { type FromWorker, ownBytes, SIG_INTS, SIG_WAKE, type ToWorker } from '../workers/messages';
import type { DatagramRequest, HandlerChoice } from './dispatcher';
import type { WorkerEvents } from './serviceWorker';
import { ConnectionWorker } from './connectionWorker';
import { startThread } from '../../workers/spawn';

/**
 * A real worker thread serving connections blocking-style (ThreadingTCPServer's thread). The
 * server keeps the socket — worker threads cannot own one — and moves its bytes through the
 * channel's rings: recv() sleeps in Atomics.wait until the server writes some. Datagrams and
 * control (phase, close, error, done) go as messages. Its state is a word in the arena.
 */
export class ConnectionThread extends ConnectionWorker {
  readonly kind = 'thread';
  protected readonly identName = 'ident';
  private worker: Worker | undefined;
  private readonly signal = new Int32Array(new SharedArrayBuffer(SIG_INTS * 4));
  /** The connection's bytes both ways (rings in shared memory; see workers/channel.ts). */
  private readonly channel = new Channel();
  /** Input that did not fit in the ring yet (the socket is paused meanwhile). */
  private held: Buffer[] = [];
  /**
   * The peer's FIN arrived while input was still held: the thread must see end-of-stream only
   * after it has read every byte sent before it, or its last replies are lost.
   */
  private eofHeld = false;
  constructor(
    host: RuntimeHost,
    id: string,
    slot: number,
    name: string,
    script: string,
    events: WorkerEvents,
    private readonly bell: Int32Array,
  ) {
    super(host, id, slot, name, script, events);
  }

  get ident(): number | null {
    return this.worker?.threadId ?? null;
  }

  start(): void {
    const worker = startThread(this.script, {
      workerData: { arena: this.host.arena.buffer, slot: this.slot, signal: this.signal.buffer, channel: this.channel.buffer, bell: this.bell.buffer },
      name: this.name,
      stdout: false,
      stderr: false,
    });
    this.worker = worker;
    this.alive = true;
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (err) => {
      this.error = { type: err.name, message: err.message, stack: err.stack };
      // One that never started is reported once by its pool, not once per attempt.
      if (this.ready) this.host.log.warn(`Exception in thread ${this.name}: ${err.stack ?? err.message}`);
    });
    this.exited = new Promise((resolve) => worker.once('exit', (code) => resolve(this.onExit(code))));
    this.host.model.touch(this);
  }

  serveStream(conn: Connection, choice: HandlerChoice): void {
    const seq = this.begin({ conn });
    // The thread is parked waiting for a job: nobody touches the rings now.
    this.channel.reset();
    this.held = [];
    this.eofHeld = false;
    this.post({ t: 'stream', seq, handler: choice.handler, arg: choice.arg, recvSize: choice.recvSize, idleTimeoutMs: choice.idleTimeoutMs });
    const channel = this.channel;
    const service: ConnectionService = {
      servedBy: this.label,
      servedById: this.id,
      servedByState: () => threadStateName(this.state),
      // Every callback checks the job: once 'done' arrived the thread may serve another
      // connection, and late bytes or a late FIN of this socket must not reach it.
      data: (chunk) => {
        if (this.job?.seq !== seq) return;
        if (this.held.length === 0) {
          const n = channel.input.write(chunk);
          if (n === chunk.length) return;
          chunk = chunk.subarray(n);
        }
        // The thread is behind: hold the rest and stop reading the socket until it catches up.
        // The flag goes up before the retry: a thread that read meanwhile left room (the retry
        // uses it), one that reads later sees the flag and rings.
        this.held.push(chunk);
        channel.set(F_INPUT_HELD, true);
        conn.pauseInput();
        this.feed(conn);
      },
      end: () => {
        if (this.job?.seq !== seq) return;
        if (this.held.length > 0) this.eofHeld = true;
        else this.endInput();
      },
      writable: () => {
        if (this.job?.seq === seq) this.pump();
      },
      closed: () => {
        if (this.job?.seq !== seq) return;
        channel.set(F_EOF, true);
        channel.set(F_GONE, true);
        channel.input.signal();
        channel.output.signal();
      },
    };
    conn.serve(service);
  }

  /**
   * The doorbell rang (or the socket drained): move the thread's output to the socket and held
   * input into the ring. Output stays in the ring while the socket is backed up, so a thread
   * whose client does not read ends up blocked in sendall, as in Python.
   */
  pump(all = false): void {
    const conn = this.job?.conn;
    if (!conn) return;
    const out = this.channel.output;
    while (out.available > 0 && (all || conn.writable)) conn.send(out.read(out.available)!);
    if (this.held.length > 0) this.feed(conn);
  }

  /** Moves held input into the ring; once all of it is in, reading the socket resumes. */
  private feed(conn: Connection): void {
    const input = this.channel.input;
    while (this.held.length > 0) {
      const chunk = this.held[0]!;
      const n = input.write(chunk);
      if (n < chunk.length) {
        this.held[0] = chunk.subarray(n);
        return;
      }
      this.held.shift();
    }
    this.channel.set(F_INPUT_HELD, false);
    if (this.eofHeld) {
      this.eofHeld = false;
      this.endInput();
    }
    conn.resumeInput();
  }

  /** recv() returns b'' once the ring is drained. */
  private endInput(): void {
    this.channel.set(F_EOF, true);
    this.channel.input.signal();
  }

  serveDatagram(request: DatagramRequest, choice: HandlerChoice): void {
    const seq = this.begin({ request });
    const b = ownBytes(request.data);
    this.post({ t: 'dgram', seq, handler: choice.handler, arg: choice.arg, recvSize: choice.recvSize, b }, [b.buffer as ArrayBuffer]);
  }

  retire(): void {
    if (this.alive) this.post({ t: 'exit' });
  }

  async kill(): Promise<void> {
    if (!this.worker || !this.alive) return;
    this.error ??= { type: 'Killed', message: `${this.name} was killed` };
    await this.worker.terminate();
    await this.exited;
  }

  private post(m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker!.postMessage(m, transfer);
    Atomics.add(this.signal, SIG_WAKE, 1);
    Atomics.notify(this.signal, SIG_WAKE, 1);
  }

  private onMessage(m: FromWorker): void {
    if (m.t === 'ready') {
      this.ready = true;
      this.events.ready(this);
      return;
    }
    const job = this.job;
    if (!job || !('seq' in m) || m.seq !== job.seq) return;
    const conn = job.conn;
    switch (m.t) {
      case 'send':
        // Datagram replies only: a connection's bytes come through the output ring.
        job.request?.reply(m.b);
        break;
      case 'close':
        this.pump(true);
        conn?.close('closed by handler');
        break;
      case 'phase':
        conn?.setPhase(m.phase);
        break;
      case 'error':
        if (conn) {
          // What the handler sent before it raised still goes out first.
          this.pump(true);
          conn.failHandler(m.error);
        } else job.request!.fail(m.error);
        break;
      case 'done':
        // Whatever the handler sent before finishing goes out before the close.
        if (conn) this.pump(true);
        this.job = undefined;
        if (conn) conn.close(conn.reason ?? 'handler finished');
        else job.request!.done(this.label, this.id);
        this.events.idle(this);
        break;
      default:
        break;
    }
  }

  private onExit(code: number): void {
    this.alive = false;
    this.endedAt = nowMs();
    const a = this.host.arena;
    const failed = code !== 0 || this.error !== null;
    a.setState(this.slot, failed ? ThreadState.Failed : ThreadState.Done);
    Atomics.store(a.i32, a.t(this.slot, T_ALIVE), 0);
    const reason = this.error?.type === 'Killed' ? `thread ${this.name} was killed` : `thread ${this.name} exited with code ${code}${this.error ? ` (${this.error.type}: ${this.error.message})` : ''}`;
    const job = this.job;
    this.job = undefined;
    if (job?.conn) job.conn.destroy(reason);
    else if (job?.request) job.request.done(this.label, this.id);
    this.ended(reason);
  }
}
