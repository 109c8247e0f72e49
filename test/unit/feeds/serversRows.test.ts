import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine/engine';
import type { Disposable } from '../../../src/engine/lifecycle';
import type { Redraw } from '../../../src/feeds/nodeCache';
import { ServersRows, type ServersNode } from '../../../src/feeds/serversRows';
import { StateMirror } from '../../../src/feeds/stateMirror';
import type { ConnectionView, ServerView } from '../../../src/protocol/views';
import { eventually, TestClient } from '../../support/testClient';
import { workers } from '../support/build';

/** A row's text for these tests (the view's real key is its drawn TreeItem). */
const key = (s: ServerView, row: string) =>
  JSON.stringify(row === 'traffic' ? [s.liveConnections, s.bytesIn, s.bytesOut] : row === 'workers' ? s.workers : [s.state, s.lastError, s.waiting, s.handler]);

describe("ServersRows: the Servers view's rows against a real engine's state mirror and real sockets", function () {
  this.timeout(60_000);
  let engine: Engine;
  let mirror: StateMirror;
  let lease: Disposable;
  let rows: ServersRows;
  let later: { at: number; rows: readonly ServersNode[] }[];
  const clients: TestClient[] = [];

  beforeEach(() => {
    engine = new Engine({ workers, retentionMs: 60_000, tickMs: 50 });
    mirror = new StateMirror();
    mirror.setEngine(engine);
    lease = mirror.acquire();
    later = [];
    rows = new ServersRows(mirror, key);
    rows.onDidRedrawLater((r) => later.push({ at: Date.now(), rows: r }));
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    rows.dispose();
    lease.dispose();
    mirror.dispose();
    await engine.dispose();
  });

  const connectionsOf = (server: ServersNode) => rows.children(server).filter((n) => n.kind === 'connection');

  it('a server lists its threads row, its traffic and each real client; a client row walks up to the server row', async () => {
    const server = await engine.startServer({ transport: 'tcp', model: 'thread-per-connection', handler: 'echo', host: '127.0.0.1', port: 0 });
    for (let i = 0; i < 3; i++) clients.push(await TestClient.connect({ port: server.port }));
    await eventually(() => rows.children().length === 1 && connectionsOf(rows.children()[0]!).length === 3, 'three connection rows');
    const [row] = rows.children();
    assert.deepEqual(
      rows.children(row).map((n) => n.kind),
      ['workers', 'traffic', 'connection', 'connection', 'connection'],
    );
    const peers = connectionsOf(row!).map((n) => (rows.view(n) as ConnectionView).peer);
    assert.deepEqual(peers.sort(), clients.map((c) => `127.0.0.1:${c.socket.localPort}`).sort());
    for (const n of connectionsOf(row!)) assert.equal(rows.parent(n), row, 'the same node object');
  });

  it('beyond 200 connections they are listed in ranges; a late connection is revealed under its range', async () => {
    const server = await engine.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    clients.push(...(await Promise.all(Array.from({ length: 450 }, () => TestClient.connect({ port: server.port })))));
    await eventually(() => (mirror.get(server.id) as ServerView | undefined)?.liveConnections === 450, '450 connections in the mirror');
    const [row] = rows.children();
    const children = rows.children(row);
    assert.deepEqual(
      children.map((n) => n.kind),
      ['model', 'traffic', 'range', 'range', 'range'],
    );
    const last = children[4]!;
    assert.ok(last.kind === 'range');
    assert.deepEqual(rows.range(last), { first: 401, last: 450, total: 450 });
    const newest = [...mirror.childrenOf(server.id)].sort((a, b) => a.createdAt - b.createdAt).at(-1)!;
    const node = rows.nodeFor(newest.id)!;
    assert.equal(rows.parent(node), last);
    assert.ok(rows.children(last).includes(node));
  });

  it("the Open only filter drops a closed connection from its server's list", async () => {
    const server = await engine.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    for (let i = 0; i < 2; i++) clients.push(await TestClient.connect({ port: server.port }));
    await eventually(() => connectionsOf(rows.children()[0]!).length === 2, 'two rows');
    const gone = clients.shift()!;
    gone.close();
    await eventually(() => [...mirror.childrenOf(server.id)].some((e) => e.kind === 'connection' && e.state === 'closed'), 'the closed connection in the mirror');
    assert.equal(connectionsOf(rows.children()[0]!).length, 2, 'all connections: the closed one is listed');
    rows.setConnectionFilter('open');
    assert.equal(connectionsOf(rows.children()[0]!).length, 1);
    assert.equal(rows.connectionFilter, 'open');
  });

  it("a connection's bytes redraw its own row at once; its server's rows are redrawn later, at most once a second", async () => {
    const server = await engine.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    const c = await TestClient.connect({ port: server.port });
    clients.push(c);
    await eventually(() => connectionsOf(rows.children()[0]!).length === 1, 'the connection row');
    const [row] = rows.children();
    const conn = connectionsOf(row!)[0]!;
    // As VS Code would: draw the rows, so the view knows what they showed.
    for (const n of rows.children(row)) {
      const s = rows.view(n);
      if (s?.kind === 'server' && n.kind !== 'connection') rows.drawn(n, key(s, n.kind === 'range' ? 'server' : n.kind));
    }
    rows.drawn(row!, key(mirror.get(server.id) as ServerView, 'server'));
    const now: Redraw<ServersNode>[] = [];
    const sub = mirror.onDidChange((change) => now.push(rows.apply(change)));
    try {
      for (let i = 0; i < 20; i++) {
        c.send('x\n');
        await c.bytes(2 * (i + 1));
        await new Promise((r) => setTimeout(r, 50));
      }
      await eventually(() => later.length >= 1, "a paced redraw of the server's rows");
    } finally {
      sub.dispose();
    }
    assert.ok(!now.includes('all'), 'traffic never redraws the whole tree');
    assert.ok(
      now.some((r) => r !== 'all' && r.includes(conn)),
      "the connection's own row was redrawn",
    );
    assert.ok(
      now.every((r) => r === 'all' || !r.some((n) => n.kind === 'server')),
      'a server row is never redrawn at once',
    );
    const traffic = later.flatMap((l) => l.rows).filter((n) => n.kind === 'traffic');
    assert.ok(traffic.length >= 1, 'the traffic row was redrawn, later');
    const times = later.filter((l) => l.rows.some((n) => n.kind === 'traffic')).map((l) => l.at);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 900, `traffic redrawn ${times[i]! - times[i - 1]!} ms after the previous time`);
  });
});
