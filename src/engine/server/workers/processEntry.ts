// Entry of a server's child process (bundled as dist/connection-process.js), like a
// ForkingTCPServer child. Prefork (stream servers): it accepts from the listening socket the
// parent shares with it, takes one connection, stops accepting, serves it with the same handler
// code, and listens again when the parent asks. Otherwise (older Node, UDP) it is handed the
// accepted socket or the datagram. It reports counters in batches: the parent never sees the
// bytes of a socket the child owns.
import net from 'node:net';
import { toErrorInfo } from '../../errors';
import { ThreadState } from '../../runtime/threadState';
import type { HandlerPhase } from '../../../protocol/views';
import { HANDLERS, type HandlerContext } from '../handlers';
import { MAX_BATCH_LATENCIES, type ConnStats, type DatagramJob, type FromWorker, type StreamJob, type ToWorker } from './messages';

const STATS_MS = 100;
const PREVIEW = 64;

function post(m: FromWorker): void {
  // The server may be gone (stopped, the extension host exited): nothing to tell, and an unheard
  // message must not become an uncaught 'channel closed' error. 'disconnect' ends us anyway.
  if (process.connected) process.send?.(m);
}

class Served {
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  reads = 0;
  readsLast = 0;
  readsMax = 0;
  phase: HandlerPhase = 'setup';
  backpressure = false;
  state: number = ThreadState.Recv;
  lastReceived: Uint8Array | null = null;
  /** When the oldest unanswered read arrived (0: none): the response time ends at the next write. */
  pendingAt = 0;
  latenciesUs: number[] = [];
  private dirty = false;
  private readonly timer: NodeJS.Timeout;
  private finished = false;
  private closeReason: string | undefined;

  constructor(
    readonly job: StreamJob,
    readonly socket: net.Socket,
  ) {
    this.timer = setInterval(() => this.flush(), STATS_MS);
  }

  stats(): ConnStats {
    const { bytesIn, bytesOut, messagesIn, messagesOut, reads, readsLast, readsMax, phase, backpressure, state, lastReceived, latenciesUs } = this;
    // Each batch carries only the response times since the previous one.
    this.latenciesUs = [];
    return { bytesIn, bytesOut, messagesIn, messagesOut, reads, readsLast, readsMax, phase, backpressure, state, lastReceived, latenciesUs };
  }

  touch(): void {
    this.dirty = true;
  }

  flush(): void {
    if (!this.dirty || this.finished) return;
    this.dirty = false;
    post({ t: 'stats', seq: this.job.seq, stats: this.stats() });
  }

  reason(text: string): void {
    this.closeReason ??= text;
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    this.phase = 'done';
    post({ t: 'done', seq: this.job.seq, stats: this.stats(), reason: this.closeReason ?? 'closed' });
    current = undefined;
  }
}

let current: Served | undefined;

function serveStream(job: StreamJob, socket: net.Socket): void {
  const served = new Served(job, socket);
  current = served;
  socket.setNoDelay(true);
  const ctx: HandlerContext = {
    datagram: false,
    send(data) {
      if (socket.destroyed || socket.writableEnded) return;
      const n = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
      served.bytesOut += n;
      served.messagesOut++;
      if (served.pendingAt) {
        if (served.latenciesUs.length < MAX_BATCH_LATENCIES) served.latenciesUs.push((performance.now() - served.pendingAt) * 1000);
        served.pendingAt = 0;
      }
      served.touch();
      if (!socket.write(data) && !served.backpressure) {
        served.backpressure = true;
        served.state = ThreadState.Sending;
        socket.pause();
      }
    },
    close() {
      served.reason('closed by handler');
      socket.end();
    },
  };
  const fail = (err: unknown): void => {
    post({ t: 'error', seq: job.seq, error: toErrorInfo(err) });
    served.reason('handler error');
    socket.destroy();
  };
  const session = HANDLERS[job.handler].create(ctx, job.arg);
  socket.on('data', (chunk: Buffer) => {
    served.bytesIn += chunk.length;
    served.messagesIn++;
    const reads = Math.ceil(chunk.length / job.recvSize);
    served.reads += reads;
    served.readsLast = reads;
    if (reads > served.readsMax) served.readsMax = reads;
    served.lastReceived = chunk.subarray(0, PREVIEW);
    if (!served.pendingAt) served.pendingAt = performance.now();
    served.touch();
    try {
      for (let at = 0; at < chunk.length && !socket.destroyed; at += job.recvSize) session.handle(chunk.subarray(at, at + job.recvSize));
    } catch (err) {
      fail(err);
    }
  });
  socket.on('drain', () => {
    if (!served.backpressure) return;
    served.backpressure = false;
    served.state = ThreadState.Recv;
    served.touch();
    socket.resume();
  });
  socket.on('end', () => {
    served.reason('closed by peer');
    served.phase = 'finish';
    try {
      session.finish?.();
    } catch (err) {
      fail(err);
    }
    socket.end();
  });
  socket.on('error', (err) => served.reason(`socket error: ${err.message}`));
  socket.on('close', () => served.done());
  if (job.idleTimeoutMs > 0) {
    socket.setTimeout(job.idleTimeoutMs, () => {
      served.reason(`idle for ${job.idleTimeoutMs / 1000} s (idle timeout)`);
      socket.end();
      setTimeout(() => socket.destroy(), 2000).unref();
    });
  }
  try {
    // No message for the setup phase: one IPC write less before the first echo (the parent shows
    // `setup` from the hand-off until the first batch of counters).
    session.setup?.();
    served.phase = 'handle';
    served.touch();
  } catch (err) {
    fail(err);
  }
  socket.resume();
}

