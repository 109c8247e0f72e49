import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { StreamCapture, type StreamRecord } from '../../../../src/engine/server/streamCapture';
import type { Server } from '../../../../src/engine/server/server';
import { TestClient, eventually } from '../../../support/testClient';
import { useEngine } from './support';

/** Resolves once the capture holds records matching `ok` (the capture's own event, no polling). */
function until(capture: StreamCapture, ok: (records: StreamRecord[]) => boolean, what: string, ms = 10_000): Promise<StreamRecord[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const records = capture.since(0);
      if (!ok(records)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(records);
    };
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}; have ${capture.since(0).length} records`));
    }, ms);
    const sub = capture.onDidChange(check);
    check();
  });
}

const text = (r: StreamRecord) => Buffer.from(r.data).toString('latin1');
const bytes = (records: StreamRecord[], dir: 'in' | 'out') => records.filter((r) => r.dir === dir).reduce((n, r) => n + r.size, 0);

async function connected(server: Server): Promise<{ client: TestClient; id: string }> {
  const client = await TestClient.connect({ port: server.port });
  await eventually(() => [...server.connections.values()].some((c) => c.isOpen && !c.isWaiting), 'the connection to be served');
  return { client, id: [...server.connections.keys()].at(-1)! };
}

describe("engine: following a connection's stream (real sockets)", function () {
  this.timeout(30_000);
  const fixture = useEngine();

  for (const model of ['event-loop', 'thread-per-connection', 'thread-pool'] as const) {
    it(`${model}: records each read and write with direction, time and bytes — only while followed`, async () => {
      const server = await fixture.start(model, { handler: 'upper' });
      const { client, id } = await connected(server);
      client.send('before\n');
      await client.textIncludes('BEFORE\n');
      const follow = fixture.engine.followConnection(id)!;
      assert.ok(follow, 'a live connection can be followed');
      assert.equal(follow.capture.since(0).length, 0, 'nothing from before the follow');
      client.send('hello\n');
      const records = await until(follow.capture, (r) => r.some((x) => x.dir === 'out'), 'the reply');
      assert.deepEqual(
        records.map((r) => [r.dir, text(r), r.size]),
        [
          ['in', 'hello\n', 6],
          ['out', 'HELLO\n', 6],
        ],
      );
      assert.ok(records[0]!.at <= records[1]!.at && Math.abs(records[0]!.at - Date.now()) < 5000);
      follow.dispose();
      assert.equal(server.streamOf(id)!.active, undefined, 'the last follower gone: no capture');
      client.close();
      await client.whenClosed();
    });
  }

  it('binary garbage and a 1 MB message: bytes kept exactly, memory bounded per record and per capture', async () => {
    const server = await fixture.start('event-loop', { handler: 'echo' });
    const { client, id } = await connected(server);
    const follow = fixture.engine.followConnection(id)!;
    const garbage = Buffer.from([0, 255, 0x1b, 0x5b, 0x32, 0x4a, 0xc3, 0x28, 10]);
    client.send(garbage);
    const first = await until(follow.capture, (r) => bytes(r, 'out') === garbage.length, 'the garbage echoed');
    assert.deepEqual(Buffer.from(first[0]!.data), garbage);
    const big = Buffer.alloc(1 << 20, 0x61);
    client.send(big);
    const records = await until(follow.capture, (r) => bytes(r, 'out') === garbage.length + big.length, 'the 1 MB echoed');
    assert.equal(bytes(records, 'in'), garbage.length + big.length, 'every byte counted');
    assert.ok(records.every((r) => r.data.length <= 4096 && r.data.length === Math.min(r.size, 4096)));
    assert.ok(records.length <= 2000);
    follow.dispose();
    client.close();
    await client.whenClosed();
  });

  it('keeps at most maxRecords and counts what fell off; an ended stream says why', () => {
    const capture = new StreamCapture(null, { maxRecords: 3, recordBytes: 2 });
    for (let i = 0; i < 5; i++) capture.record(i % 2 ? 'out' : 'in', `m${i}`);
    assert.deepEqual(
      capture.since(0).map((r) => r.seq),
      [3, 4, 5],
    );
    assert.equal(capture.dropped, 2);
    assert.deepEqual(
      capture.since(4).map((r) => r.seq),
      [5],
    );
    assert.deepEqual(
      capture.since(1).map((r) => r.seq),
      [3, 4, 5],
      'a reader that fell behind gets what is left',
    );
    capture.end('closed by peer');
    capture.record('in', 'late');
    assert.equal(capture.lastSeq, 5);
    assert.equal(capture.endedReason, 'closed by peer');
  });

  it('two followers share one capture; the client closing ends it with the reason', async () => {
    const server = await fixture.start('event-loop', { handler: 'echo' });
    const { client, id } = await connected(server);
    const a = fixture.engine.followConnection(id)!;
    const b = fixture.engine.followConnection(id)!;
    assert.equal(a.capture, b.capture);
    a.dispose();
    assert.ok(server.streamOf(id)!.active, 'still followed by b');
    client.send('x');
    await until(b.capture, (r) => r.length === 2, 'the echo');
    client.close();
    await new Promise<void>((resolve) => {
      const sub = b.capture.onDidChange(() => b.capture.endedReason && (sub.dispose(), resolve()));
    });
    assert.equal(b.capture.endedReason, 'closed by peer');
    b.dispose();
    assert.equal(fixture.engine.followConnection('conn-999999'), undefined);
  });

  it('process-per-connection: the capture says the bytes live in the child', async () => {
    const server = await fixture.start('process-per-connection', { handler: 'echo' });
    const { client, id } = await connected(server);
    const follow = fixture.engine.followConnection(id)!;
    assert.match(follow.capture.unavailable ?? '', /child process/);
    follow.dispose();
    client.close();
    await client.whenClosed();
  });

  it("UDP: a peer's datagrams and the replies are recorded", async () => {
    const server = await fixture.engine.startServer({ transport: 'udp', model: 'event-loop', handler: 'upper', host: '127.0.0.1', port: 0 });
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const reply = () => new Promise<string>((r) => sock.once('message', (m) => r(m.toString())));
    let got = reply();
    sock.send('one', server.port, '127.0.0.1');
    assert.equal(await got, 'ONE');
    const peer = fixture.engine.model.snapshot().find((e) => e.kind === 'connection' && e.parentId === server.id)!;
    const follow = fixture.engine.followConnection(peer.id)!;
    assert.ok(follow, 'the UDP peer can be followed');
    got = reply();
    sock.send('two', server.port, '127.0.0.1');
    assert.equal(await got, 'TWO');
    const records = await until(follow.capture, (r) => r.length === 2, 'the datagram and its reply');
    assert.deepEqual(
      records.map((r) => [r.dir, text(r)]),
      [
        ['in', 'two'],
        ['out', 'TWO'],
      ],
    );
    follow.dispose();
    sock.close();
  });

  it('captureConnections: every connection of every server from its first byte, existing ones from now, bounded', async () => {
    const first = await fixture.start('event-loop', { handler: 'echo' });
    const old = await connected(first);
    const capture = fixture.engine.captureConnections({ maxRecords: 10, recordBytes: 64 }, 3);
    const second = await fixture.start('thread-pool', { handler: 'upper' });
    // Sent at once on connect: nothing has read the socket yet, so nothing is missed.
    const fresh = await TestClient.connect({ port: second.port });
    fresh.send('first bytes\n');
    await fresh.textIncludes('FIRST BYTES\n');
    old.client.send('old\n');
    await old.client.textIncludes('old\n');
    const freshId = [...second.connections.keys()][0]!;
    assert.deepEqual([...capture.captured.keys()].sort(), [old.id, freshId].sort());
    assert.deepEqual(
      capture.captured
        .get(freshId)!
        .capture.since(0)
        .map((r) => text(r)),
      ['first bytes\n', 'FIRST BYTES\n'],
    );
    assert.deepEqual(
      capture.captured
        .get(old.id)!
        .capture.since(0)
        .map((r) => text(r)),
      ['old\n', 'old\n'],
    );
    assert.match(capture.captured.get(freshId)!.name, /^conn 127\.0\.0\.1:\d+$/);
    const more = await Promise.all([0, 1].map(() => TestClient.connect({ port: second.port })));
    await eventually(() => second.connections.size === 3, 'two more connections');
    assert.equal(capture.captured.size, 3);
    assert.equal(capture.capped, true, 'the fourth was not captured');
    capture.dispose();
    assert.equal(first.streamOf(old.id)!.active, undefined, 'disposed: nothing captured any more');
    for (const c of [old.client, fresh, ...more]) c.close();
  });
});
