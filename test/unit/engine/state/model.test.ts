import assert from 'node:assert/strict';
import { MAX_COUNTED_PER_DRAIN, StateModel, type Tracked } from '../../../../src/engine/state/model';
import { Publisher } from '../../../../src/engine/state/publisher';
import type { ServerView, StateMessage } from '../../../../src/protocol/views';
import { Engine } from '../../../../src/engine/engine';
import { workers } from '../../support/build';

class FakeClock {
  t = 1000;
  now = () => this.t;
}

/** A minimal tracked entity: its counter is a plain field, as on the real hot paths. */
class Counter implements Tracked<ServerView> {
  dirty = false;
  n = 0;
  constructor(readonly id: string) {}
  view(): ServerView {
    return {
      id: this.id,
      kind: 'server',
      parentId: null,
      name: this.id,
      createdAt: 0,
      endedAt: null,
      transport: 'tcp',
      model: 'event-loop',
      handler: 'echo',
      host: '127.0.0.1',
      port: 1,
      path: null,
      address: '127.0.0.1:1',
      state: 'listening',
      backlog: 511,
      recvSize: 1024,
      maxConnections: 0,
      idleTimeoutMs: 0,
      refused: 0,
      lastRefusal: null,
      waiting: 0,
      workers: null,
      rounds: 0,
      recentRounds: [],
      lastError: null,
      liveConnections: this.n,
      totalConnections: 0,
      bytesIn: 0,
      bytesOut: 0,
      messagesIn: 0,
      messagesInPerSecond: 0,
      responseTime: null,
      handlerErrors: 0,
    };
  }
}

