import assert from 'node:assert/strict';
import { nowMs, TF_SINCE, toWallClock } from '../../../../src/engine/runtime/arena';
import type { Actor } from '../../../../src/engine/runtime/actor';
import type { ConnectionView, ThreadView } from '../../../../src/protocol/views';
import { eventually, TestClient } from '../../../support/testClient';
import { useEngine } from '../server/support';

describe("a thread's time in its state", () => {
  it('is read as elapsed time, so a stepped wall clock does not add the step to it', () => {
    // The arena's clock lags the wall clock by 29 s (the wall clock was stepped forward after a
    // suspended VM resumed): a state entered 1 s ago must still read as 1 s.
    const wallNow = 1_000_000_000_000;
    const arenaNow = wallNow - 29_000;
    assert.equal(wallNow - toWallClock(arenaNow - 1000, wallNow, arenaNow), 1000);
    // A time ahead of this thread's clock (another thread's origin) reads as now, never later.
    assert.equal(toWallClock(arenaNow + 500, wallNow, arenaNow), wallNow);
  });

  describe('of a server thread serving a connection', function () {
    this.timeout(20_000);
    const fixture = useEngine();

    it('never exceeds the age of the connection it serves, even if the stamp in its slot is older', async () => {
      const server = await fixture.start('thread-per-connection', { spares: 1 });
      const client = await TestClient.connect({ port: server.port });
      try {
        let conn: ConnectionView | undefined;
        await eventually(() => {
          conn = [...server.connections.values()].map((c) => c.view()).find((c) => c.servedByState === 'blocked in recv');
          return conn !== undefined;
        }, 'the connection served by a thread blocked in recv');
        const actor = fixture.engine.model.get(conn!.servedById!) as unknown as Actor;
        // What the user once saw: a stamp 30 s older than the connection (the thread's earlier
        // life, or a wall clock stepped since). The view must not show it as this connection's.
        const a = actor.host.arena;
        a.f64[a.tf(actor.slot, TF_SINCE)] = nowMs() - 30_000;
        const view = actor.view() as ThreadView;
        assert.equal(view.state, 'blocked in recv');
        assert.equal(view.serving?.id, conn!.id);
        const now = Date.now();
        assert.ok(now - view.stateSince <= now - conn!.createdAt, `in state for ${now - view.stateSince} ms, connection ${now - conn!.createdAt} ms old`);
      } finally {
        client.close();
        await client.whenClosed();
      }
    });
  });
});
