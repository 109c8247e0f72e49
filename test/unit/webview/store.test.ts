import assert from 'node:assert/strict';
import type { Frame, Lane } from '../../../src/protocol/frames';
import { MAX_POINTS, Store } from '../../../src/webview/store';

function lane(over: Partial<Lane>): Lane {
  return {
    id: 'thread-1',
    kind: 'thread',
    name: 'T1',
    groupId: 'lab-1',
    group: 'lab',
    state: 'running',
    label: 'running',
    since: 1000,
    holding: [],
    waitingForId: null,
    linkId: null,
    woken: null,
    ended: false,
    ...over,
  };
}

function frame(now: number, over: Partial<Frame>): Frame {
  return { now, lanes: [], locks: [], servers: [], pools: [], gone: [], ...over };
}

describe('webview: Store', () => {
  it('turns lane updates into spans, closing each at the next state change', () => {
    const s = new Store();
    s.reset(1000);
    s.apply(frame(1000, { lanes: [lane({})] }));
    s.apply(frame(1200, { lanes: [lane({ state: 'lock', label: 'waiting for Lock A', since: 1150 })] }));
    s.apply(frame(1400, { lanes: [lane({ state: 'running', label: 'running', since: 1390, holding: ['Lock A'] })] }));
    s.apply(frame(1600, { lanes: [lane({ state: 'done', label: 'done', since: 1500, ended: true })] }));
    const spans = s.lanes.get('thread-1')!.spans;
    assert.deepEqual(
      spans.map((x) => [x.state, x.start, x.end, x.holding]),
      [
        ['running', 1000, 1150, false],
        ['lock', 1150, 1390, false],
        ['running', 1390, 1500, true],
        ['done', 1500, 1500, false],
      ],
    );
  });

  it('a state without its own clock starts when it was heard of, never before the previous span', () => {
    const s = new Store();
    s.reset(0);
    s.apply(frame(1000, { lanes: [lane({ kind: 'connection', state: 'open', since: 500 })] }));
    s.apply(frame(2000, { lanes: [lane({ kind: 'connection', state: 'recv', since: 500 })] }));
    const spans = s.lanes.get('thread-1')!.spans;
    assert.equal(spans[1]!.start, 2000);
    assert.equal(spans[0]!.end, 2000);
  });

  it('charts: one point per sampled frame, rates from byte counters, bounded history, gone ids forgotten', () => {
    const s = new Store();
    s.reset(0);
    const server = (bytes: number, p50Ms: number | null = null) => ({
      id: 'server-1',
      name: 'TCP x',
      connections: 3,
      messagesPerSecond: 10,
      bytesIn: bytes,
      bytesOut: bytes,
      queued: 0,
      busy: 0,
      p50Ms,
      p99Ms: p50Ms && p50Ms * 3,
      ended: false,
    });
    s.apply(frame(1000, { servers: [server(0)] }));
    s.apply(frame(2000, { servers: [server(500, 0.2)] }));
    const series = s.series.get('server-1')!;
    assert.deepEqual(series.values.get('bytes'), [null, 1000]);
    assert.deepEqual(series.values.get('p50'), [null, 0.2], 'no replies in a window: a gap, not a zero');
    assert.deepEqual(series.values.get('p99'), [null, 0.2 * 3]);
    assert.deepEqual(series.values.get('connections'), [3, 3]);
    for (let i = 3; i < MAX_POINTS + 50; i++) s.apply(frame(i * 1000, { servers: [server(i * 100)] }));
    assert.equal(s.times.length, MAX_POINTS);
    assert.equal(series.values.get('connections')!.length, MAX_POINTS);
    s.apply(frame(1e9, { gone: ['server-1'] }));
    assert.equal(s.servers.size, 0);
  });
});

describe('webview: Store versions', () => {
  it('a frame with only server figures leaves the lanes version alone, so the timeline does not repaint', () => {
    const s = new Store();
    s.reset(0);
    s.apply(frame(1000, { lanes: [lane({})] }));
    const lanes = s.lanesVersion;
    const all = s.version;
    s.apply(frame(1200, { servers: [{ id: 'server-1', name: 'tcp', connections: 1, messagesPerSecond: 5, bytesIn: 10, bytesOut: 10, queued: 0, busy: 0, p50Ms: null, p99Ms: null, ended: false }] }));
    s.apply(frame(1400, { gone: ['server-1'] }));
    assert.equal(s.lanesVersion, lanes);
    assert.equal(s.version, all + 2);
    s.apply(frame(1600, { lanes: [lane({ state: 'lock' })] }));
    assert.equal(s.lanesVersion, lanes + 1);
    s.apply(frame(1800, { gone: ['thread-1'] }));
    assert.equal(s.lanesVersion, lanes + 2);
  });
});
