/** Rows redrawn over about a second above which a view redraws once a second. */
export const BUSY_ROWS = 100;
export const BUSY_PACE_MS = 1000;

/**
 * When a tree's changed rows are drawn: at once while the view is quiet (a thread that starts
 * waiting shows on the state's own tick), at most once a second while it redraws more than
 * BUSY_ROWS rows a second. Every redraw costs the workbench a render of the rows it shows; a
 * hundred threads flipping five times a second cost a traced program on two cores a tenth of
 * its throughput for changes nobody can read at that pace. A paced redraw draws each row's
 * latest state, so nothing is lost but the flicker.
 */
export class RedrawPacer<N> {
  private readonly pending = new Set<N>();
  private timer: NodeJS.Timeout | undefined;
  private lastDrawAt = -Infinity;
  /** Rows drawn in the current second and the one before: what says the view is busy. */
  private rowsThisSecond = 0;
  private rowsLastSecond = 0;
  private second = 0;

  constructor(
    private readonly draw: (rows: N[] | undefined) => void,
    private readonly busyRows = BUSY_ROWS,
    private readonly paceMs = BUSY_PACE_MS,
  ) {}

  /** Everything at once (a new picture): what was waiting is part of it. */
  all(): void {
    this.cancel();
    this.lastDrawAt = Date.now();
    this.draw(undefined);
  }

  rows(rows: Iterable<N>): void {
    for (const n of rows) this.pending.add(n);
    if (this.timer || !this.pending.size) return;
    const now = Date.now();
    const wait = this.busy(now) ? this.lastDrawAt + this.paceMs - now : 0;
    if (wait <= 0) this.drawPending();
    else this.timer = setTimeout(() => this.drawPending(), wait);
  }

  /** Drops what waits (the view was hidden or disposed). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private busy(now: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.second) {
      this.rowsLastSecond = second === this.second + 1 ? this.rowsThisSecond : 0;
      this.rowsThisSecond = 0;
      this.second = second;
    }
    return this.rowsThisSecond + this.rowsLastSecond > this.busyRows;
  }

  private drawPending(): void {
    this.timer = undefined;
    if (!this.pending.size) return;
    const rows = [...this.pending];
    this.pending.clear();
    const now = Date.now();
    this.busy(now);
    this.rowsThisSecond += rows.length;
    this.lastDrawAt = now;
    this.draw(rows);
  }
}
