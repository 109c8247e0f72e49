import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine/engine';
import type { EntityView, StateMessage, ThreadView } from '../../../src/protocol/views';
import { THREAD_STATES } from '../../../src/protocol/states';
import { BUSY_LANES, DashboardFeed, PACE_MS, SAMPLE_MS, type EntitySource } from '../../../src/feeds/dashboardFeed';
import type { Frame } from '../../../src/protocol/frames';
import { workers } from '../support/build';
import { TestClient } from '../../support/testClient';

/** What the extension's StateMirror does, without VS Code: applies publisher messages. */
class Source implements EntitySource {
  readonly entities = new Map<string, EntityView>();
  changed: string[] = [];
  removed: string[] = [];
  apply(m: StateMessage): void {
    if (m.type === 'snapshot') {
      this.entities.clear();
      for (const e of m.entities) this.entities.set(e.id, e);
      return;
    }
    for (const e of [...m.added, ...m.changed]) {
      this.entities.set(e.id, e);
      this.changed.push(e.id);
    }
    for (const id of m.removed) {
      this.entities.delete(id);
      this.removed.push(id);
    }
  }
  get(id: string): EntityView | undefined {
    return this.entities.get(id);
  }
  all(): Iterable<EntityView> {
    return this.entities.values();
  }
}

function until(engine: Engine, ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const check = () => {
      if (!ok()) return;
      clearTimeout(timer);
      queueMicrotask(() => sub.dispose());
      resolve();
    };
    const sub = engine.publisher.subscribe(check);
  });
}

