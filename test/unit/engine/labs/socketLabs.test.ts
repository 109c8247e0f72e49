import assert from 'node:assert/strict';
import net from 'node:net';
import { Engine } from '../../../../src/engine/engine';
import type { LabRun } from '../../../../src/engine/labs/labRun';
import { SOCKET_LABS } from '../../../../src/engine/labs/socketLabs';
import { countTcp, TCP_STATE } from '../../../../src/engine/labs/socketPrograms';
import { workers } from '../../support/build';

const linux = process.platform === 'linux';

/** The main thread's sockets and worker threads, by kind (timers and the like left out). */
function openHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => /TCP|Worker|MessagePort/.test(r))
    .sort();
}

/**
 * The open handles once they settle: a stopped engine server closes its listener without waiting
 * for close's callback, so its handle may leave the list a moment after the lab has ended.
 */
async function handlesAfter(before: readonly string[]): Promise<string[]> {
  const deadline = Date.now() + 1000;
  let now = openHandles();
  while (JSON.stringify(now) !== JSON.stringify(before) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = openHandles();
  }
  return now;
}

/** Resolves with the first line the lab prints that matches, and its match. */
function line(run: LabRun, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve) => {
    const sub = run.onLine((text) => {
      const m = re.exec(text);
      if (!m) return;
      sub.dispose();
      resolve(m);
    });
  });
}

/** Nothing of the lab left on this port: no listener, no connection (TIME_WAIT aside), and a new server may listen there. */
async function assertPortFree(port: number): Promise<void> {
  if (linux) {
    for (const state of [TCP_STATE.LISTEN, TCP_STATE.ESTABLISHED, TCP_STATE.SYN_SENT]) {
      assert.equal(countTcp(port, state), 0, `port ${port}: sockets in state ${state} here`);
      assert.equal(countTcp(port, state, true), 0, `port ${port}: sockets in state ${state} towards it`);
    }
  }
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, resolve);
  });
  await new Promise((resolve) => server.close(resolve));
  // Its handle leaves the active list a turn of the loop after close's callback.
  await new Promise((resolve) => setImmediate(resolve));
}

