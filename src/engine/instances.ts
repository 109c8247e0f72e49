import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// VS Code keeps a window's extension host alive for a while after the window is gone (a closed
// browser tab in code-server, a dropped remote connection), in case it reconnects. Its servers
// keep their ports, invisible to the window the user opens next. So every engine that runs
// something answers on a control socket in a per-user folder, and a new window can ask the
// others what they run and stop it. Unix sockets only (Linux, macOS): Windows is not covered.

/** What another engine runs, as it says. */
export interface InstanceSummary {
  readonly id: string;
  /** Who runs it: e.g. the VS Code workspace's name. */
  readonly label: string;
  readonly pid: number;
  readonly servers: readonly InstanceServer[];
  /** Labs running now. */
  readonly labs: number;
}

export interface InstanceServer {
  readonly address: string;
  readonly transport: string;
  readonly model: string;
  readonly handler: string;
  readonly connections: number;
}

/** What the control socket needs from an engine. */
export interface ControlledEngine {
  servers(): InstanceServer[];
  runningLabs(): number;
  /** Stops every server and lab; resolves with how many there were. */
  stopEverything(): Promise<number>;
}

type Request = { readonly op: 'list' } | { readonly op: 'stop' };

const SOCKET_PREFIX = 'engine-';
const SOCKET_SUFFIX = '.sock';
const MAX_REQUEST = 256;

/** The per-user folder (0700), made when missing; refused when it is not this user's own. */
export function instancesDir(base = process.env.XDG_RUNTIME_DIR || os.tmpdir()): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = path.join(base, `socket-lab-${uid}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  // Anyone could have made it first in a shared /tmp: only ours, private, is trusted.
  if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private folder of this user; Socket Lab will not use it`);
  }
  return dir;
}

/** Answers `list` and `stop` for one engine on `<dir>/engine-<id>.sock` until disposed. */
export class InstanceControl {
  private constructor(
    private readonly server: net.Server,
    private readonly socketPath: string,
  ) {}

  static async open(engine: ControlledEngine, options: { readonly dir: string; readonly id: string; readonly label: string }): Promise<InstanceControl> {
    const socketPath = path.join(options.dir, `${SOCKET_PREFIX}${options.id}${SOCKET_SUFFIX}`);
    fs.rmSync(socketPath, { force: true });
    const server = net.createServer((socket) => serve(socket, engine, options.id, options.label));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    server.on('error', () => undefined);
    fs.chmodSync(socketPath, 0o600);
    return new InstanceControl(server, socketPath);
  }

  dispose(): void {
    this.server.close();
    fs.rmSync(this.socketPath, { force: true });
  }
}

function serve(socket: net.Socket, engine: ControlledEngine, id: string, label: string): void {
  let input = '';
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  socket.setTimeout(2000, () => socket.destroy());
  socket.on('data', (chunk: string) => {
    input += chunk;
    const nl = input.indexOf('\n');
    if (nl < 0) {
      if (input.length > MAX_REQUEST) socket.destroy();
      return;
    }
    socket.removeAllListeners('data');
    const request = parseRequest(input.slice(0, nl));
    if (!request) return void socket.end('{"error":"bad request"}\n');
    if (request.op === 'list') {
      const summary: InstanceSummary = { id, label, pid: process.pid, servers: engine.servers(), labs: engine.runningLabs() };
      socket.end(`${JSON.stringify(summary)}\n`);
      return;
    }
    void engine.stopEverything().then(
      (stopped) => socket.end(`${JSON.stringify({ stopped })}\n`),
      (err: unknown) => socket.end(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`),
    );
  });
}

function parseRequest(line: string): Request | undefined {
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === 'object' && ((v as { op?: unknown }).op === 'list' || (v as { op?: unknown }).op === 'stop')) return v as Request;
  } catch {
    // fall through
  }
  return undefined;
}

/** One request, one JSON line back; undefined when nobody answers (a stale socket is removed). */
function ask(socketPath: string, request: Request, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve) => {
    let reply = '';
    const socket = net.connect(socketPath);
    const done = (value: unknown): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (d: string) => {
      reply += d;
      if (reply.length > 1_000_000) done(undefined);
    });
    socket.on('end', () => {
      try {
        done(JSON.parse(reply) as unknown);
      } catch {
        done(undefined);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // Its engine is gone (crashed, killed): the file is a leftover.
      if (err.code === 'ECONNREFUSED') fs.rmSync(socketPath, { force: true });
      done(undefined);
    });
  });
}

function isSummary(v: unknown): v is InstanceSummary {
  if (!v || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.id === 'string' &&
    typeof s.label === 'string' &&
    typeof s.pid === 'number' &&
    typeof s.labs === 'number' &&
    Array.isArray(s.servers) &&
    s.servers.every(
      (x: unknown) =>
        !!x &&
        typeof x === 'object' &&
        ['address', 'transport', 'model', 'handler'].every((k) => typeof (x as Record<string, unknown>)[k] === 'string') &&
        typeof (x as Record<string, unknown>).connections === 'number',
    )
  );
}

function socketsIn(dir: string, selfId: string): { id: string; path: string }[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(SOCKET_PREFIX) && n.endsWith(SOCKET_SUFFIX))
    .map((n) => ({ id: n.slice(SOCKET_PREFIX.length, -SOCKET_SUFFIX.length), path: path.join(dir, n) }))
    .filter((s) => s.id !== selfId);
}

/** What every other live engine of this user runs (those that answer within `timeoutMs`). */
export async function otherInstances(dir: string, selfId: string, timeoutMs = 1000): Promise<InstanceSummary[]> {
  const replies = await Promise.all(socketsIn(dir, selfId).map((s) => ask(s.path, { op: 'list' }, timeoutMs)));
  return replies.filter(isSummary);
}

/** Asks engine `id` to stop everything it runs; resolves with how many things it stopped (undefined: no answer). */
export async function stopInstance(dir: string, id: string, timeoutMs = 10_000): Promise<number | undefined> {
  const reply = await ask(path.join(dir, `${SOCKET_PREFIX}${id}${SOCKET_SUFFIX}`), { op: 'stop' }, timeoutMs);
  const stopped = reply && typeof reply === 'object' ? (reply as { stopped?: unknown }).stopped : undefined;
  return typeof stopped === 'number' ? stopped : undefined;
}
