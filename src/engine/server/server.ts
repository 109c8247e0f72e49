import net from 'node:net';
import { Emitter } from '../lifecycle';
import { RateMeter } from '../metrics/rate';
import type { Logger } from '../log';
import type { StateModel, Tracked } from '../state/model';
import type { ConcurrencyModel, ErrorInfo, ServerState, ServerView, Transport } from '../state/views';
import { describeListenError, formatHostPort } from '../errors';
import { Connection, type ConnectionOwner } from './connection';
import { HANDLERS, type HandlerName } from './handlers';

export interface ServerOptions {
  readonly transport: Transport;
  readonly model: ConcurrencyModel;
  readonly handler: HandlerName;
  readonly host: string;
  /** 0 = any free port. */
  readonly port: number;
}

export interface ServerEvents {
  readonly accepted: Connection;
  readonly closed: Connection;
  readonly handlerError: { readonly conn: Connection; readonly error: ErrorInfo };
}

/** A listening socket and the connections it accepted, served on the event loop. */
export class Server implements Tracked<ServerView>, ConnectionOwner {
  dirty = false;
  readonly connections = new Map<string, Connection>();
  readonly createdAt: number;
  private state: ServerState = 'listening';
  private endedAt: number | null = null;
  private totalConnections = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  private handlerErrors = 0;
  private messagesIn = 0;
  private readonly inRate: RateMeter;
  /** Keeps the published rate honest after traffic stops (an idle server is never touched). */
  private readonly rateTimer: NodeJS.Timeout;
  private stopping: Promise<void> | undefined;
  private readonly onAcceptedEmitter = new Emitter<Connection>();
  private readonly onClosedEmitter = new Emitter<Connection>();
  private readonly onHandlerErrorEmitter = new Emitter<ServerEvents['handlerError']>();
  readonly onAccepted = this.onAcceptedEmitter.event;
  readonly onConnectionClosed = this.onClosedEmitter.event;
  readonly onHandlerError = this.onHandlerErrorEmitter.event;

  private constructor(
    readonly id: string,
    readonly options: ServerOptions,
    private readonly listener: net.Server,
    readonly host: string,
    readonly port: number,
    readonly model: StateModel,
    private readonly log: Logger,
  ) {
    this.createdAt = model.now();
    this.inRate = new RateMeter(this.createdAt);
    this.rateTimer = setInterval(() => {
      if (this.inRate.rate !== 0) this.model.touch(this);
    }, 1000);
    this.rateTimer.unref();
    listener.on('connection', (socket) => this.accept(socket));
    listener.on('error', (err) => log.error(`${this.address}: listener error: ${err.message}`, err));
    model.add(this);
  }

  /** Listens, resolving once ready; a failure rejects with a SocketLabError naming the port. */
  static async start(options: ServerOptions, model: StateModel, log: Logger): Promise<Server> {
    const listener = net.createServer({ noDelay: true });
    try {
      await new Promise<void>((resolve, reject) => {
        listener.once('error', reject);
        listener.listen({ host: options.host, port: options.port }, () => {
          listener.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      listener.close();
      throw describeListenError(err, options.host, options.port);
    }
    const addr = listener.address() as net.AddressInfo;
    const server = new Server(model.newId('server'), options, listener, addr.address, addr.port, model, log);
    log.info(`${server.describe()} listening`);
    return server;
  }

  get address(): string {
    return formatHostPort(this.host, this.port);
  }

  get isListening(): boolean {
    return this.state === 'listening';
  }

  describe(): string {
    return `${this.options.transport} ${this.address} (${this.options.model}, ${this.options.handler})`;
  }

  closeConnection(id: string): boolean {
    const conn = this.connections.get(id);
    if (!conn) return false;
    conn.close('closed by user');
    return true;
  }

  /**
   * Closes the listener at once (the port is free when this resolves), asks every connection to
   * close, and resets those still open at the deadline.
   */
  stop(deadlineMs = 2000): Promise<void> {
    this.stopping ??= this.doStop(deadlineMs);
    return this.stopping;
  }

  private async doStop(deadlineMs: number): Promise<void> {
    this.state = 'stopping';
    clearInterval(this.rateTimer);
    this.model.touch(this);
    const listenerClosed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    const conns = [...this.connections.values()];
    for (const conn of conns) conn.close('server stopped', deadlineMs);
    await Promise.all([listenerClosed, ...conns.map((c) => c.whenClosed())]);
    this.state = 'stopped';
    this.endedAt = this.model.now();
    this.model.end(this);
    this.log.info(`${this.describe()} stopped`);
    this.onAcceptedEmitter.dispose();
    this.onClosedEmitter.dispose();
    this.onHandlerErrorEmitter.dispose();
  }

  private accept(socket: net.Socket): void {
    if (this.state !== 'listening') {
      socket.destroy();
      return;
    }
    const conn = new Connection(this.model.newId('conn'), socket, this, HANDLERS[this.options.handler]);
    this.connections.set(conn.id, conn);
    this.totalConnections++;
    this.model.touch(this);
    this.onAcceptedEmitter.fire(conn);
  }

  reportBytes(bytesIn: number, bytesOut: number): void {
    if (bytesIn) this.messagesIn++;
    this.bytesIn += bytesIn;
    this.bytesOut += bytesOut;
    this.model.touch(this);
  }

  reportHandlerError(conn: Connection, error: ErrorInfo): void {
    this.handlerErrors++;
    this.model.touch(this);
    this.log.error(`${this.address}: handler error on connection from ${conn.peerAddress}: ${error.stack ?? error.message}`);
    this.onHandlerErrorEmitter.fire({ conn, error });
  }

  reportClosed(conn: Connection): void {
    if (this.connections.delete(conn.id)) this.model.touch(this);
    this.onClosedEmitter.fire(conn);
  }

  view(): ServerView {
    return {
      id: this.id,
      kind: 'server',
      parentId: null,
      name: `${this.options.transport} ${this.address}`,
      createdAt: this.createdAt,
      endedAt: this.endedAt,
      transport: this.options.transport,
      model: this.options.model,
      handler: this.options.handler,
      host: this.host,
      port: this.port,
      state: this.state,
      liveConnections: this.connections.size,
      totalConnections: this.totalConnections,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesInPerSecond: Math.round(this.inRate.sample(this.messagesIn, this.model.now())),
      handlerErrors: this.handlerErrors,
    };
  }
}