describe('socket labs: backlog, reuseaddr, select-server (real sockets on 127.0.0.1)', function () {
  this.timeout(30_000);
  let engine: Engine;
  let handlesBefore: string[];
  // A promise of the lab's left rejected with nobody waiting (a stop mid-wait) fails the test.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  before(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  after(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  beforeEach(() => {
    engine = new Engine({ workers, retentionMs: 60_000 });
    handlesBefore = openHandles();
  });
  afterEach(async () => {
    await engine.dispose();
    // Rejections are reported a turn after they happen.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled.splice(0), []);
  });

  const finish = async (run: LabRun) => {
    const outcome = await run.finished;
    assert.equal(run.view().state, 'done', run.view().output.join('\n'));
    return outcome!.figures as Record<string, unknown>;
  };

  /**
   * Stops the lab at once (`at` null) or when it prints a line matching `at`: it ends quickly, and
   * no server, socket, thread or listener of it is left.
   */
  const stopAt = async (name: string, params: Record<string, number>, portLine: RegExp, at: RegExp | null) => {
    const run = engine.startLab(name, params);
    let port: number | null = null;
    const sub = run.onLine((text) => {
      const m = portLine.exec(text);
      if (m) port ??= Number(m[1]);
    });
    if (at) await line(run, at);
    const t0 = performance.now();
    await engine.stopLab(run.id);
    sub.dispose();
    assert.ok(performance.now() - t0 < 3000, `stopped after ${Math.round(performance.now() - t0)} ms`);
    assert.equal(run.view().state, 'stopped', run.view().output.join('\n'));
    assert.equal(engine.serverCount, 0, 'a server is left');
    assert.deepEqual(await handlesAfter(handlesBefore), handlesBefore);
    if (port !== null) await assertPortFree(port);
    else assert.equal(at, null, 'the lab printed no port');
  };

  it('the sockets group, in the tutorials’ order', () => {
    assert.deepEqual(
      SOCKET_LABS.map((l) => [l.name, l.group]),
      [
        ['backlog', 'sockets'],
        ['reuseaddr', 'sockets'],
        ['select-server', 'sockets'],
      ],
    );
    for (const l of SOCKET_LABS) assert.ok(l.explanation.length > 80, `${l.name} explains itself`);
  });

  describe('backlog', () => {
    it('listen(2), 6 clients, no accept() for 0.5 s: 3 connect at once, 3 wait for their SYN to be sent again (~1 s), then all 6 complete', async () => {
      const run = engine.startLab('backlog', { backlog: 2, clients: 6, busy: 0.5 });
      const port = Number((await line(run, /→ port (\d+)/))[1]);
      const f = await finish(run);
      assert.equal(f.completed, 6);
      assert.equal(f.accepted, 6);
      if (linux) {
        // Linux queues backlog + 1 finished handshakes and drops the next SYNs.
        assert.equal(f.connectedAtOnce, 3);
        assert.equal(f.waited, 3);
        for (const w of f.waitedMs as number[]) assert.ok(w >= 900 && w <= 3500, `a waiting client connected after ${w} ms: not a SYN retry`);
      }
      const out = run.view().output.join('\n');
      assert.match(out, /s = socket\(AF_INET, SOCK_STREAM\)[\s\S]*s\.bind[\s\S]*s\.listen\(2\)[\s\S]*s\.accept\(\)/);
      assert.deepEqual(await handlesAfter(handlesBefore), handlesBefore);
      await assertPortFree(port);
    });

    it('a backlog large enough for every client: nobody waits', async () => {
      const f = await finish(engine.startLab('backlog', { backlog: 4, clients: 5, busy: 0.3 }));
      assert.equal(f.completed, 5);
      if (linux) assert.equal(f.waited, 0);
    });

    for (const at of [null, /s\.listen/, /client 2: connect\(\) returned/, /still in connect\(\)/, /accept\(\) in a loop now/]) {
      it(`stopped ${at ? `at "${at.source}"` : 'at once'}: the listener thread and every client are gone`, async () => {
        await stopAt('backlog', { backlog: 1, clients: 4, busy: 1.5 }, /→ port (\d+)/, at);
      });
    }

    it('rejects out-of-range parameters', () => {
      for (const p of [{ backlog: 0 }, { backlog: 17 }, { clients: 0 }, { clients: 21 }, { busy: 0 }, { busy: 11 }]) {
        assert.throws(() => engine.startLab('backlog', p), /must be a number from/, JSON.stringify(p));
      }
    });
  });

  describe('reuseaddr', () => {
    it('binding twice fails with EADDRINUSE; after the server closed first (TIME_WAIT) and stopped, it restarts on the same port', async () => {
      const run = engine.startLab('reuseaddr', { clients: 3 });
      const f = await finish(run);
      assert.equal(f.bindTwiceError, 'EADDRINUSE');
      assert.equal(f.restartSucceeded, true);
      if (linux) assert.ok((f.timeWaitCount as number) >= 3, `TIME_WAIT: ${String(f.timeWaitCount)}`);
      assert.equal(engine.serverCount, 0);
      assert.deepEqual(await handlesAfter(handlesBefore), handlesBefore);
      await assertPortFree(f.port as number);
    });

    for (const at of [null, /server 1:/, /server 2:/, /client 2: received/, /TIME_WAIT \(/, /server 1 stopped/]) {
      it(`stopped ${at ? `at "${at.source}"` : 'at once'}: no server, no socket left`, async () => {
        await stopAt('reuseaddr', { clients: 3, pause: 0.2 }, /bind\(\('127\.0\.0\.1', (\d+)\)\)/, at);
      });
    }

    it('rejects out-of-range parameters', () => {
      for (const p of [{ clients: 0 }, { clients: 21 }, { pause: -1 }, { pause: 11 }]) assert.throws(() => engine.startLab('reuseaddr', p), /must be a number from/);
    });
  });

  describe('select-server', () => {
    it("a handler that blocks the one thread makes B's echo wait the whole slow request; handed off, B's echo takes milliseconds", async () => {
      const run = engine.startLab('select-server', { slow: 1, clients: 2 });
      const port = Number((await line(run, /on port (\d+)/))[1]);
      const f = await finish(run);
      assert.ok((f.blockedEchoMs as number) >= 700, `blocked: ${String(f.blockedEchoMs)} ms`);
      assert.ok((f.handedOffEchoMs as number) <= 250, `handed off: ${String(f.handedOffEchoMs)} ms`);
      assert.ok((f.blockedEchoMs as number) >= 4 * (f.handedOffEchoMs as number));
      for (const s of f.slowReplyMs as number[]) assert.ok(s >= 950, `A's reply after ${s} ms`);
      assert.deepEqual(await handlesAfter(handlesBefore), handlesBefore);
      await assertPortFree(port);
    });

    for (const at of [null, /on port/, /the loop is stuck/, /client B2: echo/, /the loop goes on/]) {
      it(`stopped ${at ? `at "${at.source}"` : 'at once'}: the server thread (even blocked) and every client are gone`, async () => {
        await stopAt('select-server', { slow: 1, clients: 2 }, /on port (\d+)/, at);
      });
    }

    it('rejects out-of-range parameters', () => {
      for (const p of [{ slow: 0.1 }, { slow: 11 }, { clients: 0 }, { clients: 21 }]) assert.throws(() => engine.startLab('select-server', p), /must be a number from/);
    });
  });
});
