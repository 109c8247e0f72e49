import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseWebviewMessage } from '../../../src/protocol/messages';

describe('protocol: parseWebviewMessage', () => {
  it('accepts the well-formed messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'select', id: 'conn-12' }), { type: 'select', id: 'conn-12' });
  });

  it('rejects unknown types, extra fields and malformed ids', () => {
    for (const bad of [null, 1, 'ready', [], { type: 'nope' }, { type: 'ready', x: 1 }, { type: 'select' }, { type: 'select', id: '../etc' }, { type: 'closeConnection', id: 7 }]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  it('never throws on arbitrary JSON, and whatever it accepts has a known type', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const m = parseWebviewMessage(v);
        assert.ok(m === undefined || ['ready', 'select', 'closeConnection'].includes(m.type));
      }),
      { numRuns: 2000 },
    );
  });
});
