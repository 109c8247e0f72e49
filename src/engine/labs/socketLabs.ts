import * as l10n from '@vscode/l10n';
import fs from 'node:fs';
import net from 'node:net';
import { errnoCode } from '../errors';
import { type LabDefinition, ms, orStopped, param } from './lab';
import { backlogServer, closeAll, connect, countTcp, nextData, selectServer, TCP_STATE } from './socketPrograms';

/** Clients connect this far apart (see the backlog lab). */
const STAGGER_MS = 10;

/**
 * When a dropped SYN is sent again after `seconds`: 1 s after the first, then at doubling intervals
 * (1, 3, 7 s…); Linux 6.5+ first retries `tcp_syn_linear_timeouts` times a second apart.
 */
function synRetryAfter(seconds: number): number {
  let linear = 0;
  try {
    linear = Number(fs.readFileSync('/proc/sys/net/ipv4/tcp_syn_linear_timeouts', 'utf8')) || 0;
  } catch {
    // Not Linux, or an older kernel: doubling from the first retry.
  }
  let at = 0;
  let rto = 1;
  for (let k = 1; at < seconds; k++) {
    at += rto;
    if (k >= linear) rto *= 2;
  }
  return at;
}

export const backlog: LabDefinition = {
  name: 'backlog',
  title: 'The socket call sequence and listen(backlog)',
  group: 'sockets',
  explanation:
    'A server calls socket(), bind(), listen(n), then accept() for each client. Between listen and accept the ' +
    'kernel finishes handshakes by itself and queues them; n says how many may wait. Here the server listens with ' +
    'a small backlog and is busy: it does not accept yet. On Linux n + 1 clients connect at once; the kernel ' +
    "drops the others' SYN, and they wait in connect() until they send it again, a second or more later. Once the " +
    'server accepts, every client completes. Node makes the socket, bind and listen calls in one listen(), so the ' +
    'lab prints them as Python spells them; the listener lives in a thread whose event loop is blocked, so nothing ' +
    'accepts until the lab lets it.',
  imitation:
    'Node calls socket(), bind() and listen() inside one listen(), and its event loop accepts by itself: the listener is held in a worker thread whose loop is blocked, where Python simply does not call accept() yet.',
  params: [
    param('backlog', 'listen(backlog): how many connections may wait for accept()', 2, 1, 16),
    param('clients', 'how many clients connect', 6, 1, 20),
    param('busy', 'seconds the server does not call accept()', 0.5, 0.1, 10, undefined, 2),
  ],
  async run({ params, print, sleep, stopped, expect }) {
    const n = params.backlog!;
    const clients = params.clients!;
    const busy = params.busy!;
    expect(synRetryAfter(busy) + 0.3);
    // The server thread waits on this word before its loop runs; 1 lets it accept.
    const gate = new SharedArrayBuffer(4);
    const letAccept = () => {
      Atomics.store(new Int32Array(gate), 0, 1);
      Atomics.notify(new Int32Array(gate), 0);
    };
    const server = backlogServer(gate, n);
    const sockets: net.Socket[] = [];
    try {
      const { port } = await server.next('listening', stopped);
      print(l10n.t('server: s = socket(AF_INET, SOCK_STREAM)'));
      print(l10n.t("server: s.bind(('127.0.0.1', 0)) → port {0}", port));
      print(l10n.t('server: s.listen({0})', n));
      print(l10n.t('server: busy for {0} s: no accept() yet', busy));
      let accepted = 0;
      server.on((m) => {
        if (m.t !== 'accepted') return;
        accepted++;
        print(l10n.t("server: conn, addr = s.accept() → ('127.0.0.1', {0})", m.peer));
      });
      const t0 = performance.now();
      let openedAt = Infinity;
      // For each client: when connect() returned (ms since t0), and how long it took.
      const connected: { at: number; took: number }[] = [];
      /** One client: 'ok' once its message came back, or the error that ended it. */
      const client = (i: number) =>
        new Promise<string>((resolve) => {
          const start = performance.now();
          const s = net.connect({ host: '127.0.0.1', port, noDelay: true });
          sockets.push(s);
          s.once('connect', () => {
            const c = { at: ms(t0), took: ms(start) };
            connected.push(c);
            print(
              c.at < openedAt
                ? l10n.t('client {0}: connect() returned after {1} ms (queued by the kernel)', i + 1, c.took)
                : l10n.t('client {0}: connect() returned after {1} ms (its SYN was sent again)', i + 1, c.took),
            );
            s.write(`hello ${i + 1}`);
          });
          s.once('data', () => {
            s.end();
            resolve('ok');
          });
          s.once('error', (err) => resolve(errnoCode(err) ?? err.message));
        });
      print(l10n.t('{0} clients: connect(), {1} ms apart', clients, STAGGER_MS));
      const served: Promise<string>[] = [];
      for (let i = 0; i < clients; i++) {
        // Clients arrive a little apart, as real ones do, so their SYNs are retried apart too and
        // the server, accepting by then, makes room between them. Retried in the same instant,
        // more than n + 1 would overflow the queue again and wait seconds more.
        if (i > 0) await sleep(STAGGER_MS / 1000);
        served.push(client(i));
      }
      await sleep(Math.max(0, busy - ms(t0) / 1000));
      const atOnce = connected.length;
      const synSent = countTcp(port, TCP_STATE.SYN_SENT, true);
      print(
        synSent === null
          ? l10n.t('after {0} s: {1} connected, {2} still in connect()', busy, atOnce, clients - atOnce)
          : l10n.t('after {0} s: {1} connected, {2} still in connect() (SYN_SENT in /proc/net/tcp: {3})', busy, atOnce, clients - atOnce, synSent),
      );
      const accepting = server.next('accepting', stopped);
      openedAt = ms(t0);
      letAccept();
      await accepting;
      print(l10n.t('server: accept() in a loop now'));
      // A retried handshake that overflows the queue again waits seconds more: time enough.
      const results = await orStopped(Promise.all(served), stopped, 'every client to be served', 60_000);
      const waitedMs = connected.filter((c) => c.at >= openedAt).map((c) => c.took);
      const completed = results.filter((r) => r === 'ok').length;
      const failed = results.filter((r) => r !== 'ok');
      const low = Math.min(...waitedMs);
      const high = Math.max(...waitedMs);
      return {
        summary: waitedMs.length
          ? l10n.t(
              'listen({0}) and no accept() for {1} s: {2} of {3} clients connected at once; {4} waited in connect() ({5} ms, until their SYN was sent again); once the server accepted, {6} of {3} completed.',
              n,
              busy,
              atOnce,
              clients,
              waitedMs.length,
              low === high ? String(low) : `${low}–${high}`,
              completed,
            )
          : l10n.t('listen({0}) and no accept() for {1} s: all {2} clients connected at once; {3} of {2} completed once the server accepted.', n, busy, clients, completed),
        figures: { backlog: n, clients, busyMs: Math.round(busy * 1000), connectedAtOnce: atOnce, waited: waitedMs.length, waitedMs, synSent, accepted, completed, failed },
      };
    } finally {
      await closeAll(sockets);
      letAccept();
      await server.end();
    }
  },
};

