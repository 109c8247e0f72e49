import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Engine } from '../../../src/engine/engine';
import type { EntityView, StateMessage } from '../../../src/protocol/views';
import { SAMPLE_MS, type EntitySource } from '../../../src/feeds/dashboardFeed';
import { parseRecording } from '../../../src/feeds/recording/parseRecording';
import { DEFAULT_RECORDER_LIMITS, Recorder } from '../../../src/feeds/recording/recorder';
import { connectionLogs, toChromeTrace, type TraceEvent } from '../../../src/feeds/recording/traceExport';
import { MAX_MESSAGE_BYTES } from '../../../src/protocol/messages';
import { type Recording } from '../../../src/feeds/recording/format';
import { replayParts } from '../../../src/feeds/recording/replayParts';
import { RecordingData } from '../../../src/webview/recordingData';
import { TestClient } from '../../support/testClient';
import { workers } from '../support/build';

class Source implements EntitySource {
  readonly entities = new Map<string, EntityView>();
  apply(m: StateMessage): { changed: string[]; removed: string[] } {
    if (m.type === 'snapshot') {
      this.entities.clear();
      for (const e of m.entities) this.entities.set(e.id, e);
      return { changed: m.entities.map((e) => e.id), removed: [] };
    }
    for (const e of [...m.added, ...m.changed]) this.entities.set(e.id, e);
    for (const id of m.removed) this.entities.delete(id);
    return { changed: [...m.added, ...m.changed].map((e) => e.id), removed: [...m.removed] };
  }
  get(id: string): EntityView | undefined {
    return this.entities.get(id);
  }
  all(): Iterable<EntityView> {
    return this.entities.values();
  }
}

/** Records a real session: a deadlock lab and an echo server with a client exchanging lines. */
async function recordSession(): Promise<Recording> {
  const engine = new Engine({ workers, retentionMs: 60_000, tickMs: 50 });
  const source = new Source();
  let recorder: Recorder | undefined;
  let sawDeadlock: () => void = () => {};
  const deadlocked = new Promise<void>((r) => (sawDeadlock = r));
  engine.publisher.subscribe((m) => {
    const { changed, removed } = source.apply(m);
    recorder?.note(changed, removed);
    recorder?.tick(Date.now());
    if ([...source.all()].filter((e) => e.kind === 'sync' && e.deadlocked).length === 2) sawDeadlock();
  });
  try {
    // Recording starts before the server: new servers' connections are captured from their first byte.
    recorder = new Recorder(source, engine.captureConnections(DEFAULT_RECORDER_LIMITS.capture, 1), Date.now());
    const server = await engine.startServer({ transport: 'tcp', model: 'thread-per-connection', handler: 'upper', host: '127.0.0.1', port: 0 });
    const c = await TestClient.connect({ port: server.port });
    for (const line of ['hello\n', 'world\n']) {
      c.send(line);
      await c.textIncludes(line.toUpperCase());
    }
    engine.startLab('deadlock', { linger: -1 });
    await deadlocked;
    c.close();
    await c.whenClosed();
    // Past the one-connection limit: not captured, and the recording says so.
    const extra = await TestClient.connect({ port: server.port });
    extra.send('x');
    await extra.bytes(1);
    extra.close();
    await extra.whenClosed();
    return recorder.stop(Date.now());
  } finally {
    recorder?.dispose();
    await engine.dispose();
  }
}