describe('extension: DashboardFeed (real engine, real lab threads)', function () {
  this.timeout(30_000);
  let engine: Engine;
  let source: Source;
  let feed: DashboardFeed;
  beforeEach(() => {
    engine = new Engine({ workers, retentionMs: 60_000, tickMs: 50 });
    source = new Source();
    feed = new DashboardFeed(source);
    engine.publisher.subscribe((m) => {
      source.apply(m);
      feed.note(source.changed.splice(0), source.removed.splice(0));
    });
  });
  afterEach(() => engine.dispose());

  it('deadlock lab: the full picture has both threads waiting for a lock and both locks held and marked', async () => {
    engine.startLab('deadlock', { linger: -1 }); // with the default linger of 0 the lab ends the threads as soon as it is reported
    await until(engine, () => [...source.all()].filter((e) => e.kind === 'sync' && e.deadlocked).length === 2, 'the deadlock');
    const frames = feed.reset(Date.now());
    const lanes = frames.flatMap((f) => f.lanes);
    const locks = frames.flatMap((f) => f.locks);
    const t1 = lanes.find((l) => l.name === 'T1')!;
    assert.equal(t1.state, 'lock');
    assert.match(t1.label, /^waiting for Lock [AB] \(held by T2\)$/);
    assert.equal(t1.holding.length, 1);
    assert.ok(t1.waitingForId && locks.some((l) => l.id === t1.waitingForId));
    assert.deepEqual(
      locks
        .filter((l) => l.deadlocked)
        .map((l) => l.holderName)
        .sort(),
      ['T1', 'T2'],
    );
    // Nothing changed since: the next flush sends nothing for the lanes.
    assert.deepEqual(
      feed.flush(Date.now()).flatMap((f) => f.lanes),
      [],
    );
  });

  it('a lane is re-sent only when what it draws changes, and ended entities are announced gone', async () => {
    const run = engine.startLab('event-gate', { threads: 4, 'auto-set': 0.3 });
    await until(engine, () => [...source.all()].some((e) => e.kind === 'sync' && e.waiters.length === 2), 'two waiters at the gate');
    feed.reset(Date.now());
    await until(engine, () => (source.get(run.view().id) as { state?: string } | undefined)?.state === 'done', 'the lab to finish');
    const frames: Frame[] = [];
    for (let f = feed.flush(Date.now()); f.length; f = feed.flush(Date.now())) frames.push(...f);
    const lanes = frames.flatMap((f) => f.lanes);
    assert.ok(lanes.length > 0 && lanes.every((l) => l.kind === 'thread'));
    assert.ok(
      lanes.some((l) => l.ended && l.state === 'done'),
      'the threads ended',
    );
    // Each lane at most once per flush, and only the ones that changed.
    assert.equal(new Set(lanes.map((l) => l.id)).size, lanes.length);
    const locks = frames.flatMap((f) => f.locks);
    assert.ok(locks.some((l) => l.name === 'gate' && l.waiters.length === 0));
  });

  it('frames stay under the size limit: 2,000 lanes go out in several frames, none lost', () => {
    const small = new DashboardFeed(source, 16 * 1024);
    const now = Date.now();
    for (let i = 0; i < 2000; i++) {
      source.entities.set(`thread-${i + 1}`, {
        id: `thread-${i + 1}`,
        kind: 'thread',
        parentId: null,
        name: `Thread-${i + 1}`,
        createdAt: now,
        endedAt: null,
        ident: i,
        daemon: false,
        alive: true,
        state: 'blocked in recv',
        stateSince: now,
        waitingFor: null,
        holding: [],
        wokenBy: null,
        exitCode: null,
        error: null,
        serving: { id: `conn-${i + 1}`, peer: `127.0.0.1:${10000 + i}` },
      });
    }
    const frames = small.reset(now);
    assert.ok(frames.length > 5, `${frames.length} frames`);
    for (const f of frames) assert.ok(Buffer.byteLength(JSON.stringify({ type: 'frame', frame: f })) <= 16 * 1024);
    assert.equal(new Set(frames.flatMap((f) => f.lanes.map((l) => l.id))).size, 2000);
  });

  it('a frame that moved more than BUSY_LANES lanes makes moving lanes wait a second; new and ended lanes go at once', () => {
    const t0 = Date.now();
    const thread = (i: number, state: ThreadView['state'], since: number, endedAt: number | null = null): ThreadView => ({
      id: `thread-${i}`,
      kind: 'thread',
      parentId: null,
      name: `Thread-${i}`,
      createdAt: t0,
      endedAt,
      ident: i,
      daemon: false,
      alive: endedAt === null,
      state,
      stateSince: since,
      waitingFor: null,
      holding: [],
      wokenBy: null,
      exitCode: null,
      error: null,
      serving: null,
    });
    const n = BUSY_LANES + 10;
    const flip = (at: number, state: ThreadView['state']) => {
      for (let i = 1; i <= n; i++) source.entities.set(`thread-${i}`, thread(i, state, at));
      feed.note(Array.from({ length: n }, (_, i) => `thread-${i + 1}`));
    };
    const laneIds = (fs: Frame[]) => fs.flatMap((f) => f.lanes.map((l) => l.id));
    flip(t0, 'running');
    feed.reset(t0);
    // A quiet tick: one lane moves, it goes at once.
    source.entities.set('thread-1', thread(1, 'sleeping', t0 + 100));
    feed.note(['thread-1']);
    assert.deepEqual(laneIds(feed.flush(t0 + 100)), ['thread-1']);
    // Every lane moves: they all go (the busy frame), then the next second's moves wait...
    flip(t0 + 200, 'sleeping');
    assert.equal(laneIds(feed.flush(t0 + 200)).length, n);
    flip(t0 + 400, 'running');
    assert.deepEqual(laneIds(feed.flush(t0 + 400)), []);
    // ...except a thread that appears and one that ends.
    source.entities.set(`thread-${n + 1}`, thread(n + 1, 'running', t0 + 600));
    source.entities.set('thread-2', thread(2, 'done', t0 + 600, t0 + 600));
    feed.note([`thread-${n + 1}`, 'thread-2']);
    assert.deepEqual(laneIds(feed.flush(t0 + 600)).sort(), [`thread-${n + 1}`, 'thread-2'].sort());
    // A second after the busy frame, the waiting lanes go with their latest state.
    const after = feed.flush(t0 + 200 + PACE_MS).flatMap((f) => f.lanes);
    assert.equal(after.length, n - 1);
    assert.ok(after.every((l) => l.state === THREAD_STATES.running.lane));
  });

  it("an iterative server's connection lanes say the server serves them one at a time; an event-loop server's say its event loop", async () => {
    const iterative = await engine.startServer({ transport: 'tcp', model: 'iterative', handler: 'echo', host: '127.0.0.1', port: 0 });
    const loop = await engine.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    const portOf = (s: { address: string }) => Number(/:(\d+)$/.exec(s.address)![1]);
    const clients = [await TestClient.connect({ port: portOf(iterative) }), await TestClient.connect({ port: portOf(iterative) }), await TestClient.connect({ port: portOf(loop) })];
    try {
      await until(engine, () => [...source.all()].filter((e) => e.kind === 'connection').length === 3, 'three connections in the mirror');
      const lanes = feed
        .reset(Date.now())
        .flatMap((f) => f.lanes)
        .filter((l) => l.kind === 'connection');
      const of = (s: { id: string }) =>
        lanes
          .filter((l) => l.groupId === s.id)
          .map((l) => l.label)
          .sort();
      assert.deepEqual(of(iterative), ['open · served by the server itself, one client at a time', 'waiting · waiting for its turn: the server serves one client at a time (next)']);
      assert.deepEqual(of(loop), ['open · served by event loop']);
    } finally {
      for (const c of clients) c.close();
    }
  });

  it("a busy server's figures go out once a second, not on every tick; its end at once", async () => {
    const server = await engine.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    const port = Number(/:(\d+)$/.exec(server.address)![1]);
    const client = await TestClient.connect({ port });
    await until(engine, () => source.get(server.id) !== undefined, 'the server in the mirror');
    const start = Date.now();
    feed.reset(start);
    const sentAt: number[] = [];
    let got = 0;
    // Real traffic for 2.5 s (the engine publishes every 50 ms here), and a flush after every
    // round trip: far more often than the dashboard's 200 ms tick.
    while (Date.now() - start < 2500) {
      client.send('ping\n');
      got += 5;
      await client.bytes(got);
      const now = Date.now();
      if (feed.flush(now).some((f) => f.servers.some((x) => x.id === server.id))) sentAt.push(now);
    }
    assert.ok(sentAt.length >= 2 && sentAt.length <= 3, `sent at +${sentAt.map((t) => t - start).join(', +')} ms`);
    for (let i = 1; i < sentAt.length; i++) assert.ok(sentAt[i]! - sentAt[i - 1]! >= SAMPLE_MS);
    // A server that appears goes out on the next flush, even within the second; the busy one waits.
    const second = await engine.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
    await until(engine, () => source.get(second.id) !== undefined, 'the second server in the mirror');
    const within = feed.flush(sentAt[sentAt.length - 1]! + 1).flatMap((f) => f.servers.map((x) => x.id));
    assert.deepEqual(within, [second.id]);
    client.close();
    await engine.stopServer(server.id);
    await until(engine, () => source.get(server.id)?.endedAt != null, 'the server to end');
    const ended = feed
      .flush(Date.now())
      .flatMap((f) => f.servers)
      .find((x) => x.id === server.id);
    assert.equal(ended?.ended, true, 'the ended server goes out on the next flush');
  });
});
