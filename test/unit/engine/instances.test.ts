import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../../../src/engine/engine';
import { InstanceControl, instancesDir, otherInstances, stopInstance, type ControlledEngine } from '../../../src/engine/instances';
import { workers } from '../support/build';
import { isListening } from '../../support/processes';

function controlled(engine: Engine): ControlledEngine {
  return {
    servers: () => engine.listServers().map((s) => ({ address: s.address, transport: s.options.transport, model: s.options.model, handler: s.options.handler, connections: s.connections.size })),
    runningLabs: () => engine.listLabs().filter((l) => l.isRunning).length,
    async stopEverything() {
      const n = engine.serverCount;
      await engine.stopAll();
      return n;
    },
  };
}

describe('engine: other windows see and stop what an engine runs (control sockets)', function () {
  this.timeout(20_000);
  let base: string;
  let dir: string;
  const engines: Engine[] = [];
  const controls: InstanceControl[] = [];

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-instances-'));
    dir = instancesDir(base);
  });
  afterEach(async () => {
    for (const c of controls.splice(0)) c.dispose();
    await Promise.all(engines.splice(0).map((e) => e.dispose()));
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('lists the servers of another engine and stops them (the port is free after)', async () => {
    const old = new Engine({ workers });
    engines.push(old);
    const server = await old.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    controls.push(await InstanceControl.open(controlled(old), { dir, id: 'old', label: 'closed window' }));
    controls.push(await InstanceControl.open(controlled(new Engine({ workers })), { dir, id: 'new', label: 'this window' }));

    const others = await otherInstances(dir, 'new');
    assert.equal(others.length, 1, 'only the other one, not itself');
    assert.equal(others[0]!.label, 'closed window');
    assert.equal(others[0]!.pid, process.pid);
    assert.deepEqual(others[0]!.servers, [{ address: `127.0.0.1:${server.port}`, transport: 'tcp', model: 'event-loop', handler: 'echo', connections: 0 }]);
    assert.equal(await isListening(server.port), true);

    assert.equal(await stopInstance(dir, 'old'), 1);
    assert.equal(await isListening(server.port), false, 'its port is free once it answered');
    assert.deepEqual((await otherInstances(dir, 'new'))[0]!.servers, []);
  });

  it("a dead engine's socket file is cleared; a bad request gets an error, not a crash", async () => {
    // A socket file nobody listens on: what a killed extension host leaves.
    const stale = path.join(dir, 'engine-dead.sock');
    const s = net.createServer().listen(stale);
    await new Promise((r) => s.once('listening', r));
    await new Promise<void>((r) => s.close(() => r()));
    fs.writeFileSync(stale, ''); // close() unlinks it; a crashed process would not have
    controls.push(await InstanceControl.open(controlled(new Engine({ workers })), { dir, id: 'live', label: 'x' }));
    assert.deepEqual(await otherInstances(dir, 'me'), [{ id: 'live', label: 'x', pid: process.pid, servers: [], labs: 0 }]);
    assert.equal(fs.existsSync(stale), false, 'the leftover is removed');

    const reply = await new Promise<string>((resolve) => {
      const c = net.connect(path.join(dir, 'engine-live.sock'), () => c.write('{"op":"rm -rf"}\n'));
      let text = '';
      c.setEncoding('utf8');
      c.on('data', (d: string) => (text += d));
      c.on('end', () => resolve(text));
    });
    assert.equal(reply.trim(), '{"error":"bad request"}');
  });

  it('refuses a folder another user (or anyone) could write', () => {
    const open = path.join(base, 'shared');
    fs.mkdirSync(path.join(open, `socket-lab-${process.getuid!()}`), { recursive: true, mode: 0o777 });
    fs.chmodSync(path.join(open, `socket-lab-${process.getuid!()}`), 0o777);
    assert.throws(() => instancesDir(open), /not a private folder/);
  });
});