describe('extension: recording, Chrome trace export and reopening (real engine)', function () {
  this.timeout(30_000);
  let rec: Recording;
  before(async () => {
    rec = await recordSession();
  });

  it('the recording holds the picture from the start, the lab threads and the connection bytes', () => {
    assert.ok(rec.frames.length > 1 && rec.endedAt > rec.startedAt);
    const lanes = rec.frames.flatMap((f) => f.lanes);
    assert.ok(
      lanes.some((l) => l.name === 'T1' && l.state === 'lock'),
      'T1 waiting for a lock',
    );
    assert.ok(rec.frames.flatMap((f) => f.locks).some((l) => l.deadlocked));
    assert.equal(rec.streams.length, 1);
    const msgs = rec.streams[0]!.records.map((r) => [r.dir, Buffer.from(r.b64, 'base64').toString()]);
    assert.deepEqual(msgs, [
      ['in', 'hello\n'],
      ['out', 'HELLO\n'],
      ['in', 'world\n'],
      ['out', 'WORLD\n'],
    ]);
    assert.equal(rec.streams[0]!.ended, 'closed by peer');
    assert.deepEqual(rec.notes, ['Bytes were captured for the first 1 connection only.']);
  });

  it('exports Chrome trace-event JSON: named processes and threads, well-formed slices, paired lock holds, messages', () => {
    const trace = JSON.parse(JSON.stringify(toChromeTrace(rec))) as { traceEvents: TraceEvent[]; displayTimeUnit: string };
    const ev = trace.traceEvents;
    assert.equal(trace.displayTimeUnit, 'ms');
    const threadNames = ev.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => String(e.args!.name));
    assert.ok(threadNames.includes('T1 [thread]') && threadNames.some((n) => /^conn 127\.0\.0\.1:\d+ \[connection\]$/.test(n)), threadNames.join(', '));
    assert.ok(ev.filter((e) => e.ph === 'M' && e.name === 'process_name').some((e) => /thread-per-connection/.test(String(e.args!.name))));
    for (const e of ev.filter((x) => x.ph === 'X')) {
      assert.ok(Number.isInteger(e.ts) && e.ts! >= 0 && Number.isInteger(e.dur) && e.dur! >= 0, JSON.stringify(e));
      assert.ok(Number.isInteger(e.pid) && Number.isInteger(e.tid));
    }
    // Per track, slices do not overlap (a viewer would nest or drop them).
    const byTrack = new Map<string, TraceEvent[]>();
    for (const e of ev.filter((x) => x.ph === 'X')) byTrack.set(`${e.pid}/${e.tid}`, [...(byTrack.get(`${e.pid}/${e.tid}`) ?? []), e]);
    for (const slices of byTrack.values()) {
      slices.sort((a, b) => a.ts! - b.ts!);
      for (let i = 1; i < slices.length; i++) assert.ok(slices[i]!.ts! >= slices[i - 1]!.ts! + slices[i - 1]!.dur!, `overlap: ${JSON.stringify(slices.slice(i - 1, i + 1))}`);
    }
    assert.ok(ev.some((e) => e.ph === 'X' && e.name === 'waiting for lock' && /Lock [AB]/.test(String(e.args!.label))));
    const begins = ev.filter((e) => e.ph === 'b').map((e) => `${e.id}|${e.name}`);
    const ends = ev.filter((e) => e.ph === 'e').map((e) => `${e.id}|${e.name}`);
    assert.deepEqual([...begins].sort(), [...ends].sort(), 'every lock hold begins and ends');
    assert.ok(begins.some((b) => /Lock A held by T1/.test(b)));
    const messages = ev.filter((e) => e.ph === 'i' && e.cat === 'message');
    assert.deepEqual(
      messages.map((m) => [m.name, m.args!.text]),
      [
        ['client → server 6 B', 'hello\\n'],
        ['server → client 6 B', 'HELLO\\n'],
        ['client → server 6 B', 'world\\n'],
        ['server → client 6 B', 'WORLD\\n'],
      ],
    );
    assert.ok(ev.some((e) => e.ph === 'C' && e.name === 'server'));
    // The Barrier the two threads meet at: the last to arrive wakes the other — a flow arrow.
    const starts = ev.filter((e) => e.ph === 's');
    const finishes = ev.filter((e) => e.ph === 'f');
    assert.ok(starts.length >= 1, 'a wake-up flow');
    assert.deepEqual(
      starts.map((e) => e.id),
      finishes.map((e) => e.id),
    );
    const nameOf = (pid: number, tid: number) => ev.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.tid === tid)!.args!.name;
    assert.deepEqual([nameOf(starts[0]!.pid, starts[0]!.tid!), nameOf(finishes[0]!.pid, finishes[0]!.tid!)].sort(), ['T1 [thread]', 'T2 [thread]']);
  });

  it('connection logs as text: one line per message, escaped, with direction and time', () => {
    const text = connectionLogs(rec);
    assert.match(text, /^== conn 127\.0\.0\.1:\d+ \(conn-\d+\) — 4 messages$/m);
    assert.match(text, /^\+\d+\.\d{6} s {2}client → server {7}6 B {2}hello\\n$/m);
    assert.match(text, /^ {3}ended: closed by peer$/m);
  });

  it('reopens what it exported: the trace file parses back to the same recording', () => {
    const file = JSON.parse(JSON.stringify(toChromeTrace(rec))) as unknown;
    assert.deepEqual(parseRecording(file), JSON.parse(JSON.stringify(rec)));
  });

  it('a damaged or foreign file gets a reason naming the first problem, never an exception', () => {
    assert.match(String(parseRecording({ traceEvents: [] })), /not exported by Socket Lab/);
    assert.match(String(parseRecording([])), /damaged: the file is not an object/);
    const broken = JSON.parse(JSON.stringify(rec)) as { frames: { lanes: { state: string }[] }[] };
    const f = broken.frames.findIndex((x) => x.lanes.length > 0);
    broken.frames[f]!.lanes[0]!.state = 'exploded';
    assert.equal(parseRecording(broken), `This recording is damaged: frames[${f}].lanes[0].state is not one of new, running, recv, send, lock, wait, sleep, idle, open, done, failed.`);
    assert.match(String(parseRecording({ ...rec, version: 2 })), /version 2/);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = parseRecording(v);
        assert.ok(typeof r === 'string' || r.format === 'socket-lab-recording');
      }),
      { numRuns: 2000 },
    );
    // Shaped like a recording, with arbitrary values inside.
    fc.assert(
      fc.property(
        fc.record({
          format: fc.constant('socket-lab-recording'),
          version: fc.constant(1),
          startedAt: fc.anything(),
          endedAt: fc.anything(),
          frames: fc.array(fc.anything()),
          streams: fc.anything(),
          notes: fc.anything(),
        }),
        (v) => {
          parseRecording(v);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('extension: a recording sent to a replay panel in parts', () => {
  it('every part is under the message limit and the parts put back together give the recording', () => {
    const t0 = 1_700_000_000_000;
    const lane = (i: number, now: number) => ({
      id: `thread-${i}`,
      kind: 'thread' as const,
      name: `T${i}`,
      groupId: 'lab-1',
      group: 'lab',
      state: 'running' as const,
      label: 'running',
      since: now,
      holding: [],
      waitingForId: null,
      linkId: null,
      woken: null,
      ended: false,
    });
    const frames = Array.from({ length: 400 }, (_, k) => ({ now: t0 + k * 200, lanes: Array.from({ length: 20 }, (_, i) => lane(i + 1, t0 + k * 200)), locks: [], servers: [], pools: [], gone: [] }));
    const records = Array.from({ length: 500 }, (_, k) => ({ seq: k + 1, at: t0 + k, dir: (k % 2 ? 'out' : 'in') as 'in' | 'out', size: 1024, b64: Buffer.alloc(1024, k % 256).toString('base64') }));
    const rec: Recording = {
      format: 'socket-lab-recording',
      version: 1,
      startedAt: t0,
      endedAt: t0 + 80_000,
      frames,
      streams: [{ id: 'conn-1', name: 'conn a', records, skipped: 3, unavailable: null, ended: 'closed by peer' }],
      notes: ['n'],
    };
    const parts = replayParts(rec, 'r');
    assert.ok(parts.length > 10, `${parts.length} parts`);
    for (const p of parts) assert.ok(Buffer.byteLength(JSON.stringify({ type: 'replay', part: p })) < MAX_MESSAGE_BYTES);
    assert.deepEqual(
      parts.map((p) => p.last),
      parts.map((_, i) => i === parts.length - 1),
    );
    const data = new RecordingData();
    assert.equal(data.add(parts[1]!), false, 'out of order is refused');
    for (const p of parts) assert.ok(data.add(p));
    assert.ok(data.complete);
    assert.deepEqual(data.frames, frames);
    assert.deepEqual(data.streams.get('conn-1')!.records, records);
    assert.equal(data.streams.get('conn-1')!.stream.ended, 'closed by peer');
    assert.equal(data.frameAt(t0 - 1), -1);
    assert.equal(data.frameAt(t0 + 200 * 10 + 5), 10);
    assert.equal(data.frameAt(t0 + 1e9), 399);
  });
});

describe('extension: recording a busy server', function () {
  this.timeout(20_000);
  it('holds one chart point a second for it, as the dashboard draws, not one per tick', async () => {
    const engine = new Engine({ workers, retentionMs: 60_000, tickMs: 50 });
    const source = new Source();
    let recorder: Recorder | undefined;
    engine.publisher.subscribe((m) => {
      const { changed, removed } = source.apply(m);
      recorder?.note(changed, removed);
    });
    try {
      const server = await engine.startServer({ transport: 'tcp', model: 'event-loop', handler: 'echo', host: '127.0.0.1', port: 0 });
      const c = await TestClient.connect({ port: server.port });
      const start = Date.now();
      recorder = new Recorder(source, undefined, start);
      let got = 0;
      // Real traffic for 2.5 s and a tick after every round trip: the server's counters move on
      // nearly every one.
      while (Date.now() - start < 2500) {
        c.send('ping\n');
        got += 5;
        await c.bytes(got);
        recorder.tick(Date.now());
      }
      c.close();
      const rec = recorder.stop(Date.now());
      const at = rec.frames.filter((f) => f.servers.some((s) => s.id === server.id && !s.ended)).map((f) => f.now);
      assert.ok(at.length >= 3 && at.length <= 4, `points at +${at.map((t) => t - start).join(', +')} ms`);
      for (let i = 1; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= SAMPLE_MS, `points at +${at.map((t) => t - start).join(', +')} ms`);
    } finally {
      recorder?.dispose();
      await engine.dispose();
    }
  });
});
