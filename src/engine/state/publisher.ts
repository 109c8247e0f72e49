import { type Disposable, toDisposable } from '../lifecycle';
import type { StateModel } from './model';
import type { StateMessage } from '../../protocol/views';

export type StateListener = (message: StateMessage) => void;

/**
 * Emits the model's changes on a fixed tick, and only while someone subscribes (DESIGN §2).
 * A new subscriber gets a full snapshot at once; every subscriber then gets the same deltas.
 */
export class Publisher implements Disposable {
  private readonly listeners = new Set<StateListener>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly model: StateModel,
    private readonly tickMs: number,
  ) {}

  get subscriberCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: StateListener): Disposable {
    if (this.listeners.size === 0) {
      this.model.setRecording(true);
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    } else {
      // Others are mid-stream: flush what they are owed so the newcomer's snapshot is not older.
      this.tick();
    }
    this.listeners.add(listener);
    listener({ type: 'snapshot', now: this.model.now(), entities: this.model.snapshot() });
    return toDisposable(() => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    });
  }

  /** Publishes pending changes now; the timer calls it, tests and shutdown may too. */
  tick(): void {
    if (this.listeners.size === 0) return;
    const delta = this.model.drain();
    if (delta.added.length === 0 && delta.changed.length === 0 && delta.removed.length === 0) return;
    const message: StateMessage = { type: 'delta', ...delta };
    for (const listener of [...this.listeners]) listener(message);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.model.setRecording(false);
  }

  dispose(): void {
    this.listeners.clear();
    this.stop();
  }
}
