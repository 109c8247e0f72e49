import assert from 'node:assert/strict';
import net from 'node:net';
import { findLab } from '../../../../src/engine/labs/catalog';
import { MODELS } from '../../../../src/engine/server/options';
import type { LabView } from '../../../../src/protocol/views';
import { useLabEngine } from './support';

interface Attributes {
  like: string;
  serverAddress: [string, number];
  requestHandlerClass: string;
  fileno: number | null;
  handlerSites: string[];
  distinct: number;
  pids: number[];
  echoedExactly: number;
  refusedAfterShutdown: boolean;
}

interface Crash {
  aEnded: string;
  error: string;
  handlerErrors: number;
  bWaitedForA: boolean;
  bEchoedBefore: boolean;
  bEchoedAfter: number;
  cEchoed: boolean;
  listening: boolean;
}

/** True when nothing listens on the port: we can bind it ourselves. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '127.0.0.1', port }, () => s.close(() => resolve(true)));
  });
}

describe('server labs: socketserver attributes and handler exceptions, on real servers', function () {
  this.timeout(60_000);
  const fx = useLabEngine();
  const run = async (name: string, params: Record<string, number> = {}) => {
    const done = await fx.done(name, params);
    assert.deepEqual(fx.engine.listServers(), [], 'every server of the lab is stopped with it');
    return done;
  };

  it('both are in the sockets group, in the order server-attributes, exceptions', () => {
    assert.equal(findLab('server-attributes')?.group, 'sockets');
    assert.equal(findLab('exceptions')?.group, 'sockets');
  });

  it('server-attributes: TCPServer runs every handler on the main thread; the threading server a thread each; the forking server a child each (not our pid); shutdown() refuses new clients', async () => {
    const { figures: f } = await run('server-attributes', { clients: 3 });
    assert.equal(f.extensionPid, process.pid);
    const tcp = f.iterative as Attributes;
    const threading = f['thread-per-connection'] as Attributes;
    const forking = f['process-per-connection'] as Attributes;
    for (const [r, like] of [
      [tcp, 'TCPServer'],
      [threading, 'ThreadingTCPServer'],
      [forking, 'ForkingTCPServer'],
    ] as const) {
      assert.equal(r.like, like);
      assert.equal(r.serverAddress[0], '127.0.0.1');
      assert.ok(r.serverAddress[1] > 0);
      assert.equal(r.requestHandlerClass, 'echo');
      assert.equal(r.echoedExactly, 3, like);
      assert.equal(r.refusedAfterShutdown, true, like);
      assert.equal(r.handlerSites.length, 3);
      if (process.platform === 'linux') assert.ok(typeof r.fileno === 'number' && r.fileno > 2, `${like} fileno ${String(r.fileno)}`);
    }
    assert.equal(tcp.distinct, 1);
    assert.deepEqual(tcp.handlerSites, Array(3).fill(`MainThread, pid ${process.pid}`));
    assert.equal(threading.distinct, 3);
    assert.deepEqual(threading.pids, Array(3).fill(process.pid));
    for (const s of threading.handlerSites) assert.match(s, /^Thread-\d+ \(ident \d+\), pid \d+$/);
    assert.equal(forking.distinct, 3);
    assert.equal(new Set(forking.pids).size, 3);
    assert.ok(!forking.pids.includes(process.pid), `child pids ${forking.pids.join(', ')}`);
  });

  it('exceptions: on every model the crash ends only A, is recorded once, B (connected before) and a new C echo exactly, the server keeps listening', async () => {
    const { figures: f, view } = await run('exceptions', { messages: 4 });
    for (const model of MODELS) {
      const r = f[model] as Crash;
      assert.equal(r.error, 'HandlerCrash: received "crash"', model);
      assert.equal(r.handlerErrors, 1, model);
      assert.equal(r.bEchoedBefore, true, model);
      assert.equal(r.bEchoedAfter, 4, model);
      assert.equal(r.cEchoed, true, model);
      assert.equal(r.listening, true, model);
      assert.equal(r.bWaitedForA, model === 'iterative', model);
      assert.ok(['EOF', 'reset'].includes(r.aEnded), model);
    }
    assert.deepEqual(f.tryOrder, { hello: ['try', 'else', 'finally'], crash: ['try', 'catch HandlerCrash', 'finally'] });
    assert.match(view.summary!, /^On 5 of 5 models/);
  });

  it('exceptions: the engine shows the failed connection with its error', async () => {
    const lab = fx.engine.startLab('exceptions', { messages: 1 });
    await lab.finished;
    const failed = fx.engine.model.snapshot().filter((e) => e.kind === 'connection' && e.error?.type === 'HandlerCrash');
    assert.equal(failed.length, MODELS.length, failed.map((e) => e.name).join(', '));
  });

  for (const name of ['server-attributes', 'exceptions']) {
    it(`${name}: stopped mid-run, it leaves no server and frees every port`, async () => {
      const sockets = () => process.getActiveResourcesInfo().filter((r) => r.startsWith('TCP')).length;
      const before = sockets();
      const lab = fx.engine.startLab(name, { hold: 20 });
      const ports = new Set<number>();
      const serverIds = new Set<string>();
      // Stop while a client is held connected to a live server.
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          for (const s of fx.engine.listServers()) {
            ports.add(s.port);
            serverIds.add(s.id);
          }
          const v = lab.view();
          if (v.state !== 'running') {
            clearInterval(timer);
            reject(new Error(`ended before it could be stopped: ${v.output.join('\n')}`));
          } else if (fx.engine.listServers().some((s) => s.isListening && s.connections.size > 0)) {
            clearInterval(timer);
            resolve();
          }
        }, 20);
      });
      await fx.engine.stopLab(lab.id);
      assert.equal((lab.view() as LabView).state, 'stopped');
      assert.deepEqual(fx.engine.listServers(), []);
      assert.ok(ports.size > 0);
      for (const port of ports) assert.equal(await portFree(port), true, `port ${port} is still taken`);
      // The lab's client sockets are gone too, and no thread or child of its servers lives on.
      // (A destroyed handle leaves the list on a later turn of the loop.)
      const deadline = Date.now() + 2000;
      while (sockets() > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(sockets(), before, process.getActiveResourcesInfo().join(', '));
      const alive = fx.engine.model.snapshot().filter((e) => (e.kind === 'thread' || e.kind === 'process') && serverIds.has(e.parentId ?? '') && e.alive);
      assert.deepEqual(
        alive.map((e) => e.name),
        [],
      );
    });
  }

  it('bad parameters are rejected', () => {
    assert.throws(() => fx.engine.startLab('server-attributes', { clients: 1 }), /clients must be a number from 2 to 8/);
    assert.throws(() => fx.engine.startLab('server-attributes', { hold: -1 }), /hold must be/);
    assert.throws(() => fx.engine.startLab('exceptions', { messages: 0 }), /messages must be a number from 1 to 100/);
    assert.throws(() => fx.engine.startLab('exceptions', { clients: 2 }), /exceptions has no parameter "clients"/);
  });
});
