import * as l10n from '@vscode/l10n';
import fs from 'node:fs';
import net from 'node:net';
import type { ErrorInfo } from '../../protocol/views';
import { formatHostPort } from '../errors';
import type { Disposable } from '../lifecycle';
import type { Connection } from '../server/connection';
import { DEFAULT_CRASH_WORD, HANDLERS, HandlerCrash } from '../server/handlers';
import { MODEL_INFO, MODELS, type ConcurrencyModel } from '../server/options';
import type { Server } from '../server/server';
import { type LabContext, type LabDefinition, orStopped, param } from './lab';

/** Longest a lab waits for a reply, a close or a connection before it fails (not a pace: a bound). */
const WAIT_MS = 15_000;

/** A client of the lab's (`socket.create_connection`), read by exact lengths as `recv` loops would. */
class Client {
  private data = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private reset = false;
  private ended = false;
  /** Kept from the connect: a closed socket forgets its address. */
  private address = '?';
  /** How the server ended it: a FIN (`recv` returns b'') or a reset. */
  readonly closed: Promise<'EOF' | 'reset'>;

  constructor(
    private readonly socket: net.Socket,
    readonly name: string,
    private readonly signal: AbortSignal,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.wake?.();
    });
    socket.once('connect', () => (this.address = formatHostPort(socket.localAddress ?? '?', socket.localPort ?? 0)));
    socket.on('error', () => (this.reset = true));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake?.();
        resolve(this.reset ? 'reset' : 'EOF');
      }),
    );
  }

  /** The address the server sees this client at (its Connection's peer). */
  get peer(): string {
    return this.address;
  }

  send(text: string): void {
    this.socket.write(text);
  }

  async receive(bytes: number): Promise<string> {
    while (this.data.length < bytes) {
      if (this.ended) throw new Error(`${this.name}'s connection closed after ${this.data.length} of ${bytes} bytes`);
      await orStopped(new Promise<void>((resolve) => (this.wake = resolve)), this.signal, `a reply to ${this.name}`, WAIT_MS);
    }
    const out = this.data.subarray(0, bytes).toString();
    this.data = this.data.subarray(bytes);
    return out;
  }

  /** Sends `text` and reads as many bytes back: the reply, whatever it is. */
  async request(text: string): Promise<string> {
    this.send(text);
    return this.receive(Buffer.byteLength(text));
  }

  /** `s.close()`: our FIN; the server finishes the request and closes its side. */
  close(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Every client socket of one run: each is destroyed when the lab ends or is stopped. */
class Clients {
  private readonly all = new Set<Client>();
  constructor(private readonly signal: AbortSignal) {}

  connect(port: number, name: string): Promise<Client> {
    const socket = net.connect({ host: '127.0.0.1', port });
    const client = new Client(socket, name, this.signal);
    this.all.add(client);
    return orStopped(
      new Promise<Client>((resolve, reject) => {
        socket.once('connect', () => resolve(client));
        socket.once('error', reject);
      }),
      this.signal,
      `${name} to connect`,
      WAIT_MS,
    );
  }

  /** A connect that expects nothing: `refused` (ECONNREFUSED) or `accepted`. */
  async probe(port: number): Promise<'refused' | 'accepted'> {
    try {
      (await this.connect(port, 'a new client')).destroy();
      return 'accepted';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') return 'refused';
      throw err;
    }
  }

  dispose(): void {
    for (const c of this.all) c.destroy();
    this.all.clear();
  }
}

/**
 * The server's Connection for a client, by its peer address. Subscribed before any client
 * connects: a prefork child reports the connection it accepted, and that may come after the reply.
 */
class Accepted {
  private readonly seen = new Map<string, Connection>();
  private readonly waiters = new Map<string, (c: Connection) => void>();
  private readonly subscription: Disposable;

  constructor(
    server: Server,
    private readonly signal: AbortSignal,
  ) {
    this.subscription = server.onAccepted((c) => {
      this.seen.set(c.peerAddress, c);
      this.waiters.get(c.peerAddress)?.(c);
    });
  }

  of(client: Client): Promise<Connection> {
    const known = this.seen.get(client.peer);
    if (known) return Promise.resolve(known);
    return orStopped(new Promise<Connection>((resolve) => this.waiters.set(client.peer, resolve)), this.signal, `the server to accept ${client.name}`, WAIT_MS);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

/**
 * The listening socket's descriptor in this process. Node's net.Server has no fileno(), so it is
 * looked up where Linux shows it: the LISTEN socket on this port in /proc/net/tcp, and the
 * descriptor of /proc/self/fd that links to it. null where there is no /proc.
 */
function listeningFd(port: number): number | null {
  let inodes: Set<string>;
  let fds: string[];
  try {
    const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    inodes = new Set(
      fs
        .readFileSync('/proc/net/tcp', 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        .filter((f) => f[1]?.endsWith(hexPort) && f[3] === '0A')
        .map((f) => f[9]!),
    );
    fds = fs.readdirSync('/proc/self/fd');
  } catch {
    return null;
  }
  for (const fd of fds) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`))?.[1];
      if (inode && inodes.has(inode)) return Number(fd);
    } catch {
      // The listing's own descriptor (or one closed meanwhile) has nothing to read.
    }
  }
  return null;
}

/** Where a connection's handler ran: a thread of this process or a child process. */
interface HandlerSite {
  readonly thread: string;
  readonly pid: number;
}

function siteOf(server: Server, conn: Connection): HandlerSite {
  const v = conn.view();
  if (v.servedById === null) return { thread: 'MainThread', pid: process.pid };
  const actor = server.runtime?.threads.find((a) => a?.id === v.servedById);
  if (!actor || actor.ident === null) throw new Error(`${v.servedBy} is not a thread or child of this server`);
  // A forked child runs its handler on its own main thread, as Python's does.
  return actor.kind === 'process' ? { thread: 'MainThread', pid: actor.ident } : { thread: `${actor.name} (ident ${actor.ident})`, pid: process.pid };
}

const like = (model: ConcurrencyModel): string => MODEL_INFO[model].stream.like.replace(/^socketserver\./, '');

/** The three socketserver classes of the tutorials, as engine models. */
const ATTRIBUTE_MODELS = ['iterative', 'thread-per-connection', 'process-per-connection'] as const satisfies readonly ConcurrencyModel[];

interface AttributeResult {
  readonly like: string;
  readonly serverAddress: readonly [string, number];
  readonly requestHandlerClass: string;
  readonly fileno: number | null;
  readonly handlerSites: readonly string[];
  readonly distinct: number;
  readonly pids: readonly number[];
  readonly echoedExactly: number;
  readonly refusedAfterShutdown: boolean;
}

async function attributesOf(ctx: LabContext, model: ConcurrencyModel, clients: Clients): Promise<AttributeResult> {
  const { params, print, stopped } = ctx;
  const n = params.clients!;
  const hold = params.hold!;
  const server = await ctx.serve({ model, handler: 'echo' });
  const accepted = new Accepted(server, stopped);
  try {
    const name = like(model);
    const fileno = listeningFd(server.port);
    print(l10n.t('{0} ({1}):', name, model));
    print(l10n.t("  server_address = ('{0}', {1})", server.host, server.port));
    print(l10n.t('  RequestHandlerClass = {0} ({1})', server.options.handler, HANDLERS[server.options.handler].description));
    print(
      fileno === null
        ? "  fileno(): Node's net.Server has no fileno(), and there is no /proc here to look the descriptor up"
        : `  fileno() = ${fileno} (the extension's descriptor for the listening socket, found in /proc/self/fd: Node's net.Server has no fileno())`,
    );
    const cs: Client[] = [];
    for (let i = 1; i <= n; i++) cs.push(await clients.connect(server.port, `client ${i}`));
    const iterative = model === 'iterative';
    const sites: HandlerSite[] = [];
    let exact = 0;
    // Every client sends at once; a TCPServer answers them one after another, each closing in turn.
    cs.forEach((c, i) => c.send(`hello ${i + 1}`));
    for (const [i, c] of cs.entries()) {
      const text = `hello ${i + 1}`;
      if ((await c.receive(Buffer.byteLength(text))) === text) exact++;
      const site = siteOf(server, await accepted.of(c));
      sites.push(site);
      print(
        site.pid === process.pid
          ? l10n.t("  {0}: process_request ran the handler in {1}, pid {2} (the extension's)", c.name, site.thread, site.pid)
          : l10n.t('  {0}: process_request ran the handler in {1}, pid {2} (a child: the extension is {3})', c.name, site.thread, site.pid, process.pid),
      );
      if (iterative) {
        await ctx.sleep(hold);
        c.close();
      }
    }
    if (!iterative) {
      // All connected at once, each with its own thread or child (the engine reuses them once free).
      await ctx.sleep(hold);
      cs.forEach((c) => c.close());
    }
    const distinct = new Set(sites.map((s) => `${s.pid}/${s.thread}`)).size;
    await ctx.unserve(server);
    const after = await clients.probe(server.port);
    print(
      distinct === 1
        ? l10n.t('  {0} requests in 1 place; after shutdown() and server_close(), a new connect is {1}', n, after)
        : l10n.t('  {0} requests in {1} places; after shutdown() and server_close(), a new connect is {2}', n, distinct, after),
    );
    return {
      like: name,
      serverAddress: [server.host, server.port],
      requestHandlerClass: server.options.handler,
      fileno,
      handlerSites: sites.map((s) => `${s.thread}, pid ${s.pid}`),
      distinct,
      pids: sites.map((s) => s.pid),
      echoedExactly: exact,
      refusedAfterShutdown: after === 'refused',
    };
  } finally {
    accepted.dispose();
  }
}

export const serverAttributes: LabDefinition = {
  name: 'server-attributes',
  title: 'socketserver attributes and mix-ins',
  group: 'sockets',
  explanation:
    'Starts three real echo servers: one like TCPServer (iterative), one like ThreadingTCPServer ' +
    '(ThreadingMixIn: process_request starts a thread) and one like ForkingTCPServer (ForkingMixIn: it forks a ' +
    'child). For each it prints what Python would: server_address, RequestHandlerClass and fileno() (Node has ' +
    'no fileno(), so the descriptor is looked up in /proc), then where process_request ran the handler for each ' +
    'client: TCPServer on the thread that serves (here the main thread, one client after another), the threading ' +
    'server on a thread per client, the forking server in a child process per client, with a pid that is not ' +
    "the extension's. Python starts a new thread or child for every request; the engine starts them ahead and " +
    'reuses one that is free, so the clients stay connected together to each get their own. Finally shutdown() ' +
    'and server_close(): a new client is refused.',
  imitation:
    'Python starts a thread or forks a child per request; the engine starts them ahead and reuses free ones (so the clients stay connected together), and its children are Node processes accepting from the shared socket. fileno() is read from /proc: Node has none.',
  params: [param('clients', 'client connections per server', 2, 2, 8), param('hold', 'seconds the clients stay connected, to watch them in the Servers view', 0, 0, 30, undefined, 2)],
  async run(ctx) {
    const clients = new Clients(ctx.stopped);
    const results: Partial<Record<ConcurrencyModel, AttributeResult>> = {};
    try {
      ctx.print(l10n.t("the extension's pid is {0}", process.pid));
      for (const [i, model] of ATTRIBUTE_MODELS.entries()) {
        ctx.progress(i, ATTRIBUTE_MODELS.length);
        results[model] = await attributesOf(ctx, model, clients);
      }
    } finally {
      clients.dispose();
    }
    const r = ATTRIBUTE_MODELS.map((m) => results[m]!);
    const [tcp, threading, forking] = r as [AttributeResult, AttributeResult, AttributeResult];
    const n = ctx.params.clients!;
    const refused = r.filter((x) => x.refusedAfterShutdown).length;
    return {
      summary: l10n.t(
        '{0} clients each: TCPServer ran every handler in {1} place ({2}); ThreadingTCPServer in {3} threads of pid {4}; ForkingTCPServer in {5} child processes (pids {6}, not {4}); after shutdown() a new connect was refused by {7} of 3.',
        n,
        tcp.distinct,
        tcp.handlerSites[0] ?? '',
        threading.distinct,
        process.pid,
        forking.distinct,
        [...new Set(forking.pids)].join(', '),
        refused,
      ),
      figures: { extensionPid: process.pid, clients: n, ...results },
    };
  },
};

/**
 * try/except/else/finally as JavaScript writes it, on the real crash-on handler (the main thread):
 * the except clauses become instanceof tests in order, and else runs only when nothing was raised.
 */
function tryOrder(input: string): string[] {
  const ran: string[] = [];
  const session = HANDLERS['crash-on'].create({ datagram: false, send() {}, close() {} }, DEFAULT_CRASH_WORD);
  try {
    let raised = false;
    try {
      ran.push('try');
      session.handle(Buffer.from(input));
    } catch (err) {
      raised = true;
      if (err instanceof RangeError) ran.push('catch RangeError');
      else if (err instanceof HandlerCrash) ran.push('catch HandlerCrash');
      else throw err;
    }
    // Outside the try: an error here would not be caught by those clauses, as with Python's else.
    if (!raised) ran.push('else');
  } finally {
    ran.push('finally');
  }
  return ran;
}

interface CrashResult {
  readonly like: string;
  /** How client A's connection ended after its handler raised. */
  readonly aEnded: 'EOF' | 'reset';
  /** What the server recorded for A (socketserver's handle_error). */
  readonly error: string;
  readonly handlerErrors: number;
  /** iterative: B waited for A's turn to end before it was served. */
  readonly bWaitedForA: boolean;
  readonly bEchoedBefore: boolean;
  /** B's messages after the crash that came back exactly. */
  readonly bEchoedAfter: number;
  readonly cEchoed: boolean;
  readonly listening: boolean;
}

async function crashOn(ctx: LabContext, model: ConcurrencyModel, clients: Clients): Promise<CrashResult> {
  const { params, print, stopped } = ctx;
  const messages = params.messages!;
  const word = DEFAULT_CRASH_WORD;
  const server = await ctx.serve({ model, handler: 'crash-on', handlerArg: word });
  const accepted = new Accepted(server, stopped);
  const errors = new Map<string, ErrorInfo>();
  let errorSeen: (() => void) | undefined;
  const subscription = server.onHandlerError((e) => {
    errors.set(e.conn.peerAddress, e.error);
    errorSeen?.();
  });
  try {
    const name = like(model);
    print(l10n.t('{0} ({1}), handler crash-on {2}:', name, model, JSON.stringify(word)));
    // A first: an iterative server serves it, and B waits its turn behind it.
    const a = await clients.connect(server.port, 'A');
    await accepted.of(a);
    const b = await clients.connect(server.port, 'B');
    b.send('before');
    const bConn = await accepted.of(b);
    // Only an iterative server makes B wait for A (the others may take a moment to start a worker).
    const bWaitedForA = model === 'iterative' && bConn.isWaiting;
    let bEchoedBefore = false;
    if (bWaitedForA) print(l10n.t('  B connected and sent "before": it waits its turn (one client at a time)'));
    else {
      bEchoedBefore = (await b.receive(6)) === 'before';
      print(bEchoedBefore ? l10n.t('  B connected and sent "before": echoed exactly') : l10n.t('  B connected and sent "before": echoed wrongly'));
    }
    a.send(word);
    const aEnded = await orStopped(a.closed, stopped, "A's connection to end", WAIT_MS);
    if (!errors.has(a.peer)) await orStopped(new Promise<void>((resolve) => (errorSeen = () => errors.has(a.peer) && resolve())), stopped, 'the handler error to be recorded', WAIT_MS);
    const error = errors.get(a.peer)!;
    print(
      aEnded === 'EOF'
        ? l10n.t("  A sent {0}: its handler raised {1}: {2}; A's connection ended (recv returned b'')", JSON.stringify(word), error.type, error.message)
        : l10n.t("  A sent {0}: its handler raised {1}: {2}; A's connection was reset", JSON.stringify(word), error.type, error.message),
    );
    await ctx.sleep(params.hold!);
    if (bWaitedForA) {
      bEchoedBefore = (await b.receive(6)) === 'before';
      print(bEchoedBefore ? l10n.t('  then the server moved on to B: "before" echoed exactly') : l10n.t('  then the server moved on to B: "before" echoed wrongly'));
    }
    let bEchoedAfter = 0;
    for (let i = 1; i <= messages; i++) if ((await b.request(`message ${i}`)) === `message ${i}`) bEchoedAfter++;
    print(l10n.t('  B, connected before the crash: {0} of {1} messages echoed exactly after it', bEchoedAfter, messages));
    b.close();
    const c = await clients.connect(server.port, 'C');
    const cEchoed = (await c.request('hello')) === 'hello';
    c.close();
    const v = server.view();
    print(
      cEchoed
        ? l10n.t('  C, a new client: connected and echoed exactly; the server is {0}, {1} handler error recorded', v.state, v.handlerErrors)
        : l10n.t('  C, a new client: echoed wrongly; the server is {0}, {1} handler error recorded', v.state, v.handlerErrors),
    );
    return { like: name, aEnded, error: `${error.type}: ${error.message}`, handlerErrors: v.handlerErrors, bWaitedForA, bEchoedBefore, bEchoedAfter, cEchoed, listening: server.isListening };
  } finally {
    subscription.dispose();
    accepted.dispose();
  }
}

export const exceptions: LabDefinition = {
  name: 'exceptions',
  title: "A handler's exception ends one connection, not the server",
  group: 'sockets',
  explanation:
    'On every model (iterative, event loop, thread per connection, process per connection, thread pool) a real ' +
    'server runs the crash-on handler, which echoes but raises HandlerCrash (a custom Error subclass) when it ' +
    'receives "crash". Client B connects and echoes; client A sends "crash": its handler raises, the server ' +
    "records the error (socketserver's handle_error: the Servers view shows it on the connection) and closes A's " +
    'connection only. B, connected before, still echoes exactly, and a new client C connects and echoes. On the ' +
    'iterative server B waits its turn behind A and is served once A is gone. The Python example also prints the ' +
    'order of try/except/else/finally: the except clauses are tried in order and the first that matches runs, ' +
    'else runs when nothing was raised, finally always. The lab shows the same order in JavaScript on the real ' +
    'handler: one catch whose instanceof tests stand for the except clauses.',
  imitation:
    'The handler is JavaScript and raises HandlerCrash, an Error subclass; try/except/else/finally is shown as one catch with instanceof tests in order. What the server does with the exception (handle_error, only that connection closed) is reproduced.',
  params: [
    param('messages', "messages B sends after A's crash", 3, 1, 100),
    param('hold', "seconds to pause after A's crash, to watch the failed connection in the Servers view", 0, 0, 30, undefined, 2),
  ],
  async run(ctx) {
    const order = { hello: tryOrder('hello'), crash: tryOrder(DEFAULT_CRASH_WORD) };
    ctx.print(l10n.t('try/catch/finally on the crash-on handler (JavaScript): "hello" ran {0}; "crash" ran {1}', order.hello.join(', '), order.crash.join(', ')));
    const clients = new Clients(ctx.stopped);
    const results: Partial<Record<ConcurrencyModel, CrashResult>> = {};
    try {
      for (const [i, model] of MODELS.entries()) {
        ctx.progress(i, MODELS.length);
        results[model] = await crashOn(ctx, model, clients);
      }
    } finally {
      clients.dispose();
    }
    const r = MODELS.map((m) => results[m]!);
    const m = ctx.params.messages!;
    const held = r.filter((x) => x.handlerErrors === 1 && x.bEchoedBefore && x.bEchoedAfter === m && x.cEchoed && x.listening).length;
    return {
      summary: l10n.t(
        'On {0} of {1} models a HandlerCrash ended only A\'s connection and was recorded once; B, connected before, echoed {2} of {3} after it, and a new client C echoed. try/catch/finally ran {4} for "crash", {5} for "hello".',
        held,
        r.length,
        r.map((x) => x.bEchoedAfter).join('/'),
        m,
        order.crash.join(' → '),
        order.hello.join(' → '),
      ),
      figures: { messages: m, tryOrder: order, ...results },
    };
  },
};

export const SERVER_LABS: readonly LabDefinition[] = [serverAttributes, exceptions];