function serveDatagram(job: DatagramJob): void {
  try {
    const ctx: HandlerContext = {
      datagram: true,
      send: (data) => {
        const b = typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data;
        post({ t: 'send', seq: job.seq, b });
      },
      close() {},
    };
    const session = HANDLERS[job.handler].create(ctx, job.arg);
    session.setup?.();
    session.handle(Buffer.from(job.b.buffer, job.b.byteOffset, job.b.length));
    session.finish?.();
  } catch (err) {
    post({ t: 'error', seq: job.seq, error: toErrorInfo(err) });
  }
  post({ t: 'done', seq: job.seq });
}

let listener: net.Server | undefined;

/**
 * Listens on the shared socket until one connection arrives. Closing our listener inside the
 * connection event stops libuv's accept loop at once: the next client is left to a warm sibling
 * (or the kernel's listen queue), never taken by a busy child.
 */
function listen(job: StreamJob, backlog: number, handle: unknown): void {
  if (!handle || current || listener) {
    post({ t: 'listen-error', code: 'EINVAL', message: !handle ? 'the listening socket did not arrive' : 'already serving or listening' });
    return;
  }
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
  listener = server;
  server.on('connection', (socket) => {
    if (current) {
      // Not expected (the accept loop stops with our close); never serve two at once.
      socket.destroy();
      return;
    }
    stopListening();
    post({
      t: 'accepted',
      seq: job.seq,
      peer: { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0 },
    });
    serveStream(job, socket);
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    stopListening();
    post({ t: 'listen-error', code: err.code ?? 'UNKNOWN', message: err.message });
  });
  server.on('listening', () => post({ t: 'listening' }));
  // A TCP handle is listened on as it is; a Unix socket's handle by its descriptor (Node's
  // listen() takes only TCP handles directly). The handle object is kept, so that nothing
  // closes that descriptor behind the listener's back.
  if (isPipe(handle)) {
    keptPipes.push(handle);
    server.listen({ fd: handle.fd, backlog });
  } else server.listen(handle as net.ListenOptions, backlog);
}

const keptPipes: object[] = [];
function isPipe(handle: unknown): handle is { fd: number } {
  return typeof handle === 'object' && handle !== null && handle.constructor.name === 'Pipe' && typeof (handle as { fd?: unknown }).fd === 'number';
}

function stopListening(): void {
  listener?.close();
  listener = undefined;
}

process.on('message', (m: ToWorker, handle?: unknown) => {
  switch (m.t) {
    case 'listen':
      listen(m.job, m.backlog, handle);
      break;
    case 'stream':
      if (handle) serveStream(m, handle as net.Socket);
      else post({ t: 'done', seq: m.seq, reason: 'the socket did not arrive' });
      break;
    case 'dgram':
      serveDatagram(m);
      break;
    case 'close':
      if (current && current.job.seq === m.seq) {
        const socket = current.socket;
        current.reason(m.reason);
        socket.end();
        setTimeout(() => socket.destroy(), 2000).unref();
      }
      break;
    case 'exit':
      stopListening();
      if (current) current.socket.destroy();
      process.disconnect?.();
      break;
    default:
      break;
  }
});
// The server went away (the extension host died): leave at once, taking the socket with us.
process.on('disconnect', () => process.exit(0));
post({ t: 'ready' });
