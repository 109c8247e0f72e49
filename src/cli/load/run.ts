import * as l10n from '@vscode/l10n';
import { describeConnectError } from '../../engine/errors';
import { formatTarget } from '../../engine/target';
import { DatagramLoadConnection } from './datagram';
import { GreetingLoadConnection } from './greeting';
import { MessageFormat } from './payload';
import { LoadTally, type LoadOptions, type LoadResult } from './result';
import { StreamLoadConnection } from './stream';

type LoadConnection = StreamLoadConnection | DatagramLoadConnection | GreetingLoadConnection;

/** Runs one load test against a target and returns its measured result. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { target, connections, size } = options;
  const closedLoop = options.rate === undefined;
  const payload = options.payload ?? 'binary';
  const expect = options.expect ?? 'echo';
  const tally = new LoadTally();
  const conns: LoadConnection[] = [];
  if (expect === 'greeting' && target.transport === 'udp') throw new Error(l10n.t('--expect greeting needs a connection to close: tcp or unix'));
  for (let i = 0; i < connections; i++) {
    if (expect === 'greeting') {
      conns.push(new GreetingLoadConnection(tally, closedLoop));
      continue;
    }
    const format = new MessageFormat(payload, expect, size, i);
    conns.push(target.transport === 'udp' ? new DatagramLoadConnection(size, tally, closedLoop, options.udpTimeoutMs ?? 1000, format) : new StreamLoadConnection(size, tally, closedLoop, format));
  }
  const connected = await Promise.allSettled(
    conns.map((c) => (c instanceof DatagramLoadConnection && target.transport === 'udp' ? c.connect(target.host, target.port) : (c as StreamLoadConnection | GreetingLoadConnection).connect(target))),
  );
  const failures = connected.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  for (const f of failures) tally.error((f.reason as NodeJS.ErrnoException).code ?? 'ERROR');
  const live = conns.filter((_, i) => connected[i]!.status === 'fulfilled');
  if (live.length === 0) {
    const reason = failures[0]?.reason as unknown;
    throw target.transport === 'unix' ? describeConnectError(reason, target.path, 0) : describeConnectError(reason, target.host, target.port);
  }

  const t0 = performance.now();
  tally.measureFrom = t0 + (options.warmupS ?? 0) * 1000;
  tally.measureUntil = tally.measureFrom + options.durationS * 1000;
  const timers: NodeJS.Timeout[] = [];

  if (closedLoop) {
    for (const c of live) c.send(t0);
  } else {
    // Open loop: each connection follows its own schedule; latency counts from the scheduled
    // time, so a stalled server cannot hide its stall (no coordinated omission).
    const perConnIntervalMs = (connections / options.rate!) * 1000;
    const next = live.map((_, i) => t0 + (i * perConnIntervalMs) / live.length);
    timers.push(
      setInterval(() => {
        const now = performance.now();
        for (let i = 0; i < live.length; i++) {
          while (next[i]! <= now && next[i]! < tally.measureUntil) {
            live[i]!.send(next[i]!);
            next[i]! += perConnIntervalMs;
          }
        }
      }, 1),
    );
  }
  if (target.transport === 'udp') {
    timers.push(
      setInterval(() => {
        const now = performance.now();
        for (const c of live) (c as DatagramLoadConnection).expire(now);
      }, 20),
    );
  }
  if (options.onProgress) {
    let lastMsgs = 0;
    let lastAt = t0;
    timers.push(
      setInterval(() => {
        const now = performance.now();
        options.onProgress!({
          elapsedS: (now - t0) / 1000,
          msgs: tally.msgsTotal,
          msgsPerS: ((tally.msgsTotal - lastMsgs) * 1000) / (now - lastAt),
          errors: tally.errors,
          openConnections: live.filter((c) => c.open).length,
        });
        lastMsgs = tally.msgsTotal;
        lastAt = now;
      }, 1000),
    );
  }

  // The run ends at its time, or earlier when the server has closed every connection: there is
  // nothing left to measure, and waiting would look like a hang.
  let endTimer: NodeJS.Timeout | undefined;
  const ending = await Promise.race([
    new Promise<'time'>((r) => (endTimer = setTimeout(() => r('time'), tally.measureUntil - performance.now()))),
    Promise.all(live.map((c) => c.closed)).then(() => 'all closed' as const),
  ]);
  clearTimeout(endTimer);
  const measuredS = ending === 'time' ? options.durationS : Math.min(Math.max(0, performance.now() - tally.measureFrom) / 1000, options.durationS);
  for (const c of live) c.sending = false;
  await drain(live, options.drainMs ?? 1000);
  for (const t of timers) clearInterval(t);
  for (const c of live) tally.missingBytes += c.missingBytes;
  await Promise.all(live.map((c) => c.close()));

  const h = tally.histogram;
  return {
    transport: target.transport,
    target: formatTarget(target),
    mode: closedLoop ? 'closed' : 'open',
    connections,
    connected: live.length,
    durationS: options.durationS,
    measuredS: ending === 'time' ? measuredS : Number(measuredS.toFixed(3)),
    size,
    payload,
    expect,
    rate: options.rate ?? null,
    msgs: tally.msgs,
    msgsPerS: measuredS > 0 ? tally.msgs / measuredS : 0,
    bytesSent: tally.bytesSent,
    bytesReceived: tally.bytesReceived,
    bytesVerified: tally.bytesVerified,
    corruptBytes: tally.corruptBytes,
    missingBytes: tally.missingBytes,
    errors: tally.errors,
    closedByServer: tally.closedByServer,
    errorCodes: tally.errorCodes,
    latencyUs: { p50: h.percentile(0.5), p90: h.percentile(0.9), p99: h.percentile(0.99), p999: h.percentile(0.999), max: h.max, mean: Math.round(h.mean) },
  };
}

/** Waits until every reply in flight has arrived, or the deadline passes. */
async function drain(conns: LoadConnection[], deadlineMs: number): Promise<void> {
  const pending = () => conns.some((c) => c.open && c.inFlight > 0);
  if (!pending()) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, deadlineMs);
    const check = setInterval(() => {
      if (!pending()) done();
    }, 5);
    function done() {
      clearTimeout(timer);
      clearInterval(check);
      resolve();
    }
  });
}
