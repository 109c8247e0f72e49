// What the socket labs need beside net: a server thread whose event loop the lab can hold still
// (a listener that does not accept, a handler that blocks), and a look at the kernel's TCP table.
// The servers are plain JavaScript run with `eval`: they are not lab threads of the runtime (those
// run blocking programs, and a server needs its own event loop), and they need no bundle of their own.
import fs from 'node:fs';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { LabStopped } from './lab';

/**
 * listen(backlog), then block the thread before its loop ever runs: nothing calls accept(), so
 * connections wait in the kernel. Once the gate opens, the loop accepts them all and echoes.
 */
const BACKLOG_SERVER = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const gate = new Int32Array(workerData.gate);
const server = net.createServer((conn) => {
  parentPort.postMessage({ t: 'accepted', peer: conn.remotePort });
  conn.on('data', (d) => conn.write(d));
  conn.on('error', () => {});
});
server.listen({ host: '127.0.0.1', port: 0, backlog: workerData.backlog }, () => {
  parentPort.postMessage({ t: 'listening', port: server.address().port });
  Atomics.wait(gate, 0, 0);
  parentPort.postMessage({ t: 'accepting' });
});
`;

/**
 * An echo server on one thread's event loop (epoll: Python's select). A request "slow block"
 * makes the handler wait synchronously, as time.sleep would; "slow handoff" waits on a timer
 * and the loop goes on. Either way the handler says when it begins.
 */
const SELECT_SERVER = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const nobody = new Int32Array(new SharedArrayBuffer(4));
const server = net.createServer((conn) => {
  conn.on('data', (d) => {
    const text = d.toString();
    if (text === 'slow block') {
      parentPort.postMessage({ t: 'slow', how: 'block' });
      Atomics.wait(nobody, 0, 0, workerData.slowMs);
      conn.write(d);
    } else if (text === 'slow handoff') {
      parentPort.postMessage({ t: 'slow', how: 'handoff' });
      setTimeout(() => conn.write(d), workerData.slowMs);
    } else conn.write(d);
  });
  conn.on('error', () => {});
});
server.listen({ host: '127.0.0.1', port: 0 }, () => parentPort.postMessage({ t: 'listening', port: server.address().port }));
`;

export type BacklogServerMessage = { t: 'listening'; port: number } | { t: 'accepting' } | { t: 'accepted'; peer: number };
export type SelectServerMessage = { t: 'listening'; port: number } | { t: 'slow'; how: 'block' | 'handoff' };

/** A server thread: its messages, and an end that frees its port (a blocked thread is ended too). */
export class ServerThread<M extends { t: string }> {
  private readonly worker: Worker;
  private readonly listeners = new Set<(m: M) => void>();
  private failure: Error | null = null;
  private readonly onFailure = new Set<(err: Error) => void>();

  constructor(source: string, data: Record<string, unknown>) {
    this.worker = new Worker(source, { eval: true, workerData: data, execArgv: [] });
    this.worker.on('message', (m: M) => this.listeners.forEach((l) => l(m)));
    const fail = (err: Error) => {
      this.failure ??= err;
      this.onFailure.forEach((f) => f(err));
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`the server thread exited (code ${code})`)));
  }

  on(listener: (m: M) => void): void {
    this.listeners.add(listener);
  }

  /** The next message of this kind; rejects when the thread fails or the lab is stopped. */
  next<T extends M['t']>(t: T, stopped: AbortSignal): Promise<Extract<M, { t: T }>> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.listeners.delete(onMessage);
        this.onFailure.delete(onFail);
        stopped.removeEventListener('abort', onStop);
      };
      const onMessage = (m: M) => {
        if (m.t !== t) return;
        done();
        resolve(m as Extract<M, { t: T }>);
      };
      const onFail = (err: Error) => {
        done();
        reject(err);
      };
      const onStop = () => onFail(new LabStopped('the lab was stopped'));
      if (this.failure) return reject(this.failure);
      if (stopped.aborted) return onStop();
      this.listeners.add(onMessage);
      this.onFailure.add(onFail);
      stopped.addEventListener('abort', onStop, { once: true });
    });
  }

  /** Ends the thread: its listener and connections close with it. */
  async end(): Promise<void> {
    this.onFailure.clear();
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

export function backlogServer(gate: SharedArrayBuffer, backlog: number): ServerThread<BacklogServerMessage> {
  return new ServerThread(BACKLOG_SERVER, { gate, backlog });
}

export function selectServer(slowSeconds: number): ServerThread<SelectServerMessage> {
  return new ServerThread(SELECT_SERVER, { slowMs: slowSeconds * 1000 });
}

/** The next chunk a socket receives (the labs' messages are a few bytes: one chunk each). */
export function nextData(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      socket.off('error', onError);
      socket.off('close', onClose);
      resolve(d);
    };
    const onError = (err: Error) => {
      socket.off('data', onData);
      socket.off('close', onClose);
      reject(err);
    };
    const onClose = () => onError(new Error('the connection closed before a reply'));
    socket.once('data', onData);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}

/** A client connecting, kept in `owned` at once (so a stop mid-connect closes it too); resolves once connected. */
export function connect(port: number, owned: net.Socket[]): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => {
      s.off('error', reject);
      resolve(s);
    });
    owned.push(s);
    s.once('error', reject);
  });
}

/** Destroys every socket and resolves once each is closed (its descriptor released). */
export async function closeAll(sockets: readonly net.Socket[]): Promise<void> {
  await Promise.all(
    sockets.map((s) => {
      const closed = s.closed ? Promise.resolve() : new Promise((resolve) => s.once('close', resolve));
      s.destroy();
      return closed;
    }),
  );
}

/** Linux's TCP states as /proc/net/tcp numbers them. */
export const TCP_STATE = { ESTABLISHED: 0x01, SYN_SENT: 0x02, TIME_WAIT: 0x06, LISTEN: 0x0a } as const;

export interface TcpEntry {
  readonly localPort: number;
  readonly remotePort: number;
  readonly state: number;
}

/** Every TCP socket of the machine (IPv4 and IPv6), from /proc; null where there is no /proc/net. */
export function tcpTable(): TcpEntry[] | null {
  const out: TcpEntry[] = [];
  let found = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    found = true;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      const port = (addr: string) => parseInt(addr.slice(addr.lastIndexOf(':') + 1), 16);
      out.push({ localPort: port(cols[1]!), remotePort: port(cols[2]!), state: parseInt(cols[3]!, 16) });
    }
  }
  return found ? out : null;
}

/** How many sockets in `state` have `port` as their local (or, with `remote`, their peer's) port. */
export function countTcp(port: number, state: number, remote = false): number | null {
  const table = tcpTable();
  return table && table.filter((e) => e.state === state && (remote ? e.remotePort : e.localPort) === port).length;
}
