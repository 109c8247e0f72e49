/**
 * Latency histogram with log-linear buckets (HDR style): 1 µs resolution below 64 µs, then
 * 64 sub-buckets per power of two, so any recorded value is reported within 1/64 (1.6 %).
 * Written here rather than taken from a library because it sits on the load generator's hot
 * path: recording is a few integer operations and no allocation.
 */
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS; // 64
const MAX_EXP = 27; // bucketed up to 2^32 µs (~71 min); larger values share the top bucket, max stays exact

export class LatencyHistogram {
  private readonly counts = new Float64Array((MAX_EXP + 1) * SUB);
  count = 0;
  max = 0;
  min = Infinity;
  sum = 0;

  /** Records a value in microseconds (fractions are truncated). */
  record(us: number): void {
    const v = us < 0 ? 0 : Math.floor(us);
    this.counts[LatencyHistogram.index(v)]!++;
    this.count++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  static index(v: number): number {
    if (v < SUB) return v;
    if (v > 0xffffffff) v = 0xffffffff;
    const exp = 32 - Math.clz32(v) - SUB_BITS; // ≥ 1 (integer math: no log2 rounding at 2^k − 1)
    const sub = Math.floor(v / 2 ** exp) - SUB / 2; // 0..31 (the top half: bit SUB_BITS-1 is set)
    return Math.min(SUB + (exp - 1) * (SUB / 2) + sub, (MAX_EXP + 1) * SUB - 1);
  }

  /** The lowest value a bucket holds. */
  static lowest(index: number): number {
    if (index < SUB) return index;
    const exp = Math.floor((index - SUB) / (SUB / 2)) + 1;
    const sub = (index - SUB) % (SUB / 2);
    return (sub + SUB / 2) * 2 ** exp;
  }

  /** The value at quantile q (0..1), as the bucket's lower bound; max for q = 1. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    if (q >= 1) return this.max;
    const want = Math.ceil(q * this.count);
    let acc = 0;
    for (let i = 0; i < this.counts.length; i++) {
      acc += this.counts[i]!;
      if (acc >= want && acc > 0) return Math.min(LatencyHistogram.lowest(i), this.max);
    }
    return this.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = this.max = this.sum = 0;
    this.min = Infinity;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min);
  }

  get mean(): number {
    return this.count ? this.sum / this.count : 0;
  }
}
