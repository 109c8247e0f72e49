/** Turns a growing total into a per-second rate between two samples. */
export class RateMeter {
  private lastTotal = 0;
  private lastAt = 0;
  rate = 0;

  constructor(now: number) {
    this.lastAt = now;
  }

  /** Updates the rate when at least `minWindowMs` passed since the last sample; returns it. */
  sample(total: number, now: number, minWindowMs = 100): number {
    const dt = now - this.lastAt;
    if (dt < minWindowMs) return this.rate;
    this.rate = ((total - this.lastTotal) * 1000) / dt;
    this.lastTotal = total;
    this.lastAt = now;
    return this.rate;
  }
}