export const reuseaddr: LabDefinition = {
  name: 'reuseaddr',
  title: 'SO_REUSEADDR: binding twice, restarting a server',
  group: 'sockets',
  explanation:
    'Two experiments from the tutorials. First, a second socket binds the port a server listens on: ' +
    'EADDRINUSE, "Address already in use", with SO_REUSEADDR or without. Second, the server greets a few clients ' +
    'and closes each connection first; the side that closes first keeps its socket in TIME_WAIT for about a ' +
    'minute (counted here from /proc/net/tcp). The server is stopped and started again on the same port. In Python ' +
    'that bind fails with [Errno 98] while TIME_WAIT lasts, unless the server sets SO_REUSEADDR before bind ' +
    '(examples/reuseaddr.py shows both). Node cannot show the failure: libuv sets SO_REUSEADDR on every TCP ' +
    'socket it binds, so the restart works — the fix, built in.',
  imitation:
    'Node cannot bind a TCP socket without SO_REUSEADDR (libuv always sets it), so the failing restart, [Errno 98], is shown by the Python program only; the lab shows the restart that works.',
  params: [
    param('clients', 'clients the server greets and then closes first (each leaves a socket in TIME_WAIT)', 3, 1, 20),
    param('pause', 'seconds between the steps, to follow the servers in the Servers view', 0, 0, 10, undefined, 1.5),
  ],
  async run({ params, print, serve, unserve, sleep, stopped, expect }) {
    const clients = params.clients!;
    const pause = params.pause!;
    expect(4 * pause + 0.2);
    const sockets: net.Socket[] = [];
    // Greets, then closes: the server is the side that closes first (socketserver's first example).
    const options = { model: 'event-loop', handler: 'welcome' } as const;
    try {
      const first = await serve(options);
      const port = first.port;
      print(l10n.t("server 1: socket(), setsockopt(SO_REUSEADDR, 1) (libuv does it), bind(('127.0.0.1', {0})), listen()", port));
      await sleep(pause);
      let bindTwiceError: string | null = null;
      try {
        const second = await serve({ ...options, port });
        await unserve(second);
        print(l10n.t("server 2: bind(('127.0.0.1', {0})) while server 1 listens → it worked", port));
      } catch (err) {
        bindTwiceError = errnoCode(err) ?? String(err);
        print(l10n.t("server 2: bind(('127.0.0.1', {0})) while server 1 listens → {1}", port, err instanceof Error ? err.message : String(err)));
      }
      await sleep(pause);
      let closed = 0;
      const allClosed = new Promise<void>((resolve) => {
        const sub = first.onConnectionClosed(() => {
          if (++closed < clients) return;
          sub.dispose();
          resolve();
        });
      });
      for (let i = 0; i < clients; i++) {
        const s = await orStopped(connect(port, sockets), stopped, 'a connection');
        const greeting = await orStopped(nextData(s), stopped, 'the greeting');
        print(l10n.t('client {0}: received {1}; the server closed the connection first', i + 1, JSON.stringify(greeting.toString())));
      }
      await orStopped(allClosed, stopped, 'the connections to close');
      const timeWaitCount = countTcp(port, TCP_STATE.TIME_WAIT);
      print(
        timeWaitCount === null
          ? l10n.t('this system has no /proc/net/tcp: the TIME_WAIT sockets cannot be counted here')
          : l10n.t('/proc/net/tcp: {0} sockets on port {1} in TIME_WAIT (the side that closed first keeps them)', timeWaitCount, port),
      );
      await sleep(pause);
      await unserve(first);
      print(l10n.t('server 1 stopped: port {0} has no listener, only the TIME_WAIT sockets', port));
      await sleep(pause);
      let restartSucceeded = false;
      let restartError: string | null = null;
      try {
        const again = await serve({ ...options, port });
        const s = await orStopped(connect(again.port, sockets), stopped, 'a connection to the restarted server');
        await orStopped(nextData(s), stopped, 'the greeting');
        restartSucceeded = true;
        print(l10n.t("server 1 again: bind(('127.0.0.1', {0})) → listening, and it greets a new client", port));
      } catch (err) {
        if (stopped.aborted) throw err;
        restartError = err instanceof Error ? err.message : String(err);
        print(l10n.t("server 1 again: bind(('127.0.0.1', {0})) → {1}", port, restartError));
      }
      return {
        summary: restartSucceeded
          ? l10n.t(
              'A second bind to port {0} while the server listened failed with {1}. After the server closed {2} connections first ({3} sockets in TIME_WAIT) and stopped, it started again on port {0} at once: libuv sets SO_REUSEADDR. Without it (Python by default) that bind fails with [Errno 98] Address already in use.',
              port,
              bindTwiceError ?? 'no error',
              clients,
              timeWaitCount ?? '?',
            )
          : l10n.t('A second bind to port {0} failed with {1}; restarting the server on port {0} failed too: {2}', port, bindTwiceError ?? 'no error', restartError ?? ''),
        figures: { port, clients, bindTwiceError, timeWaitCount, restartSucceeded, restartError },
      };
    } finally {
      await closeAll(sockets);
    }
  },
};

