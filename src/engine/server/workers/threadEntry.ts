// Entry of a server's connection thread (bundled as dist/connection-thread.js). Serves one
// connection at a time with blocking-style code: recv() parks the thread in Atomics.wait until
// the server (which owns the socket: worker threads cannot) hands it bytes. Between connections
// the thread parks as an idle spare. Its state lives in the arena, sampled by the inspector.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { toErrorInfo } from '../../errors';
import { Arena } from '../../runtime/arena';
import { ThreadState } from '../../runtime/threadState';
import type { HandlerPhase } from '../../state/views';
import { HANDLERS, type HandlerContext } from '../handlers';
import { type DatagramJob, type FromWorker, INPUT_LIMIT, ownBytes, SIG_INFLIGHT, SIG_PAUSED, SIG_WAKE, type StreamJob, type ToWorker } from './messages';

interface ThreadInit {
  readonly arena: SharedArrayBuffer;
  readonly slot: number;
  readonly signal: SharedArrayBuffer;
}

const init = workerData as ThreadInit;
const arena = new Arena(init.arena);
const slot = init.slot;
const signal = new Int32Array(init.signal);
const port = parentPort as unknown as MessagePort;

function post(m: FromWorker, transfer?: ArrayBuffer[]): void {
  port.postMessage(m, transfer);
}

/** Blocks until the server posts something: the server bumps SIG_WAKE and notifies after each post. */
function receive(): ToWorker {
  for (;;) {
    const seen = Atomics.load(signal, SIG_WAKE);
    const got = receiveMessageOnPort(port);
    if (got) return got.message as ToWorker;
    Atomics.wait(signal, SIG_WAKE, seen);
  }
}

class Stream {
  private pending: Buffer | null = null;
  private eof = false;
  closed = false;

  constructor(private readonly job: StreamJob) {}

  /** Like socket.recv(n): at most n bytes, blocking until some arrive; empty at end of stream. */
  recv(n: number): Buffer | null {
    while (!this.pending && !this.eof) {
      arena.setState(slot, ThreadState.Recv);
      const m = receive();
      if (m.t === 'data' && m.seq === this.job.seq) {
        const left = Atomics.sub(signal, SIG_INFLIGHT, m.b.length) - m.b.length;
        if (left < INPUT_LIMIT / 2 && Atomics.compareExchange(signal, SIG_PAUSED, 1, 0) === 1) post({ t: 'resume', seq: this.job.seq });
        this.pending = Buffer.from(m.b.buffer, m.b.byteOffset, m.b.length);
      } else if (m.t === 'eof' && m.seq === this.job.seq) this.eof = true;
      else if (m.t === 'exit') {
        this.eof = true;
        exiting = true;
      }
      // Anything else belongs to a job that already ended: dropped.
    }
    arena.setState(slot, ThreadState.Running);
    if (!this.pending) return null;
    const chunk = this.pending;
    if (chunk.length <= n) {
      this.pending = null;
      return chunk;
    }
    this.pending = chunk.subarray(n);
    return chunk.subarray(0, n);
  }
}

let exiting = false;

function phase(seq: number, p: HandlerPhase): void {
  post({ t: 'phase', seq, phase: p });
}

function context(seq: number, datagram: boolean, onClose: () => void): HandlerContext {
  return {
    datagram,
    send(data) {
      arena.setState(slot, ThreadState.Sending);
      const b = ownBytes(data);
      post({ t: 'send', seq, b }, [b.buffer as ArrayBuffer]);
      arena.setState(slot, ThreadState.Running);
    },
    close: onClose,
  };
}

function serveStream(job: StreamJob): void {
  const stream = new Stream(job);
  const ctx = context(job.seq, false, () => {
    if (stream.closed) return;
    stream.closed = true;
    post({ t: 'close', seq: job.seq });
  });
  try {
    const session = HANDLERS[job.handler].create(ctx, job.arg);
    phase(job.seq, 'setup');
    session.setup?.();
    phase(job.seq, 'handle');
    // socketserver's StreamRequestHandler loop: recv until b'' (or the handler closed).
    while (!stream.closed) {
      const data = stream.recv(job.recvSize);
      if (!data) break;
      session.handle(data);
    }
    phase(job.seq, 'finish');
    session.finish?.();
  } catch (err) {
    post({ t: 'error', seq: job.seq, error: toErrorInfo(err) });
  }
}

function serveDatagram(job: DatagramJob): void {
  try {
    const session = HANDLERS[job.handler].create(context(job.seq, true, () => {}), job.arg);
    session.setup?.();
    session.handle(Buffer.from(job.b.buffer, job.b.byteOffset, job.b.length));
    session.finish?.();
  } catch (err) {
    post({ t: 'error', seq: job.seq, error: toErrorInfo(err) });
  }
}

post({ t: 'ready' });
while (!exiting) {
  arena.setState(slot, ThreadState.Idle);
  const job = receive();
  if (job.t === 'exit') break;
  if (job.t !== 'stream' && job.t !== 'dgram') continue;
  arena.setState(slot, ThreadState.Running);
  if (job.t === 'stream') serveStream(job);
  else serveDatagram(job);
  post({ t: 'done', seq: job.seq });
}
arena.setState(slot, ThreadState.Done);
