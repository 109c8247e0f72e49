import { Engine } from '../../../../src/engine/engine';
import type { Server } from '../../../../src/engine/server/server';
import type { ServerOptions } from '../../../../src/engine/server/options';
import type { ConcurrencyModel } from '../../../../src/protocol/views';
import { workers } from '../../support/build';

export interface EngineFixture {
  /** The engine of the running test (or of the suite, with `perSuite`). */
  readonly engine: Engine;
  /** A TCP echo server on 127.0.0.1 and any free port, with `extra` on top. */
  start(model: ConcurrencyModel, extra?: Partial<ServerOptions>): Promise<Server>;
}

/** Registers hooks that give each test (or the suite) a fresh engine and dispose it after. */
export function useEngine(perSuite = false): EngineFixture {
  let engine: Engine | undefined;
  (perSuite ? before : beforeEach)(() => {
    engine = new Engine({ retentionMs: 50, workers });
  });
  (perSuite ? after : afterEach)(async () => {
    await engine?.dispose();
  });
  return {
    get engine() {
      return engine!;
    },
    start: (model, extra = {}) => engine!.startServer({ transport: 'tcp', model, handler: 'echo', host: '127.0.0.1', port: 0, ...extra }),
  };
}
