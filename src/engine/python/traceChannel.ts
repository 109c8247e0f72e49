// The local channel a traced program reports over: a Unix socket in a folder only this user can
// enter, and a per-run token each connection must present first. One connection per process (the
// program, each child it starts, and our terminal launcher).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Emitter, type AsyncDisposable } from '../lifecycle';
import { parseTracerLine, type TracerMessage } from './tracerMessages';

/** A line longer than this is not the tracer's (its batches stay far below): the connection is cut. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** One traced process's connection, after its hello carried the token. */
export class TraceConnection {
  private readonly messageEmitter = new Emitter<TracerMessage>();
  private readonly closeEmitter = new Emitter<string | null>();
  readonly onMessage = this.messageEmitter.event;
  /** Fires once; with a reason when we cut it (bad input), null when the process closed it. */
  readonly onClose = this.closeEmitter.event;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    readonly hello: Extract<TracerMessage, { type: 'hello' }>,
  ) {}

  /** A command to the traced process (follow a connection); dropped once it has gone. */
  send(message: object): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** Called by the channel for each line after the hello. */
  deliver(m: TracerMessage): void {
    this.messageEmitter.fire(m);
  }

  ended(reason: string | null): void {
    if (this.closed) return;
    this.closed = true;
    this.closeEmitter.fire(reason);
    this.messageEmitter.dispose();
    this.closeEmitter.dispose();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class TraceChannel implements AsyncDisposable {
  private readonly connectionEmitter = new Emitter<TraceConnection>();
  private readonly problemEmitter = new Emitter<string>();
  /** A process connected and showed the token. */
  readonly onConnection = this.connectionEmitter.event;
  /** Something arrived that is not the tracer's (said in plain words; the connection is cut). */
  readonly onProblem = this.problemEmitter.event;
  private readonly sockets = new Set<net.Socket>();
  private readonly tokenBytes: Buffer;

  private constructor(
    private readonly server: net.Server,
    private readonly dir: string,
    readonly path: string,
    readonly token: string,
  ) {
    this.tokenBytes = Buffer.from(token);
    server.on('connection', (s) => this.accept(s));
  }

  /** Opens a channel in a fresh private folder (mode 0700) under the runtime or temp folder. */
  static async open(): Promise<TraceChannel> {
    const base = process.env.XDG_RUNTIME_DIR && process.platform !== 'darwin' ? process.env.XDG_RUNTIME_DIR : os.tmpdir();
    const dir = mkdtempSync(path.join(base, 'socket-lab-py-'));
    const file = path.join(dir, 'trace.sock');
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(file, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new TraceChannel(server, dir, file, randomBytes(24).toString('hex'));
  }

  /** What a traced process needs in its environment to report here. */
  env(tracerDir: string, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const pythonPath = base.PYTHONPATH ? `${tracerDir}${path.delimiter}${base.PYTHONPATH}` : tracerDir;
    return { SOCKET_LAB_CHANNEL: this.path, SOCKET_LAB_TOKEN: this.token, PYTHONPATH: pythonPath };
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let conn: TraceConnection | undefined;
    const cut = (reason: string) => {
      this.problemEmitter.fire(reason);
      conn?.ended(reason);
      socket.destroy();
    };
    socket.on('data', (chunk) => {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
        const line = Buffer.concat([...pending, chunk.subarray(start, nl)]).toString('utf8');
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
        const m = parseTracerLine(line);
        if (!conn) {
          if (typeof m === 'string' || m.type !== 'hello' || !this.tokenOk(m.token)) return cut('a process connected to the trace channel without its token');
          conn = new TraceConnection(socket, m);
          this.connectionEmitter.fire(conn);
        } else if (typeof m === 'string') {
          return cut(`the tracer sent ${m}`);
        } else conn.deliver(m);
        if (socket.destroyed) return;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
        if (pendingBytes > MAX_LINE_BYTES) cut(`the tracer sent a line over ${MAX_LINE_BYTES / 1024 / 1024} MiB`);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.sockets.delete(socket);
      conn?.ended(null);
    });
  }

  private tokenOk(token: string): boolean {
    const b = Buffer.from(token);
    return b.length === this.tokenBytes.length && timingSafeEqual(b, this.tokenBytes);
  }

  async dispose(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
    this.connectionEmitter.dispose();
    this.problemEmitter.dispose();
  }
}
