import assert from 'node:assert/strict';
import { StreamFeed } from '../../../src/feeds/streamFeed';
import { MAX_MESSAGE_BYTES } from '../../../src/protocol/messages';
import { type StreamUpdate } from '../../../src/protocol/frames';
import { TestClient, eventually } from '../../support/testClient';
import { useEngine } from '../engine/server/support';

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('latin1');

/** Takes updates as the dashboard's tick would, until `ok` holds for what arrived. */
async function takeUntil(feed: StreamFeed, ok: (all: StreamUpdate[]) => boolean, what: string): Promise<StreamUpdate[]> {
  const all: StreamUpdate[] = [];
  await eventually(() => {
    const u = feed.take();
    if (u) all.push(u);
    return ok(all);
  }, what);
  return all;
}

describe('extension: StreamFeed (Follow stream, real engine and sockets)', function () {
  this.timeout(30_000);
  const fixture = useEngine();

  /** A server with one client connected, and a feed following that connection. */
  async function followed(handler: 'echo' | 'upper') {
    const server = await fixture.start('event-loop', { handler });
    const client = await TestClient.connect({ port: server.port });
    await eventually(() => server.connections.size === 1, 'the connection');
    const id = [...server.connections.keys()][0]!;
    const feed = new StreamFeed((x) => fixture.engine.followConnection(x));
    feed.follow(id);
    return { server, client, id, feed };
  }

  it('follows one connection: a restart, then each read and write once, in order, base64 of the bytes', async () => {
    const { server, client, id, feed } = await followed('upper');
    const first = feed.take()!;
    assert.deepEqual([first.id, first.restart, first.records.length, first.unavailable], [id, true, 0, null]);
    assert.equal(feed.take(), undefined, 'nothing new: nothing sent');
    client.send('abc\n');
    await client.textIncludes('\n');
    client.send(Buffer.from([0, 0xff]));
    await client.bytes(6);
    const updates = await takeUntil(feed, (all) => all.flatMap((u) => u.records).length === 4, 'four records');
    const records = updates.flatMap((u) => u.records);
    assert.deepEqual(
      records.map((r) => [r.dir, decode(r.b64)]),
      [
        ['in', 'abc\n'],
        ['out', 'ABC\n'],
        ['in', '\x00\xff'],
        ['out', '\x00\xff'],
      ],
    );
    assert.deepEqual(
      records.map((r) => r.seq),
      [1, 2, 3, 4],
    );
    assert.ok(updates.every((u) => !u.restart && u.skipped === 0));
    client.close();
    const end = await takeUntil(feed, (all) => all.some((u) => u.ended), 'the end');
    assert.equal(end.at(-1)!.ended, 'closed by peer');
    assert.equal(feed.take(), undefined, 'the end is said once');
    feed.dispose();
    assert.equal(server.streamOf(id), undefined, 'the connection is gone from the server');
  });

  it('a flood: each update stays under the message limit and says how many records it skipped', async () => {
    const { server, client, id, feed } = await followed('echo');
    feed.take();
    // 300 separate writes of 2 KB, each echoed: far more than one update carries.
    for (let i = 0; i < 300; i++) {
      client.send(Buffer.alloc(2048, 0x41 + (i % 26)));
      await client.bytes((i + 1) * 2048);
    }
    const u = feed.take()!;
    assert.ok(JSON.stringify({ type: 'stream', update: u }).length < MAX_MESSAGE_BYTES);
    assert.ok(u.records.length > 0 && u.skipped > 0);
    const capture = server.streamOf(id)!.active!;
    assert.equal(u.records.at(-1)!.seq, capture.lastSeq, 'the newest record is in it');
    assert.equal(u.skipped + u.records.length, capture.lastSeq, 'every record is either sent or counted as skipped');
    assert.ok(u.records.every((r) => Buffer.from(r.b64, 'base64').length === Math.min(r.size, 1024)));
    feed.follow(null);
    assert.equal(server.streamOf(id)!.active, undefined, 'unfollowing stops the capture');
    client.close();
    await client.whenClosed();
  });

  it('a connection that does not exist gets one clear update, not silence', () => {
    const feed = new StreamFeed((x) => fixture.engine.followConnection(x));
    feed.follow('conn-424242');
    const u = feed.take()!;
    assert.match(u.unavailable ?? '', /has ended/);
    assert.equal(feed.take(), undefined);
  });
});
