import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LatencyHistogram } from '../../../../src/engine/metrics/histogram';

function exactPercentile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('LatencyHistogram', () => {
  it('is exact below 64 µs', () => {
    const h = new LatencyHistogram();
    for (let v = 0; v < 64; v++) h.record(v);
    assert.equal(h.percentile(0.5), 31);
    assert.equal(h.percentile(1), 63);
    assert.equal(h.count, 64);
  });

  it('bucket lower bounds invert the index for every bucket boundary', () => {
    for (let v = 64; v < 1 << 20; v = Math.floor(v * 1.01) + 1) {
      const i = LatencyHistogram.index(v);
      assert.ok(LatencyHistogram.lowest(i) <= v, `lowest(${i}) <= ${v}`);
      assert.ok(LatencyHistogram.lowest(i + 1) > v, `lowest(${i + 1}) > ${v}`);
    }
  });

  it('reports any percentile within 1/32 of the exact value, for any data', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 500 }), fc.double({ min: 0.01, max: 0.999, noNaN: true }), (values, q) => {
        const h = new LatencyHistogram();
        for (const v of values) h.record(v);
        const exact = exactPercentile(
          [...values].sort((a, b) => a - b),
          q,
        );
        const got = h.percentile(q);
        assert.ok(got <= exact && got >= exact * (1 - 1 / 32), `p${q}: got ${got}, exact ${exact}`);
      }),
    );
  });

  it('merges', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    a.record(10);
    b.record(1000);
    a.merge(b);
    assert.equal(a.count, 2);
    assert.equal(a.max, 1000);
    assert.equal(a.min, 10);
  });
});
