import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ACTIONS, parseWebviewMessage } from '../../../src/protocol/messages';

describe('protocol: parseWebviewMessage', () => {
  it('accepts the well-formed messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'select', id: 'conn-12' }), { type: 'select', id: 'conn-12' });
    assert.deepEqual(parseWebviewMessage({ type: 'follow', id: 'conn-7' }), { type: 'follow', id: 'conn-7' });
    assert.deepEqual(parseWebviewMessage({ type: 'follow', id: null }), { type: 'follow', id: null });
    for (const action of ACTIONS) assert.deepEqual(parseWebviewMessage({ type: 'action', action, id: 'thread-3' }), { type: 'action', action, id: 'thread-3' });
  });

  it('rejects unknown types and actions, missing or extra fields, malformed ids and prototype tricks', () => {
    const bad: unknown[] = [
      null,
      1,
      'ready',
      [],
      { type: 'nope' },
      { type: 'ready', x: 1 },
      { type: 'select' },
      { type: 'select', id: '../etc' },
      { type: 'select', id: 'conn-1', extra: true },
      { type: 'action', action: 'rm -rf', id: 'conn-1' },
      { type: 'action', action: 'killThread' },
      { type: 'action', action: 'toString', id: 'conn-1' },
      { type: 'action', action: 'stopServer', id: 'server-1\n' },
      { type: 'select', id: 'x'.repeat(5000) },
      { type: 'follow' },
      { type: 'follow', id: 7 },
      { type: 'follow', id: 'conn-1; rm' },
      { type: 'follow', id: undefined },
      JSON.parse('{"type":"ready","__proto__":{"polluted":1}}'),
      Object.create({ type: 'ready' }),
    ];
    for (const b of bad) assert.equal(parseWebviewMessage(b), undefined, JSON.stringify(b));
  });

  it('never throws on arbitrary JSON, and whatever it accepts has a known type and a well-formed id', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const m = parseWebviewMessage(v);
        assert.ok(m === undefined || ['ready', 'select', 'action', 'follow'].includes(m.type));
        if (m && m.type !== 'ready' && !(m.type === 'follow' && m.id === null)) assert.match(m.id!, /^[a-z]+-\d{1,12}$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on objects shaped like messages with arbitrary field values', () => {
    const shaped = fc.record(
      { type: fc.constantFrom('ready', 'select', 'action', 'follow', 'reset', ''), id: fc.anything(), action: fc.oneof(fc.constantFrom(...ACTIONS), fc.anything()) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(shaped, (v) => {
        const m = parseWebviewMessage(v);
        if (m?.type === 'action') assert.ok(ACTIONS.includes(m.action));
        if (m?.type === 'follow') assert.ok(m.id === null || /^[a-z]+-\d{1,12}$/.test(m.id));
      }),
      { numRuns: 3000 },
    );
  });
});
