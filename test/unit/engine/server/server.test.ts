import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { Engine } from '../../../../src/engine/engine';
import { SocketLabError } from '../../../../src/engine/errors';
import type { Server } from '../../../../src/engine/server/server';
import type { ConnectionView, StateMessage } from '../../../../src/protocol/views';
import { canListen, exchange, isListening } from '../../../support/processes';

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

function nextEvent<T>(subscribe: (l: (v: T) => void) => { dispose(): void }): Promise<T> {
  return new Promise((resolve) => {
    const sub = subscribe((v) => {
      sub.dispose();
      resolve(v);
    });
  });
}

describe('engine Server (event-loop, TCP)', () => {
  let engine: Engine;
  beforeEach(() => {
    engine = new Engine({ retentionMs: 50 });
  });
  afterEach(async () => {
    await engine.dispose();
  });

  const start = (handler: 'echo' | 'upper' = 'echo', port = 0): Promise<Server> => engine.startServer({ transport: 'tcp', model: 'event-loop', handler, host: '127.0.0.1', port });

  it('listens on 127.0.0.1 and an OS-chosen port when asked for port 0', async () => {
    const server = await start();
    assert.equal(server.host, '127.0.0.1');
    assert.ok(server.port > 1024);
    assert.equal(await isListening(server.port), true);
  });

  it('echoes and upper-cases like the socketserver tutorial', async () => {
    const echo = await start('echo');
    const upper = await start('upper');
    assert.equal((await exchange(echo.port, 'Hello, World\n', 13)).toString(), 'Hello, World\n');
    assert.equal((await exchange(upper.port, 'Hello, World\n', 13)).toString(), 'HELLO, WORLD\n');
  });

  it('upper leaves non-ASCII bytes alone (bytes.upper semantics)', async () => {
    const upper = await start('upper');
    const input = Buffer.from('ärger ß 你好 abc', 'utf8');
    assert.deepEqual(await exchange(upper.port, input, input.length), Buffer.from('äRGER ß 你好 ABC', 'utf8'));
  });

  it('echoes 1 MB of random bytes byte for byte', async () => {
    const server = await start('echo');
    const payload = crypto.randomBytes(1024 * 1024);
    const reply = await exchange(server.port, payload, payload.length);
    assert.equal(reply.length, payload.length);
    assert.ok(reply.equals(payload), 'echoed bytes differ');
  });

  it('counts bytes and messages per connection and per server', async () => {
    const server = await start('echo');
    const accepted = nextEvent(server.onAccepted);
    const sock = await connect(server.port);
    const conn = await accepted;
    const closed = nextEvent(server.onConnectionClosed);
    for (const msg of ['one\n', 'two\n', 'three\n']) {
      sock.write(msg);
      await new Promise((r) => sock.once('data', r));
    }
    sock.end();
    await closed;
    const v = conn.view();
    assert.equal(v.bytesIn, 14);
    assert.equal(v.bytesOut, 14);
    assert.equal(v.messagesIn, 3);
    assert.equal(v.messagesOut, 3);
    assert.equal(v.state, 'closed');
    assert.equal(v.closeReason, 'closed by peer');
    assert.equal(v.lastReceived, 'three\\n');
    const s = server.view();
    assert.equal(s.totalConnections, 1);
    assert.equal(s.liveConnections, 0);
    assert.equal(s.bytesIn, 14);
  });

  it('survives a client that disconnects abruptly (RST) and keeps serving others', async () => {
    const server = await start('echo');
    const accepted = nextEvent(server.onAccepted);
    const rude = await connect(server.port);
    const conn = await accepted;
    const closed = nextEvent(server.onConnectionClosed);
    rude.write('partial');
    rude.resetAndDestroy();
    await closed;
    assert.equal(conn.view().state, 'closed');
    assert.equal(server.connections.size, 0);
    assert.equal((await exchange(server.port, 'still here', 10)).toString(), 'still here');
  });

  it('closes one connection on request without touching the others', async () => {
    const server = await start('echo');
    const a = await connect(server.port);
    const b = await connect(server.port);
    await new Promise<void>((r) => (server.connections.size === 2 ? r() : server.onAccepted(() => server.connections.size === 2 && r())));
    const [first] = [...server.connections.keys()];
    const aEnded = new Promise((r) => a.once('end', r));
    assert.equal(server.closeConnection(first!), true);
    await aEnded;
    b.write('ok');
    assert.equal((await new Promise<Buffer>((r) => b.once('data', r))).toString(), 'ok');
    a.destroy();
    b.destroy();
  });

  it('stop ends every connection and frees the port so it can be re-listened at once', async () => {
    const server = await start('echo');
    const port = server.port;
    const clients = await Promise.all([connect(port), connect(port), connect(port)]);
    const ended = clients.map((c) => new Promise((r) => c.once('close', r)));
    await engine.stopServer(server.id);
    await Promise.all(ended);
    assert.equal(server.connections.size, 0);
    assert.equal(await canListen(port), true);
    const again = await start('echo', port);
    assert.equal(again.port, port);
  });

  it('stop resets connections whose peer never finishes closing, within the deadline', async () => {
    const server = await start('echo');
    const client = net.connect({ host: '127.0.0.1', port: server.port, allowHalfOpen: true });
    await new Promise((r) => client.once('connect', r));
    await new Promise<void>((r) => (server.connections.size ? r() : server.onAccepted(() => r())));
    const t0 = Date.now();
    await server.stop(300);
    assert.ok(Date.now() - t0 < 2000);
    assert.equal(server.connections.size, 0);
    client.destroy();
  });

  it('reports a port in use with the port named and EADDRINUSE', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(start('echo', busy), (err: unknown) => {
        assert.ok(err instanceof SocketLabError);
        assert.equal(err.code, 'EADDRINUSE');
        assert.match(err.message, new RegExp(`Port ${busy} is already in use on 127\\.0\\.0\\.1`));
        return true;
      });
      assert.equal(engine.serverCount, 0);
    } finally {
      blocker.close();
    }
  });

  it('publishes a snapshot, then deltas with a connection added, changed and removed', async () => {
    engine.model.retentionMs = 0;
    const got: StateMessage[] = [];
    const sub = engine.publisher.subscribe((m) => got.push(m));
    try {
      assert.equal(got[0]?.type, 'snapshot');
      const server = await start('echo');
      const accepted = nextEvent(server.onAccepted);
      const sock = await connect(server.port);
      await accepted;
      engine.publisher.tick();
      const added = got.at(-1);
      assert.ok(added?.type === 'delta');
      const conn = added.added.find((v): v is ConnectionView => v.kind === 'connection');
      assert.ok(conn, 'the connection was published as added');
      assert.equal(conn.parentId, server.id);
      sock.write('abc');
      await new Promise((r) => sock.once('data', r));
      engine.publisher.tick();
      const changed = got.at(-1);
      assert.ok(changed?.type === 'delta');
      const update = changed.changed.find((v) => v.id === conn.id);
      assert.ok(update?.kind === 'connection' && update.bytesIn === 3 && update.bytesOut === 3);
      const closed = nextEvent(server.onConnectionClosed);
      const before = got.length;
      sock.end();
      await closed;
      engine.publisher.tick();
      // The publisher's own timer may have ticked meanwhile too: the removal is in one of these.
      const after = got.slice(before);
      assert.equal(after.filter((m) => m.type === 'delta' && m.removed.includes(conn.id)).length, 1, 'removed once its retention passed');
    } finally {
      sub.dispose();
    }
  });
});
