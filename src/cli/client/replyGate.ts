/** How the wait for a reply ended: it came and went quiet, none began in time, or the connection ended. */
export type ReplyOutcome = 'replied' | 'silent' | 'closed';

/**
 * Lockstep: the tutorials' servers compare each `recv()` with `'0'` or `'exit'`, so two lines
 * must never reach the server together. After a send, the next line waits until the reply has
 * begun and then stopped (`settleMs` without a byte), or none began within `startMs`.
 * Silence is the only end-of-reply a line protocol without framing offers.
 */
export class ReplyGate {
  private waiting: { resolve(outcome: ReplyOutcome): void; timer: NodeJS.Timeout; replied: boolean } | undefined;

  constructor(
    private readonly settleMs: number,
    private readonly startMs: number,
  ) {}

  /** Resolves when the reply to what was just sent is over; `startMs` overrides the wait for its first byte. */
  wait(startMs = this.startMs): Promise<ReplyOutcome> {
    this.end('replied');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.end('silent'), Math.max(startMs, this.settleMs));
      this.waiting = { resolve, timer, replied: false };
    });
  }

  /** Bytes arrived: the reply is not over until they stop for `settleMs`. */
  received(): void {
    const w = this.waiting;
    if (!w) return;
    w.replied = true;
    clearTimeout(w.timer);
    w.timer = setTimeout(() => this.end('replied'), this.settleMs);
  }

  /** We stopped reading (our output is full): silence now says nothing about the reply. */
  hold(): void {
    if (this.waiting) clearTimeout(this.waiting.timer);
  }

  /** Reading again: the silence counts from now. */
  release(): void {
    const w = this.waiting;
    if (!w) return;
    w.timer = setTimeout(() => this.end(w.replied ? 'replied' : 'silent'), w.replied ? this.settleMs : Math.max(this.startMs, this.settleMs));
  }

  /** The connection ended: no reply is coming. */
  closed(): void {
    this.end('closed');
  }

  private end(outcome: ReplyOutcome): void {
    const w = this.waiting;
    if (!w) return;
    this.waiting = undefined;
    clearTimeout(w.timer);
    w.resolve(outcome === 'silent' && w.replied ? 'replied' : outcome);
  }
}
