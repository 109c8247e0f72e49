import * as l10n from '@vscode/l10n';
// The timeline: one lane per thread, process, pool worker and connection, coloured by state over
// time, grouped by owner. Lanes are drawn on one canvas and only the rows in view are drawn (and
// only their labels exist in the DOM), so hundreds of lanes cost what the visible few do.
import type { LaneState } from '../protocol/states';
import { tr } from '../protocol/l10n';
import { LANE_STATE_INFO } from '../protocol/states';
import { cssVar, stateColorVar, stateColors } from './colors';
import { el, formatMs } from './dom';
import type { LaneRecord, Store } from './store';

const ROW = 20;
/** Time alone moves the picture in steps of this many pixels (a 30 s window: 4 steps a second). */
const TIME_STEP_PX = 8;
const MIN_WINDOW = 1_000;
const MAX_WINDOW = 10 * 60_000;

export type LaneFilter = 'all' | 'live' | 'blocked' | 'lock';
const BLOCKED: ReadonlySet<LaneState> = new Set(['recv', 'send', 'lock', 'wait']);

type Row = { kind: 'group'; name: string } | { kind: 'lane'; rec: LaneRecord };

export interface TimelineState {
  windowMs: number;
  filter: LaneFilter;
}

export class Timeline {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly labels: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly info: HTMLElement;
  private readonly pauseButton: HTMLElement;
  private colors = stateColors();
  /** Wake-up arrows: the text colour, so they stand apart from every state colour. */
  private arrowColor = cssVar('--vscode-foreground', '#cccccc');
  private rows: Row[] = [];
  private rowsVersion = -1;
  private scrollRows = 0;
  private paused = false;
  /** While paused or panned: the right edge of the window (host clock). */
  private endAt = 0;
  private labelsKey = '';
  private drawnKey = '';
  private drawnEnd = 0;
  private drag: { x: number; endAt: number } | undefined;
  /**
   * Sizes from a ResizeObserver: reading clientWidth in a frame after the labels changed forces
   * a synchronous layout of the page, which showed up as most of the dashboard's script time.
   */
  private width = 0;
  private height = 0;
  /** Whether the last paint had anything that moves with time (a span edge or an arrow in view). */
  private movesWithTime = true;
  private labelItems: { rec: LaneRecord; item: HTMLElement; desc: HTMLElement; text: string; state: string }[] = [];
  private elapsedSecond = -1;
  private labelsVersion = -1;
  selected: string | null = null;
  /** Frame times of the last draws (ms), for the benchmark's p95. */
  readonly drawTimes: number[] = [];
  /** Wake-up arrows in the last paint (waker → woken), for the tests. */
  arrows: { from: string; to: string }[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly state: TimelineState,
    private readonly onSelect: (id: string) => void,
    private readonly onChange: () => void,
  ) {
    this.pauseButton = el('vscode-button', { secondary: '', id: 'tl-pause', title: l10n.t('Freeze the timeline (the state keeps updating)') }, l10n.t('Pause'));
    const follow = el('vscode-button', { secondary: '', id: 'tl-follow', title: l10n.t('Jump to now and keep following') }, l10n.t('Follow now'));
    const zoomIn = el('vscode-button', { secondary: '', id: 'tl-zoom-in', title: l10n.t('Zoom in (Ctrl+wheel)') }, '+');
    const zoomOut = el('vscode-button', { secondary: '', id: 'tl-zoom-out', title: l10n.t('Zoom out (Ctrl+wheel)') }, '−');
    const filter = el('vscode-single-select', { id: 'tl-filter', title: l10n.t('Which lanes to show') });
    for (const [value, text] of [
      ['all', l10n.t('All lanes')],
      ['live', l10n.t('Live only')],
      ['blocked', l10n.t('Blocked or waiting')],
      ['lock', l10n.t('Waiting for a lock')],
    ] as const) {
      const opt = el('vscode-option', { value }, text);
      if (value === state.filter) opt.setAttribute('selected', '');
      filter.append(opt);
    }
    this.info = el('span', { class: 'tl-info' });
    const legend = el('div', { class: 'legend' });
    for (const s of ['running', 'recv', 'lock', 'wait', 'sleep', 'send', 'idle', 'open', 'done', 'failed'] as LaneState[]) {
      const sw = el('span', { class: 'swatch', 'data-state': s });
      sw.style.background = stateColorVar(s);
      legend.append(el('span', { class: 'legend-item' }, sw, tr(LANE_STATE_INFO[s].legend)));
    }
    legend.append(el('span', { class: 'legend-item' }, el('span', { class: 'swatch holding' }), l10n.t('holds a lock')));
    legend.append(el('span', { class: 'legend-item', title: l10n.t('A release, set or notify by the upper thread woke the lower one') }, l10n.t('↕ woke another thread')));
    this.canvas = el('canvas', { class: 'tl-canvas', 'aria-label': 'Timeline of lane states' });
    this.labels = el('div', { class: 'tl-labels', role: 'list', 'aria-label': 'Lanes' });
    this.viewport = el('div', { class: 'tl-viewport' }, this.labels, this.canvas);
    this.root = el('div', { class: 'timeline' }, el('div', { class: 'toolbar' }, this.pauseButton, follow, zoomIn, zoomOut, filter, this.info), legend, this.viewport);

    this.pauseButton.addEventListener('click', () => this.setPaused(!this.paused));
    follow.addEventListener('click', () => this.setPaused(false));
    zoomIn.addEventListener('click', () => this.zoom(0.5));
    zoomOut.addEventListener('click', () => this.zoom(2));
    filter.addEventListener('change', () => {
      const v = (filter as unknown as { value: string }).value;
      if (v === 'all' || v === 'live' || v === 'blocked' || v === 'lock') {
        this.state.filter = v;
        this.rowsVersion = -1;
        this.scrollRows = 0;
        this.onChange();
      }
    });
    new ResizeObserver(() => {
      this.width = this.canvas.clientWidth;
      this.height = this.viewport.clientHeight;
      this.onChange();
    }).observe(this.viewport);
    this.viewport.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.labels.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('[data-id]');
      if (row?.dataset.id) this.onSelect(row.dataset.id);
    });
    this.canvas.addEventListener('mousedown', (e) => {
      this.drag = { x: e.clientX, endAt: this.windowEnd() };
    });
    window.addEventListener('mouseup', (e) => {
      const d = this.drag;
      this.drag = undefined;
      // A click (no drag): select the lane under the pointer.
      if (d && Math.abs(e.clientX - d.x) < 3) {
        const rect = this.canvas.getBoundingClientRect();
        const row = this.rows[this.scrollRows + Math.floor((e.clientY - rect.top) / ROW)];
        if (row?.kind === 'lane') this.onSelect(row.rec.lane.id);
      }
    });
    window.addEventListener('mousemove', (e) => {
      const d = this.drag;
      if (!d || Math.abs(e.clientX - d.x) < 3) return;
      const msPerPx = this.state.windowMs / Math.max(1, this.width);
      this.paused = true;
      this.endAt = Math.min(this.clock(), d.endAt - (e.clientX - d.x) * msPerPx);
      this.updatePauseButton();
    });
  }

  themeChanged(): void {
    this.colors = stateColors();
    this.arrowColor = cssVar('--vscode-foreground', '#cccccc');
    this.drawnKey = '';
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.endAt = this.clock();
    this.updatePauseButton();
  }

  private updatePauseButton(): void {
    this.pauseButton.textContent = this.paused ? l10n.t('Resume') : l10n.t('Pause');
  }

  zoom(factor: number): void {
    this.state.windowMs = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, this.state.windowMs * factor));
    this.onChange();
  }

  /**
   * Shows `spanMs` across the whole width: a recording of a few seconds in the default 30 s
   * window would draw each lane as a sliver at the right edge, rows that look empty.
   */
  fit(spanMs: number): void {
    this.state.windowMs = Math.min(MAX_WINDOW, Math.max(MIN_WINDOW, Math.ceil(spanMs * 1.05)));
    this.onChange();
  }

  /** Scrolls a lane into view (a reveal from the tree). */
  show(id: string): boolean {
    this.refreshRows();
    const i = this.rows.findIndex((r) => r.kind === 'lane' && r.rec.lane.id === id);
    if (i < 0) return false;
    const visible = this.visibleRows();
    if (i < this.scrollRows || i >= this.scrollRows + visible) this.scrollRows = Math.max(0, i - Math.floor(visible / 2));
    return true;
  }

  private windowEnd(): number {
    return this.paused ? this.endAt : this.clock();
  }

  private visibleRows(): number {
    return Math.max(1, Math.floor(this.height / ROW));
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    if (e.ctrlKey || e.metaKey) {
      this.zoom(e.deltaY > 0 ? 1.25 : 0.8);
      return;
    }
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      const msPerPx = this.state.windowMs / Math.max(1, this.width);
      this.paused = true;
      this.endAt = Math.min(this.clock(), this.windowEnd() + (e.deltaX || e.deltaY) * msPerPx);
      this.updatePauseButton();
      return;
    }
    const max = Math.max(0, this.rows.length - this.visibleRows());
    this.scrollRows = Math.min(max, Math.max(0, this.scrollRows + Math.sign(e.deltaY) * 3));
  }

  private accepts(rec: LaneRecord): boolean {
    const l = rec.lane;
    switch (this.state.filter) {
      case 'live':
        return !l.ended;
      case 'blocked':
        return !l.ended && BLOCKED.has(l.state);
      case 'lock':
        return !l.ended && l.state === 'lock';
      default:
        return true;
    }
  }

  /** Rows in group order: an owner's threads and processes first, then its connections. */
  private refreshRows(): void {
    if (this.rowsVersion === this.store.lanesVersion) return;
    this.rowsVersion = this.store.lanesVersion;
    const groups = new Map<string, LaneRecord[]>();
    for (const rec of this.store.lanes.values()) {
      if (!this.accepts(rec)) continue;
      const key = rec.lane.group || l10n.t('Other');
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(rec);
    }
    const rows: Row[] = [];
    for (const [name, recs] of groups) {
      rows.push({ kind: 'group', name });
      const order = (r: LaneRecord) => (r.lane.kind === 'connection' ? 1 : 0);
      for (const rec of recs.sort((a, b) => order(a) - order(b))) rows.push({ kind: 'lane', rec });
    }
    this.rows = rows;
    this.scrollRows = Math.min(this.scrollRows, Math.max(0, rows.length - 1));
  }

  /**
   * Draws the visible rows when something visible changed: a lane, the view (scroll, zoom,
   * selection, size), or time by at least TIME_STEP_PX — and time only when something in view
   * moves with it (a lane that has been in one state for the whole window looks the same).
   * Repainting a canvas costs the renderer (software raster here): a 30 s window moves at most
   * 4 times a second, and a paused or unchanging one not at all.
   */
  draw(): void {
    const end = this.windowEnd();
    const key = `${this.store.lanesVersion}|${this.scrollRows}|${this.selected}|${this.state.windowMs}|${this.state.filter}|${this.width}|${this.height}|${this.paused}`;
    const msPerPx = this.state.windowMs / Math.max(1, this.width);
    if (key === this.drawnKey && (!this.movesWithTime || Math.abs(end - this.drawnEnd) < TIME_STEP_PX * msPerPx)) {
      this.updateLabelText(this.clock());
      return;
    }
    this.drawnKey = key;
    this.drawnEnd = end;
    this.paint(end);
  }

  /** How long until time alone changes the picture: a step, or the labels' elapsed seconds. */
  nextDueMs(): number {
    if (this.paused || !this.movesWithTime) return 1000 - (this.clock() % 1000);
    const msPerPx = this.state.windowMs / Math.max(1, this.width);
    return Math.min(1000, Math.max(16, TIME_STEP_PX * msPerPx - (this.windowEnd() - this.drawnEnd)));
  }

  private paint(end: number): void {
    const t0 = performance.now();
    this.refreshRows();
    const dpr = window.devicePixelRatio || 1;
    const width = this.width;
    const height = this.height;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx || width === 0) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const start = end - this.state.windowMs;
    const x = (t: number) => ((t - start) / this.state.windowMs) * width;
    const count = this.visibleRows();
    const first = this.scrollRows;
    const now = this.clock();
    let moves = false;
    for (let i = 0; i < count && first + i < this.rows.length; i++) {
      const row = this.rows[first + i]!;
      const y = i * ROW;
      if (row.kind === 'group') {
        ctx.fillStyle = this.colors.idle;
        ctx.globalAlpha = 0.25;
        ctx.fillRect(0, y, width, ROW);
        ctx.globalAlpha = 1;
        continue;
      }
      const selected = row.rec.lane.id === this.selected;
      if (selected) {
        ctx.strokeStyle = this.colors.open;
        ctx.strokeRect(0.5, y + 0.5, width - 1, ROW - 1);
      }
      for (const span of row.rec.spans) {
        const spanEnd = span.end ?? now;
        if (spanEnd < start || span.start > end) continue;
        // An edge inside the window slides as time goes on; a span covering it all does not.
        if (span.start > start || span.end !== null) moves = true;
        const x0 = Math.max(0, x(span.start));
        const x1 = Math.min(width, Math.max(x0 + 1, x(spanEnd)));
        ctx.fillStyle = this.colors[span.state];
        ctx.fillRect(x0, y + 4, x1 - x0, ROW - 8);
        if (span.holding) {
          ctx.fillStyle = this.colors.lock;
          ctx.fillRect(x0, y + 1, x1 - x0, 2);
        }
      }
    }
    this.drawArrows(ctx, first, count, x, start, end);
    this.movesWithTime = moves || this.arrows.length > 0;
    // "Now" marker when following.
    if (!this.paused) {
      ctx.fillStyle = this.colors.failed;
      ctx.fillRect(width - 1, 0, 1, height);
    }
    this.drawLabels(first, count, now);
    const lanes = this.rows.filter((r) => r.kind === 'lane').length;
    const info = l10n.t('{0} lanes · last {1}', lanes, formatMs(this.state.windowMs)) + (this.paused ? ` · ${l10n.t('paused at {0}', new Date(end).toLocaleTimeString())}` : '');
    // An unchanged text is not set again: every DOM write is a relayout and a repaint.
    if (this.info.textContent !== info) this.info.textContent = info;
    this.drawTimes.push(performance.now() - t0);
    if (this.drawTimes.length > 600) this.drawTimes.splice(0, 300);
  }

  /**
   * An arrow from the thread that released, set or notified to each thread it woke, at the moment
   * the woken one resumed — when both lanes are on screen.
   */
  private drawArrows(ctx: CanvasRenderingContext2D, first: number, count: number, x: (t: number) => number, start: number, end: number): void {
    const rowOf = new Map<string, number>();
    for (let i = 0; i < count && first + i < this.rows.length; i++) {
      const row = this.rows[first + i]!;
      if (row.kind === 'lane') rowOf.set(row.rec.lane.id, i);
    }
    this.arrows = [];
    ctx.strokeStyle = ctx.fillStyle = this.arrowColor;
    ctx.lineWidth = 1;
    for (const [id, i] of rowOf) {
      for (const wake of this.store.lanes.get(id)!.wakes) {
        if (wake.at < start || wake.at > end) continue;
        const j = rowOf.get(wake.by);
        if (j === undefined) continue;
        const px = x(wake.at);
        const y0 = j * ROW + ROW / 2;
        const y1 = i * ROW + ROW / 2;
        const dir = y1 > y0 ? 1 : -1;
        ctx.beginPath();
        ctx.moveTo(px, y0);
        ctx.lineTo(px, y1 - dir * 4);
        ctx.stroke();
        ctx.beginPath();
        ctx.moveTo(px, y1);
        ctx.lineTo(px - 4, y1 - dir * 6);
        ctx.lineTo(px + 4, y1 - dir * 6);
        ctx.closePath();
        ctx.fill();
        this.arrows.push({ from: wake.by, to: id });
      }
    }
    ctx.lineWidth = 1;
  }

  private drawLabels(first: number, count: number, now: number): void {
    const slice = this.rows.slice(first, first + count);
    // The label elements are rebuilt only when which rows are in view changed; what they say
    // (state, label, elapsed time) is updated in place, and only where the text changed.
    let key = `${first}|${count}|${this.selected}`;
    for (const row of slice) key += row.kind === 'group' ? `|g${row.name}` : `|${row.rec.lane.id}`;
    // Their text moves once a second (elapsed times), or when a lane changed.
    let force = this.labelsVersion !== this.store.lanesVersion;
    this.labelsVersion = this.store.lanesVersion;
    if (key !== this.labelsKey) {
      force = true;
      this.labelsKey = key;
      this.labelItems = [];
      const out: HTMLElement[] = [];
      for (const row of slice) {
        if (row.kind === 'group') {
          out.push(el('div', { class: 'tl-group', role: 'presentation' }, row.name));
          continue;
        }
        const l = row.rec.lane;
        const desc = el('span', { class: 'tl-desc' });
        const item = el(
          'div',
          { class: `tl-lane${l.id === this.selected ? ' selected' : ''}`, role: 'listitem', 'data-id': l.id, 'data-kind': l.kind },
          el('span', { class: 'tl-name' }, l.name),
          desc,
        );
        this.labelItems.push({ rec: row.rec, item, desc, text: '', state: '' });
        out.push(item);
      }
      this.labels.replaceChildren(...out);
    }
    this.updateLabelText(now, force);
  }

  /** The labels' text and state; the elapsed times in it move once a second. */
  private updateLabelText(now: number, force = false): void {
    const second = Math.floor(now / 1000);
    if (!force && second === this.elapsedSecond) return;
    this.elapsedSecond = second;
    for (const it of this.labelItems) {
      const l = it.rec.lane;
      const since = l.ended ? '' : ` · ${formatMs(Math.max(0, now - (it.rec.spans[it.rec.spans.length - 1]?.start ?? l.since)))}`;
      const text = `${l.label}${since}`;
      if (text !== it.text) {
        it.text = text;
        it.desc.textContent = text;
        it.item.title = `${l.name}\n${l.label}`;
      }
      if (l.state !== it.state) {
        it.state = l.state;
        it.item.dataset.state = l.state;
      }
    }
  }
}
