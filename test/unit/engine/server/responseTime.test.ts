import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { MODELS, type ResponseTime } from '../../../../src/protocol/views';
import type { Server } from '../../../../src/engine/server/server';
import { TestClient, eventually } from '../../../support/testClient';
import { useEngine } from './support';

const ECHOES = 20;

/**
 * The windows the server reported until `replies` response times were counted (a window closes
 * at least a second after the previous one, so the requests may straddle two).
 */
async function responseTimes(server: Server, replies: number): Promise<ResponseTime[]> {
  const windows: ResponseTime[] = [];
  await eventually(
    () => {
      const r = server.view().responseTime;
      if (r && r !== windows.at(-1)) windows.push(r);
      return windows.reduce((n, w) => n + w.replies, 0) >= replies;
    },
    `${replies} response times`,
    5000,
  );
  return windows;
}

function check(windows: ResponseTime[]): void {
  assert.equal(
    windows.reduce((n, w) => n + w.replies, 0),
    ECHOES,
    'one response time per request',
  );
  for (const r of windows) {
    // The event loop answers within the read's own call: below the histogram's 1 µs, so 0 is a true p50.
    assert.ok(r.p50Ms >= 0 && r.p50Ms <= r.p99Ms && r.p99Ms <= r.maxMs && r.maxMs > 0, JSON.stringify(r));
    assert.ok(r.maxMs < 2000, `max ${r.maxMs} ms`);
    assert.ok(r.windowMs >= 1000);
  }
}

describe('engine: response time per server (a read to the next write), every model', function () {
  this.timeout(30_000);
  const fixture = useEngine();

  for (const model of MODELS) {
    it(`${model}: ${ECHOES} echoes give ${ECHOES} response times with ordered percentiles`, async () => {
      const server = await fixture.start(model);
      const c = await TestClient.connect({ port: server.port });
      for (let i = 1; i <= ECHOES; i++) {
        c.send(`ping ${String(i).padStart(2, '0')}\n`);
        await c.bytes(i * 8);
      }
      check(await responseTimes(server, ECHOES));
      c.close();
      await c.whenClosed();
      // An idle window reports nothing rather than stale figures.
      if (model === 'event-loop') await eventually(() => server.view().responseTime === null, 'an idle window', 5000);
    });
  }

  it("UDP: each datagram's reply ends one response time", async () => {
    const server = await fixture.engine.startServer({ transport: 'udp', model: 'thread-pool', handler: 'echo', host: '127.0.0.1', port: 0 });
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    for (let i = 0; i < ECHOES; i++) {
      const got = new Promise((r) => sock.once('message', r));
      sock.send(`d${i}`, server.port, '127.0.0.1');
      await got;
    }
    check(await responseTimes(server, ECHOES));
    sock.close();
  });
});
