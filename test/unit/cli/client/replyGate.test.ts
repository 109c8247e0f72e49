import assert from 'node:assert/strict';
import { ReplyGate } from '../../../../src/cli/client/replyGate';

describe('ReplyGate: lockstep waits for the reply to end', () => {
  it('a reply is over once no byte has come for the settle time, however long it streams', async () => {
    const gate = new ReplyGate(60, 5_000);
    const waiting = gate.wait();
    // Bytes every 20 ms for 200 ms: each one restarts the settle time.
    let last = 0;
    let ticks = 0;
    const ticker = setInterval(() => {
      gate.received();
      last = performance.now();
      if (++ticks === 10) clearInterval(ticker);
    }, 20);
    assert.equal(await waiting, 'replied');
    assert.equal(ticks, 10, 'the wait outlasted the whole reply');
    // Timers may fire up to a millisecond early by performance.now()'s clock.
    assert.ok(performance.now() - last >= 60 - 2, `settled ${performance.now() - last} ms after the last byte`);
  });

  it('without a reply it gives up after the start time; a close ends the wait at once', async () => {
    const gate = new ReplyGate(10, 80);
    const started = performance.now();
    assert.equal(await gate.wait(), 'silent');
    assert.ok(performance.now() - started >= 75);
    const closing = gate.wait();
    gate.closed();
    assert.equal(await closing, 'closed');
  });

  it('while held (our output is full) silence does not count; released, it counts from then', async () => {
    const gate = new ReplyGate(30, 5_000);
    const waiting = gate.wait();
    gate.received();
    gate.hold();
    let settled = false;
    void waiting.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(settled, false, 'a held gate does not end on silence');
    gate.release();
    assert.equal(await waiting, 'replied');
  });
});
