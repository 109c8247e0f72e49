import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { ThreadState, threadStateName } from '../../../src/engine/runtime/threadState';
import { describeThread } from '../../../src/protocol/describe';
import { LANE_STATES, TRACED_ONLY_STATES } from '../../../src/protocol/states';
import { LANE_STATE_INFO, THREAD_STATES, type ThreadStateName } from '../../../src/protocol/states';
import type { ThreadView } from '../../../src/protocol/views';

const NOW = 1_000_000;

function thread(state: ThreadStateName, extra: Partial<ThreadView> = {}): ThreadView {
  return {
    id: 'thread-1',
    kind: 'thread',
    parentId: 'lab-1',
    name: 'T1',
    createdAt: NOW - 5000,
    endedAt: null,
    ident: 7,
    daemon: false,
    alive: true,
    state,
    stateSince: NOW - 1500,
    waitingFor: null,
    holding: [],
    wokenBy: null,
    exitCode: null,
    error: null,
    ...extra,
  };
}

describe('thread and lane states: one table each, one describer', () => {
  it('every state the engine writes to shared memory has a row, and every row is reached', () => {
    const engineValues = Object.values(ThreadState).filter((v): v is number => typeof v === 'number');
    const names = new Set([...engineValues.map(threadStateName), ...TRACED_ONLY_STATES]);
    assert.deepEqual([...names].sort(), Object.keys(THREAD_STATES).sort());
  });

  it('every thread state the Python tracer writes has a row', () => {
    const dir = path.join(__dirname, '../../../python/socketlab_trace');
    const written = new Set<string>();
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.py'))) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      // t.set('…'), _blocked('…'), _Wait(rec, '…'), t.state = '…'
      for (const m of src.matchAll(/(?:_blocked\(|\.set\(|_Wait\([^,]+, |\bt\.state = )'([a-z ]+)'/g)) written.add(m[1]!);
    }
    assert.ok(written.size >= 12, [...written].join(', '));
    for (const s of written) assert.ok(s in THREAD_STATES, `the tracer writes "${s}", which has no row`);
    for (const s of TRACED_ONLY_STATES) assert.ok(written.has(s), `${s} is never written by the tracer`);
  });

  it('every lane state has a legend, a trace name and a colour; every thread state maps onto one of them', () => {
    assert.deepEqual(Object.keys(LANE_STATE_INFO).sort(), [...LANE_STATES].sort());
    for (const [name, info] of Object.entries(THREAD_STATES)) assert.ok((LANE_STATES as readonly string[]).includes(info.lane), name);
  });

  it('a waiting thread names what it waits for and who holds it; the lane says the same without the time', () => {
    for (const [state, info] of Object.entries(THREAD_STATES) as [ThreadStateName, (typeof THREAD_STATES)[ThreadStateName]][]) {
      if (info.waitsOn === null || info.waitsOn === 'socket') continue;
      const holder = info.waitsOn === 'thread' ? null : 'T2';
      const t = thread(state, { waitingFor: { id: 'sync-1', name: 'X', holderId: holder && 'thread-2', holderName: holder } });
      const inTree = describeThread(t, NOW);
      const inLane = describeThread(t, null);
      assert.equal(inTree, `${info.verb} X (1.5 s${holder ? ', held by T2' : ''})`, state);
      assert.equal(inLane, `${info.verb} X${holder ? ' (held by T2)' : ''}`, state);
    }
  });

  it('a timed state says how long; an untimed one does not; serving is said in both', () => {
    assert.equal(describeThread(thread('sleeping'), NOW), 'sleeping (1.5 s)');
    assert.equal(describeThread(thread('blocked in recv', { serving: { id: 'conn-1', peer: '127.0.0.1:5000' } }), NOW), 'blocked in recv (1.5 s) · serving 127.0.0.1:5000');
    assert.equal(describeThread(thread('blocked in recv', { serving: { id: 'conn-1', peer: '127.0.0.1:5000' } }), null), 'blocked in recv · serving 127.0.0.1:5000');
    assert.equal(describeThread(thread('running'), NOW), 'running');
  });

  it('a failure and a process exit say why', () => {
    const error = { type: 'ValueError', message: 'bad' };
    assert.equal(describeThread(thread('failed', { error, alive: false }), NOW), 'failed · ValueError: bad');
    assert.equal(describeThread(thread('done', { kind: 'process', alive: false, exitCode: -15 }), NOW), 'exited -15');
  });
});
