import * as l10n from '@vscode/l10n';
// Replay mode: the dashboard shows a recording instead of the live state. A cursor (scrub bar,
// play) picks a time; the store is rebuilt from the recorded frames up to it, so the timeline,
// charts, locks and streams all show that moment.
import type { ReplayPart } from '../protocol/messages';
import type { StreamUpdate } from '../protocol/frames';
import { el } from './dom';
import { RecordingData } from './recordingData';
import type { Store } from './store';

/** Scrub-bar resolution. */
const STEP_MS = 1;

export class Replay {
  readonly root: HTMLElement;
  readonly data = new RecordingData();
  /** The moment shown (ms since the epoch, the recording's clock). */
  cursor = 0;
  private applied = -1;
  private playing = false;
  private lastFrameAt = 0;
  private readonly title = el('span', { class: 'replay-title' });
  private readonly time = el('span', { class: 'replay-time', 'aria-live': 'off' });
  private readonly notes = el('div', { class: 'replay-notes' });
  private readonly slider: HTMLInputElement;
  private readonly playButton: HTMLElement;

  constructor(
    private readonly store: Store,
    /** The shown moment changed: redraw what depends on it. */
    private readonly onSeek: () => void,
  ) {
    this.slider = el('input', { type: 'range', class: 'replay-slider', min: '0', max: '0', step: String(STEP_MS), value: '0', 'aria-label': 'Time in the recording' });
    this.slider.addEventListener('input', () => {
      this.pause();
      this.seek(this.data.header!.startedAt + Number(this.slider.value));
    });
    this.playButton = el('vscode-button', { secondary: '', id: 'replay-play', title: l10n.t('Play the recording from here') }, l10n.t('Play'));
    this.playButton.addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    const start = el('vscode-button', { secondary: '', id: 'replay-start', title: l10n.t('Go to the start') }, l10n.t('Start'));
    start.addEventListener('click', () => {
      this.pause();
      this.seek(this.data.header!.startedAt);
    });
    const end = el('vscode-button', { secondary: '', id: 'replay-end', title: l10n.t('Go to the end') }, l10n.t('End'));
    end.addEventListener('click', () => {
      this.pause();
      this.seek(this.data.header!.endedAt);
    });
    this.root = el('div', { class: 'replay', role: 'region', 'aria-label': 'Recording' }, el('div', { class: 'toolbar' }, this.title, start, this.playButton, end, this.slider, this.time), this.notes);
    this.root.hidden = true;
  }

  /** A part arrived; once all did, the recording opens at its end. */
  add(part: ReplayPart): void {
    if (!this.data.add(part)) return;
    const h = this.data.header!;
    this.root.hidden = false;
    this.title.textContent = l10n.t('Recording {0}', h.name);
    this.notes.textContent = h.notes.join(' ');
    this.notes.hidden = h.notes.length === 0;
    this.slider.max = String(Math.max(0, Math.round(h.endedAt - h.startedAt)));
    if (this.data.complete) {
      this.root.dataset.complete = 'true';
      this.seek(h.endedAt);
    } else this.time.textContent = l10n.t('loading… {0} frames', this.data.frames.length);
  }

  seek(t: number): void {
    const h = this.data.header;
    if (!h || !this.data.complete) return;
    this.cursor = Math.min(h.endedAt, Math.max(h.startedAt, t));
    const idx = this.data.frameAt(this.cursor);
    if (idx < this.applied) {
      // Back in time: rebuild from the start (frames are deltas).
      this.store.reset(h.startedAt);
      this.applied = -1;
    }
    for (let i = this.applied + 1; i <= idx; i++) this.store.apply(this.data.frames[i]!);
    this.applied = idx;
    this.store.now = this.cursor;
    this.store.version++;
    this.store.lanesVersion++;
    this.slider.value = String(Math.round(this.cursor - h.startedAt));
    this.time.textContent = l10n.t('+{0} s of {1} s', ((this.cursor - h.startedAt) / 1000).toFixed(2), ((h.endedAt - h.startedAt) / 1000).toFixed(2));
    this.root.dataset.cursor = String(Math.round(this.cursor - h.startedAt));
    this.onSeek();
  }

  /** The recorded stream of a connection as of the cursor. */
  streamAt(id: string): StreamUpdate {
    const s = this.data.streams.get(id);
    const ended = this.data.header && s && this.cursor >= this.data.header.endedAt ? s.stream.ended : null;
    return {
      id,
      restart: true,
      records: s ? s.records.filter((r) => r.at <= this.cursor) : [],
      skipped: s?.stream.skipped ?? 0,
      unavailable: s ? s.stream.unavailable : l10n.t('No bytes were recorded for this connection.'),
      ended,
    };
  }

  private play(): void {
    const h = this.data.header;
    if (!h || !this.data.complete) return;
    if (this.cursor >= h.endedAt) this.seek(h.startedAt);
    this.playing = true;
    this.playButton.textContent = l10n.t('Pause');
    this.lastFrameAt = performance.now();
    requestAnimationFrame((t) => this.step(t));
  }

  private pause(): void {
    this.playing = false;
    this.playButton.textContent = l10n.t('Play');
  }

  private step(t: number): void {
    if (!this.playing) return;
    const h = this.data.header!;
    this.seek(this.cursor + (t - this.lastFrameAt));
    this.lastFrameAt = t;
    if (this.cursor >= h.endedAt) this.pause();
    else requestAnimationFrame((x) => this.step(x));
  }
}
