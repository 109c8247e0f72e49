// Entry of a server's connection thread (bundled as dist/connection-thread.js). Serves one
// connection at a time with blocking-style code: recv() parks the thread in Atomics.wait until
// the server (which owns the socket: worker threads cannot) hands it bytes. Between connections
// the thread parks as an idle spare. Its state lives in the arena, sampled by the inspector.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { toErrorInfo } from '../../errors';
import { Arena } from '../../runtime/arena';
import { ThreadState } from '../../runtime/threadState';
import type { HandlerPhase } from '../../../protocol/views';
import { HANDLERS, type HandlerContext } from '../handlers';
import { Channel, F_EOF, F_GONE, F_INPUT_HELD, ring } from './channel';
import { type DatagramJob, type FromWorker, ownBytes, SIG_WAKE, type StreamJob, type ToWorker } from './messages';

interface ThreadInit {
  readonly arena: SharedArrayBuffer;
  readonly slot: number;
  readonly signal: SharedArrayBuffer;
  readonly channel: SharedArrayBuffer;
  readonly bell: SharedArrayBuffer;
}

const init = workerData as ThreadInit;
const arena = new Arena(init.arena);
const slot = init.slot;
const signal = new Int32Array(init.signal);
const channel = new Channel(init.channel);
const bell = new Int32Array(init.bell);
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

/** One connection's bytes, read from and written to the channel's rings. */
class Stream {
  closed = false;

  /** Like socket.recv(n): at most n bytes, blocking until some arrive; null (b'') at end of stream. */
  recv(n: number): Buffer | null {
    // Only a recv that has to wait shows as blocked (two state stores fewer per message otherwise).
    if (channel.input.available === 0) {
      arena.setState(slot, ThreadState.Recv);
      const ok = channel.input.waitForData(() => channel.flag(F_EOF) || channel.flag(F_GONE));
      arena.setState(slot, ThreadState.Running);
      if (!ok) return null;
    }
    const data = channel.input.read(n);
    // The server held input back for lack of room: tell it there is room now.
    if (channel.flag(F_INPUT_HELD)) ring(bell);
    return data;
  }

  /** Like sendall: blocks while the output ring is full (the client is not reading). */
  sendall(data: Uint8Array): void {
    let rest = data;
    for (;;) {
      const n = channel.output.write(rest);
      ring(bell);
      if (n === rest.length) return;
      rest = rest.subarray(n);
      arena.setState(slot, ThreadState.Sending);
      const ok = channel.output.waitForRoom(() => channel.flag(F_GONE));
      arena.setState(slot, ThreadState.Running);
      if (!ok) return; // the socket is gone: nowhere to send
    }
  }
}

function phase(seq: number, p: HandlerPhase): void {
  post({ t: 'phase', seq, phase: p });
}

function datagramContext(seq: number): HandlerContext {
  return {
    datagram: true,
    send(data) {
      arena.setState(slot, ThreadState.Sending);
      const b = ownBytes(data);
      post({ t: 'send', seq, b }, [b.buffer as ArrayBuffer]);
      arena.setState(slot, ThreadState.Running);
    },
    close() {},
  };
}

function serveStream(job: StreamJob): void {
  const stream = new Stream();
  const ctx: HandlerContext = {
    datagram: false,
    // sendall shows `sending` only while it waits for room (the client is not reading).
    send: (data) => stream.sendall(typeof data === 'string' ? Buffer.from(data) : data),
    close() {
      if (stream.closed) return;
      stream.closed = true;
      post({ t: 'close', seq: job.seq });
    },
  };
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
    const session = HANDLERS[job.handler].create(datagramContext(job.seq), job.arg);
    session.setup?.();
    session.handle(Buffer.from(job.b.buffer, job.b.byteOffset, job.b.length));
    session.finish?.();
  } catch (err) {
    post({ t: 'error', seq: job.seq, error: toErrorInfo(err) });
  }
}

post({ t: 'ready' });
for (;;) {
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
