import assert from 'node:assert/strict';
import { describeProgress } from '../../../src/protocol/describe';
import { wrapProse } from '../../../src/protocol/format';

describe('wrapProse: outcome sentences as rows that fit the sidebar', () => {
  const race = 'Expected 8000. Without a lock the counter reached 5121 (2879 updates lost); with the lock 8000 (0 lost).';

  it('starts each sentence and clause on a row, keeps rows within the width, loses no word', () => {
    const rows = wrapProse(race, 34);
    assert.deepEqual(rows, ['Expected 8000.', 'Without a lock the counter reached', '5121 (2879 updates lost);', 'with the lock 8000 (0 lost).']);
    for (const r of rows) assert.ok(r.length <= 34, r);
    assert.equal(rows.join(' '), race);
  });

  it('a word longer than the width gets a row of its own rather than being cut', () => {
    assert.deepEqual(wrapProse('see /tmp/a-very-long-path-name-that-does-not-fit please', 10), ['see', '/tmp/a-very-long-path-name-that-does-not-fit', 'please']);
    assert.deepEqual(wrapProse('', 10), []);
  });
});

describe('describeProgress', () => {
  it('says how far and how long is left, never 100% while running', () => {
    assert.equal(describeProgress({ fraction: 0.4, leftMs: 5200 }), '40% · 6 s left');
    assert.equal(describeProgress({ fraction: 0.01, leftMs: null }), '1%');
    assert.equal(describeProgress({ fraction: 1, leftMs: 300 }), '99% · finishing');
  });
});
