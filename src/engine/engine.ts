import { Emitter, type Disposable } from './lifecycle';
import { silentLogger, type Logger } from './log';
import { StateModel } from './state/model';
import { Publisher } from './state/publisher';
import { Server, type ServerOptions } from './server/server';

export interface EngineOptions {
  readonly log?: Logger;
  /** How often subscribers get deltas. */
  readonly tickMs?: number;
  /** How long ended entities stay visible. */
  readonly retentionMs?: number;
}

/**
 * The engine's facade: owns the live state model, its publisher and every server.
 * Used as-is by the extension (one per session), the CLI and the unit tests.
 */
export class Engine implements Disposable {
  readonly model: StateModel;
  readonly publisher: Publisher;
  readonly log: Logger;
  private readonly servers = new Map<string, Server>();
  private readonly onDidChangeServersEmitter = new Emitter<void>();
  /** Fires when a server starts or stops (not on traffic). */
  readonly onDidChangeServers = this.onDidChangeServersEmitter.event;
  private disposing: Promise<void> | undefined;

  constructor(options: EngineOptions = {}) {
    this.log = options.log ?? silentLogger;
    this.model = new StateModel({ retentionMs: options.retentionMs ?? 3000 });
    this.publisher = new Publisher(this.model, options.tickMs ?? 200);
  }

  async startServer(options: ServerOptions): Promise<Server> {
    if (this.disposing) throw new Error('The engine is shutting down.');
    const server = await Server.start(options, this.model, this.log);
    this.servers.set(server.id, server);
    this.onDidChangeServersEmitter.fire();
    return server;
  }

  getServer(id: string): Server | undefined {
    return this.servers.get(id);
  }

  listServers(): Server[] {
    return [...this.servers.values()];
  }

  get serverCount(): number {
    return this.servers.size;
  }

  async stopServer(id: string): Promise<boolean> {
    const server = this.servers.get(id);
    if (!server) return false;
    this.servers.delete(id);
    this.onDidChangeServersEmitter.fire();
    await server.stop();
    return true;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.stopServer(id)));
  }

  /** Closes one connection gracefully, wherever it is. */
  closeConnection(connectionId: string): boolean {
    for (const server of this.servers.values()) {
      if (server.closeConnection(connectionId)) return true;
    }
    return false;
  }

  /** Stops every server, then releases the publisher; safe to call more than once. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      await this.stopAll();
      this.publisher.tick();
      this.publisher.dispose();
      this.onDidChangeServersEmitter.dispose();
    })();
    return this.disposing;
  }
}