describe('StateModel and Publisher', () => {
  it('records nothing while nobody watches, and starts watchers from a snapshot', () => {
    const clock = new FakeClock();
    const model = new StateModel({ retentionMs: 100, now: clock.now });
    const a = new Counter('a');
    model.add(a);
    model.touch(a);
    assert.equal(a.dirty, false, 'no change is queued without a watcher');
    const pub = new Publisher(model, 10_000);
    const got: StateMessage[] = [];
    const sub = pub.subscribe((m) => got.push(m));
    assert.equal(got.length, 1);
    assert.equal(got[0]!.type, 'snapshot');
    assert.deepEqual(got[0]!.type === 'snapshot' && got[0]!.entities.map((e) => e.id), ['a']);
    sub.dispose();
    pub.dispose();
  });

  it('coalesces many touches of one entity into one change per tick', () => {
    const model = new StateModel({ retentionMs: 100 });
    const pub = new Publisher(model, 10_000);
    const got: StateMessage[] = [];
    const sub = pub.subscribe((m) => got.push(m));
    const a = new Counter('a');
    model.add(a);
    pub.tick();
    for (let i = 0; i < 1000; i++) {
      a.n++;
      model.touch(a);
    }
    pub.tick();
    pub.tick(); // nothing changed: nothing sent
    assert.equal(got.length, 3);
    const [, added, changed] = got;
    assert.ok(added?.type === 'delta' && added.added.length === 1);
    assert.ok(changed?.type === 'delta' && changed.changed.length === 1);
    assert.equal(changed.changed[0]!.kind === 'server' && changed.changed[0]!.liveConnections, 1000);
    sub.dispose();
    pub.dispose();
  });

  it('counter-only changes: each entity republished about once a second (less often past 500), a slice per tick; a state change goes at once', () => {
    const clock = new FakeClock();
    const model = new StateModel({ retentionMs: 100, now: clock.now });
    const pub = new Publisher(model, 10_000);
    const got: StateMessage[] = [];
    const sub = pub.subscribe((m) => got.push(m));
    const all = Array.from({ length: 1000 }, (_, i) => new Counter(`c${i}`));
    for (const c of all) model.add(c);
    pub.tick();
    got.length = 0;
    const seen = new Map<string, number>();
    // 2 s of ticks every 200 ms, every counter moving all the time.
    for (let t = 0; t < 10; t++) {
      clock.t += 200;
      for (const c of all) {
        c.n++;
        model.touchCounters(c);
      }
      pub.tick();
    }
    for (const m of got) if (m.type === 'delta') for (const e of m.changed) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
    const perTick = got.map((m) => (m.type === 'delta' ? m.changed.length : 0));
    // 1,000 moving at once: the per-drain cap (500 a second), so each in turn every 2 s.
    assert.ok(Math.max(...perTick) <= MAX_COUNTED_PER_DRAIN, `per tick: ${perTick.join(',')}`);
    assert.equal(seen.size, 1000, 'every entity published within 2 s');
    assert.ok(
      [...seen.values()].every((n) => n === 1),
      'each once in 2 s, none twice before all had their turn',
    );
    // 200 moving: under the cap, each about once a second (after what phase one still owed).
    for (let t = 0; t < 50; t++) {
      clock.t += 200;
      pub.tick();
    }
    got.length = 0;
    seen.clear();
    for (let t = 0; t < 10; t++) {
      clock.t += 200;
      for (const c of all.slice(0, 200)) {
        c.n++;
        model.touchCounters(c);
      }
      pub.tick();
    }
    for (const m of got) if (m.type === 'delta') for (const e of m.changed) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
    assert.equal(seen.size, 200);
    assert.ok(
      [...seen.values()].every((n) => n >= 1 && n <= 3),
      'about once a second each',
    );
    // A state change is not held back.
    got.length = 0;
    model.touch(all[999]!);
    pub.tick();
    assert.ok(got.some((m) => m.type === 'delta' && m.changed.some((e) => e.id === 'c999')));
    sub.dispose();
    pub.dispose();
  });

  it('keeps ended entities for the retention window, then removes them once', () => {
    const clock = new FakeClock();
    const model = new StateModel({ retentionMs: 100, now: clock.now });
    const pub = new Publisher(model, 10_000);
    const got: StateMessage[] = [];
    const sub = pub.subscribe((m) => got.push(m));
    const a = new Counter('a');
    model.add(a);
    pub.tick();
    model.end(a);
    clock.t += 50;
    pub.tick();
    assert.equal(model.size, 1, 'still visible inside the window');
    clock.t += 60;
    pub.tick();
    assert.equal(model.size, 0);
    const removed = got.flatMap((m) => (m.type === 'delta' ? m.removed : []));
    assert.deepEqual(removed, ['a']);
    sub.dispose();
    pub.dispose();
  });

  it('does not announce the removal of an entity no watcher ever saw', () => {
    const clock = new FakeClock();
    const model = new StateModel({ retentionMs: 10, now: clock.now });
    const pub = new Publisher(model, 10_000);
    const got: StateMessage[] = [];
    const sub = pub.subscribe((m) => got.push(m));
    const a = new Counter('a');
    model.add(a);
    model.end(a);
    clock.t += 20;
    pub.tick();
    assert.equal(got.length, 1, 'only the snapshot: added and gone within one tick');
    sub.dispose();
    pub.dispose();
  });

  it('bounds memory without watchers: ended entities are swept on later activity', () => {
    const clock = new FakeClock();
    const model = new StateModel({ retentionMs: 10, now: clock.now });
    for (let i = 0; i < 10_000; i++) {
      const e = new Counter(`e${i}`);
      model.add(e);
      model.end(e);
      clock.t += 1;
    }
    assert.ok(model.size <= 11, `at most the retention window's worth remain, got ${model.size}`);
  });

  it('ticks on its timer only while someone subscribes', async () => {
    const model = new StateModel({ retentionMs: 100 });
    const pub = new Publisher(model, 5);
    const a = new Counter('a');
    model.add(a);
    const deltas = await new Promise<StateMessage>((resolve) => {
      const sub = pub.subscribe((m) => {
        if (m.type === 'delta') {
          sub.dispose();
          resolve(m);
        }
      });
      a.n = 7;
      model.touch(a);
    });
    assert.equal(deltas.type === 'delta' && deltas.changed[0]!.kind === 'server' && deltas.changed[0]!.liveConnections, 7);
    assert.equal(pub.subscriberCount, 0);
    // The last subscriber left: the timer stops (no tick in 10 periods) and the model stops recording.
    let ticks = 0;
    const tick = pub.tick.bind(pub);
    pub.tick = () => {
      ticks++;
      tick();
    };
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ticks, 0, 'the timer still ticks with nobody subscribed');
    assert.equal(model.isRecording, false, 'the model still records with nobody subscribed');
    a.n = 8;
    model.touch(a);
    assert.equal(a.dirty, false, 'a change is queued with nobody subscribed');
    pub.dispose();
  });
});

describe('state views cross process and webview boundaries', () => {
  it('every view of a running deadlock lab serialises as JSON and structured clone (no live objects inside)', async function () {
    this.timeout(20_000);
    const engine = new Engine({ workers, retentionMs: 60_000, tickMs: 50 });
    try {
      const run = engine.startLab('deadlock', {});
      const views = await new Promise<unknown[]>((resolve) => {
        const sub = engine.publisher.subscribe((m) => {
          const all = m.type === 'snapshot' ? m.entities : [...m.added, ...m.changed];
          if (all.some((e) => e.kind === 'sync' && e.waiters.length > 0)) {
            queueMicrotask(() => sub.dispose());
            resolve([...all]);
          }
        });
      });
      for (const v of views) {
        JSON.stringify(v);
        structuredClone(v);
      }
      await run.stop();
    } finally {
      await engine.dispose();
    }
  });
});
