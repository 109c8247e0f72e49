import * as l10n from '@vscode/l10n';
import type { WorkerScripts } from '../workers/spawn';
import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from '../log';
import type { StateModel } from '../state/model';
import { describeListenError, errnoCode, findFreePort, formatHostPort, SocketLabError } from '../errors';
import { Connection } from './connection';
import type { ResolvedServerOptions } from './options';
import { Server } from './server';
import { bindShared, sharedListenerSupported, type SharedListener } from './sharedListener';
import { WorkerPool } from './models/workerPool';

/** How long the first prefork child may take to be listening before start() gives up. */
const FIRST_CHILD_MS = 15_000;

/** TCP and Unix stream servers (socketserver.TCPServer / UnixStreamServer and their mix-ins). */
export class StreamServer extends Server {
  private constructor(
    id: string,
    options: ResolvedServerOptions,
    private readonly listener: net.Server | SharedListener,
    host: string,
    port: number,
    model: StateModel,
    log: Logger,
    workers: WorkerScripts,
  ) {
    super(id, options, host, port, model, log, workers, listener instanceof net.Server ? undefined : listener.handle);
    if (listener instanceof net.Server) {
      listener.on('connection', (socket) => this.accept(socket));
      listener.on('error', (err) => this.listenerError(err));
    }
  }

  /**
   * process-per-connection over a stream: bind here, let the children listen and accept (the
   * ForkingTCPServer picture without a hand-off per connection). Resolves once one child accepts.
   */
  private static async startPrefork(options: ResolvedServerOptions, model: StateModel, log: Logger, workers: WorkerScripts): Promise<StreamServer> {
    let shared: SharedListener;
    try {
      shared = bindShared(options.path !== undefined ? { path: options.path } : { host: options.host, port: options.port });
    } catch (err) {
      if (options.path !== undefined) throw describeUnixListenError(err, options.path);
      const free = errnoCode(err) === 'EADDRINUSE' ? await findFreePort(options.host) : undefined;
      throw describeListenError(err, options.host, options.port, 'tcp', free);
    }
    const server = new StreamServer(model.newId('server'), options, shared, shared.host, shared.port, model, log, workers);
    try {
      await server.whenChildListening(FIRST_CHILD_MS);
    } catch (err) {
      await server.stop(500);
      if (err instanceof SocketLabError) throw err;
      if (options.path !== undefined) throw describeUnixListenError(err, options.path);
      throw describeListenError(err, options.host, shared.port || options.port, 'tcp');
    }
    log.info(`${server.describe()} listening (children accept)`);
    return server;
  }

  /** Listens, resolving once ready; a failure rejects with a SocketLabError naming the port or path. */
  static async start(options: ResolvedServerOptions, model: StateModel, log: Logger, workers: WorkerScripts): Promise<StreamServer> {
    if (options.path !== undefined) await clearStaleSocket(options.path);
    if (options.model === 'process-per-connection' && sharedListenerSupported()) return StreamServer.startPrefork(options, model, log, workers);
    // pauseOnConnect: nothing is read until the model serves a connection (and a child process
    // can be handed a socket nobody has read from). allowHalfOpen: a peer's FIN (Python's
    // shutdown(SHUT_WR), nc -N) ends only its side; replies computed after it must still go out.
    const listener = net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true });
    try {
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        const ready = () => {
          listener.off('error', reject);
          resolve();
        };
        if (options.path !== undefined) listener.listen({ path: options.path, backlog: options.backlog }, ready);
        else listener.listen({ host: options.host, port: options.port, backlog: options.backlog }, ready);
      });
    } catch (err) {
      listener.close();
      if (options.path !== undefined) throw describeUnixListenError(err, options.path);
      const free = errnoCode(err) === 'EADDRINUSE' ? await findFreePort(options.host) : undefined;
      throw describeListenError(err, options.host, options.port, 'tcp', free);
    }
    const addr = listener.address();
    const host = typeof addr === 'object' && addr ? addr.address : options.host;
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    const server = new StreamServer(model.newId('server'), options, listener, host, port, model, log, workers);
    log.info(`${server.describe()} listening`);
    return server;
  }

  get address(): string {
    return this.options.path ?? formatHostPort(this.host, this.port);
  }

  protected async closeListener(): Promise<void> {
    if (!(this.listener instanceof net.Server)) {
      // Ours, then the warm children's copies: the port is free once the last one is closed.
      this.listener.close();
      if (this.dispatcher instanceof WorkerPool) await this.dispatcher.stopAccepting(2000);
      return;
    }
    // The listening handle closes at once (port free, Unix socket file unlinked). Not waiting for
    // close's callback on purpose: after a socket was handed to a child, Node waits for every such
    // child to confirm its sockets closed, and our children outlive connections (warm spares).
    this.listener.close();
    await new Promise((resolve) => setImmediate(resolve));
  }

  private accept(socket: net.Socket): void {
    if (this.state !== 'listening') {
      socket.destroy();
      return;
    }
    const conn = new Connection(this.model.newId('conn'), socket, this, {
      transport: this.options.transport,
      recvSize: this.options.recvSize,
      idleTimeoutMs: this.options.idleTimeoutMs,
    });
    this.admit(conn);
  }
}

/** A socket file left by a crashed server blocks listen: remove it, but never a live server's. */
async function clearStaleSocket(path: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new SocketLabError(l10n.t('{0} exists and is not a socket; Socket Lab will not replace it.', path), 'EEXIST');
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect({ path }, () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new SocketLabError(l10n.t('Another server is listening on {0} (EADDRINUSE).', path), 'EADDRINUSE', l10n.t('Stop it, or leave the path empty for a fresh one.'));
  fs.unlinkSync(path);
}

function describeUnixListenError(err: unknown, path: string): SocketLabError {
  const code = (err as { code?: string }).code ?? 'UNKNOWN';
  if (code === 'EACCES') return new SocketLabError(l10n.t('Permission denied to create {0} (EACCES).', path), code, l10n.t('Choose a path in a directory you can write, such as the temp dir.'));
  if (code === 'ENOENT') return new SocketLabError(l10n.t('The directory of {0} does not exist (ENOENT).', path), code);
  if (code === 'EADDRINUSE') return new SocketLabError(l10n.t('{0} is in use (EADDRINUSE).', path), code);
  return new SocketLabError(l10n.t('Could not listen on {0}: {1}', path, err instanceof Error ? err.message : String(err)), code);
}