export const selectServerLab: LabDefinition = {
  name: 'select-server',
  title: 'select, non-blocking sockets, and a handler that blocks',
  group: 'sockets',
  explanation:
    "One thread can serve every socket: select (poll, epoll) says which are ready, and the loop serves each. Node's " +
    "event loop is exactly such a loop (epoll on Linux), and the engine's 'event-loop' server model imitates " +
    "select. The catch: while one handler runs, nothing else does. Client A's request takes a while; the " +
    'handler first waits for it itself (as time.sleep would), and client B, asking only for an echo, waits the ' +
    'same seconds. Then the handler hands the slow work off (a timer here; a thread would do) and B is answered ' +
    'in milliseconds. Node sockets are always non-blocking (libuv retries on EAGAIN for you), so ' +
    'setblocking(False) and BlockingIOError [Errno 11] are shown by the Python program, examples/select_server.py.',
  imitation:
    "A worker thread's event loop (epoll) stands for select.select, Atomics.wait for the blocking time.sleep and a timer for the hand-off; Node sockets are always non-blocking, so BlockingIOError is shown by the Python program only.",
  params: [param('slow', "seconds client A's request takes", 1, 0.2, 10, undefined, 3), param('clients', 'other clients, each asking for an echo while A is served', 2, 1, 20)],
  async run({ params, print, stopped, expect }) {
    const slow = params.slow!;
    const clients = params.clients!;
    expect(2 * slow + 0.3);
    const server = selectServer(slow);
    const sockets: net.Socket[] = [];
    try {
      const { port } = await server.next('listening', stopped);
      print(l10n.t('server: one thread, one event loop (epoll, like select.select) serves every socket on port {0}', port));
      const a = await orStopped(connect(port, sockets), stopped, 'client A to connect');
      const others = await orStopped(Promise.all(Array.from({ length: clients }, () => connect(port, sockets))), stopped, 'the clients to connect');
      const round = async (how: 'block' | 'handoff') => {
        const t0 = performance.now();
        const started = server.next('slow', stopped);
        const slowReply = nextData(a);
        // Awaited below; a stop before then closes A, and that must not be an unhandled rejection.
        slowReply.catch(() => undefined);
        a.write(`slow ${how}`);
        await started;
        print(
          how === 'block'
            ? l10n.t("server: A's request: the handler waits {0} s itself (like time.sleep): the loop is stuck in it", slow)
            : l10n.t("server: A's request: the handler hands the {0} s wait off (a timer): the loop goes on", slow),
        );
        const echoMs = await orStopped(
          Promise.all(
            others.map(async (s, i) => {
              const t = performance.now();
              const reply = nextData(s);
              s.write(`hello ${i + 1}`);
              await reply;
              const took = ms(t);
              print(l10n.t('client B{0}: echo after {1} ms', i + 1, took));
              return took;
            }),
          ),
          stopped,
          'the echoes',
        );
        await orStopped(slowReply, stopped, "A's reply");
        const slowMs = ms(t0);
        print(l10n.t('client A: reply after {0} ms', slowMs));
        return { echoMs: Math.max(...echoMs), slowMs };
      };
      const blocked = await round('block');
      const handedOff = await round('handoff');
      return {
        summary: l10n.t(
          "While client A's request took {0} s, another client's echo took {1} ms when the handler blocked the one thread, and {2} ms when it handed the slow work off.",
          slow,
          blocked.echoMs,
          handedOff.echoMs,
        ),
        figures: { slowMs: Math.round(slow * 1000), clients, blockedEchoMs: blocked.echoMs, handedOffEchoMs: handedOff.echoMs, slowReplyMs: [blocked.slowMs, handedOff.slowMs] },
      };
    } finally {
      await closeAll(sockets);
      await server.end();
    }
  },
};

export const SOCKET_LABS: readonly LabDefinition[] = [backlog, reuseaddr, selectServerLab];
