import * as l10n from '@vscode/l10n';
// Follow stream: the followed connection's reads and writes as a log (text or hex) and as a
// client ↔ server sequence diagram. The host sends only what is new; this keeps a bounded tail.
import { DIRECTION_LABELS, type Lane, type StreamEntry, type StreamUpdate } from '../protocol/frames';
import { el, svg } from './dom';
import { SERVED_ONE_AT_A_TIME } from '../protocol/describe';
import { tr } from '../protocol/l10n';
import { arrowLabel, asText, decodeBase64, hexDump, offsetLabel } from './streamFormat';

/** Records kept in the log; older ones leave the DOM. */
const MAX_RECORDS = 1000;
/** Arrows in the sequence diagram: the most recent ones. */
const MAX_ARROWS = 40;
const ROW = 26;
/** The diagram's width bounds (px): it takes the room the log leaves, within these. */
const DIAGRAM_MIN = 240;
const DIAGRAM_MAX = 420;

export type StreamMode = 'text' | 'hex';

interface Shown {
  readonly entry: StreamEntry;
  readonly bytes: Uint8Array;
}

export class StreamPanel {
  readonly root: HTMLElement;
  private readonly title = el('div', { class: 'stream-title' });
  private readonly note = el('div', { class: 'stream-note', role: 'status' });
  private readonly log = el('div', { class: 'stream-log', role: 'log', 'aria-label': 'Messages' });
  private readonly diagram = el('div', { class: 'stream-seq' });
  private readonly modeButton: HTMLElement;
  private records: Shown[] = [];
  private id: string | null = null;
  private skipped = 0;
  private ended: string | null = null;
  private unavailable: string | null = null;
  private dirty = true;
  private rebuild = true;
  private appended: Shown[] = [];
  /** The diagram column's width, from a ResizeObserver (the diagram is drawn to fit it). */
  private diagramWidth = DIAGRAM_MAX;
  /** Showing a recording: the log is "up to this moment", not "since you started following". */
  replaying = false;

  constructor(
    private readonly lane: (id: string) => Lane | undefined,
    private mode: StreamMode,
    private readonly onMode: (mode: StreamMode) => void,
  ) {
    this.modeButton = el('vscode-button', { secondary: '', id: 'stream-mode', title: l10n.t('Show the bytes as text or as a hex dump') });
    this.modeButton.addEventListener('click', () => this.setMode(this.mode === 'text' ? 'hex' : 'text'));
    const clear = el('vscode-button', { secondary: '', id: 'stream-clear', title: l10n.t('Forget the records shown so far') }, l10n.t('Clear'));
    clear.addEventListener('click', () => {
      this.records = [];
      this.skipped = 0;
      this.rebuild = this.dirty = true;
    });
    this.root = el('div', { class: 'stream' }, el('div', { class: 'toolbar' }, this.title, this.modeButton, clear), this.note, el('div', { class: 'stream-body' }, this.log, this.diagram));
    this.setMode(mode);
    new ResizeObserver(() => {
      const width = Math.max(DIAGRAM_MIN, Math.min(DIAGRAM_MAX, Math.floor(this.diagram.clientWidth)));
      if (width === this.diagramWidth) return;
      this.diagramWidth = width;
      this.dirty = true;
    }).observe(this.diagram);
  }

  get following(): string | null {
    return this.id;
  }

  /** Which connection the panel shows (the host is told separately). */
  show(id: string | null): void {
    if (id === this.id) return;
    this.id = id;
    this.records = [];
    this.skipped = 0;
    this.ended = this.unavailable = null;
    this.rebuild = this.dirty = true;
  }

  apply(u: StreamUpdate): void {
    if (u.id !== this.id) return;
    if (u.restart) {
      // The host follows it from now on (the tests wait for this before sending).
      this.root.dataset.following = u.id;
      this.records = [];
      this.skipped = 0;
      this.rebuild = true;
    }
    this.skipped += u.skipped;
    this.ended = u.ended;
    this.unavailable = u.unavailable;
    if (u.skipped > 0) this.rebuild = true;
    for (const entry of u.records) {
      const shown = { entry, bytes: decodeBase64(entry.b64) };
      this.records.push(shown);
      this.appended.push(shown);
    }
    if (this.records.length > MAX_RECORDS) {
      this.skipped += this.records.length - MAX_RECORDS;
      this.records.splice(0, this.records.length - MAX_RECORDS);
      this.rebuild = true;
    }
    this.dirty = true;
  }

  private setMode(mode: StreamMode): void {
    this.mode = mode;
    this.modeButton.textContent = mode === 'text' ? l10n.t('Show hex') : l10n.t('Show text');
    this.modeButton.setAttribute('data-mode', mode);
    this.log.classList.toggle('hex', mode === 'hex');
    this.onMode(mode);
    this.rebuild = this.dirty = true;
  }

  render(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const lane = this.id ? this.lane(this.id) : undefined;
    this.title.textContent = this.id ? (lane?.group ? l10n.t('Following {0} on {1}', lane.name, lane.group) : l10n.t('Following {0}', lane?.name ?? this.id)) : l10n.t('Follow stream');
    const notes: string[] = [];
    if (!this.id) notes.push(l10n.t('Select a connection (a lane in the Timeline, or Follow Stream on a Servers row) to see what crosses it.'));
    if (this.unavailable) notes.push(this.unavailable);
    if (this.id && !this.unavailable && this.records.length === 0)
      notes.push(this.replaying ? l10n.t('Nothing crossed this connection up to this moment of the recording.') : l10n.t('Nothing sent or received since you started following.'));
    if (this.skipped > 0)
      notes.push(
        this.skipped === 1
          ? l10n.t('1 earlier message not shown (more arrived than the view keeps up with).')
          : l10n.t('{0} earlier messages not shown (more arrived than the view keeps up with).', this.skipped),
      );
    if (this.ended) notes.push(l10n.t('Connection ended: {0}.', this.ended));
    this.note.textContent = notes.join(' ');
    this.note.hidden = notes.length === 0;
    const t0 = this.records[0]?.entry.at ?? 0;
    if (this.rebuild) {
      this.rebuild = false;
      this.appended = [];
      this.log.replaceChildren(...this.records.map((r) => this.row(r, t0)));
    } else {
      for (const r of this.appended.splice(0)) this.log.append(this.row(r, t0));
      while (this.log.childElementCount > MAX_RECORDS) this.log.firstElementChild!.remove();
    }
    // Keep the newest in view, as a terminal does.
    this.log.scrollTop = this.log.scrollHeight;
    this.drawDiagram(t0, lane);
  }

  private row({ entry, bytes }: Shown, t0: number): HTMLElement {
    const dir = DIRECTION_LABELS[entry.dir];
    const body = this.mode === 'hex' ? hexDump(bytes) : asText(bytes);
    const more = entry.size > bytes.length ? ` … ${l10n.t('{0} more bytes', entry.size - bytes.length)}` : '';
    return el(
      'div',
      { class: `stream-row ${entry.dir}`, 'data-seq': String(entry.seq), 'data-at': String(entry.at) },
      el('span', { class: 'stream-time' }, offsetLabel(entry.at - t0)),
      el('span', { class: 'stream-dir' }, dir),
      el('span', { class: 'stream-size' }, `${entry.size} B`),
      el('pre', { class: 'stream-bytes' }, body + more),
    );
  }

  /** What serves the connection, under the diagram's "server": unknown (a replay before the lane existed) says nothing. */
  private serverActor(lane: Lane | undefined): string {
    const linked = lane?.linkId ? this.lane(lane.linkId)?.name : undefined;
    if (linked) return linked;
    if (lane?.label.includes(tr(SERVED_ONE_AT_A_TIME))) return 'the server itself';
    // A closed connection's lane no longer says what served it: then neither does this.
    return lane?.label.includes('served by event loop') ? 'event loop' : '';
  }

  /** Two lifelines, one arrow per message, newest at the bottom; time gaps written on the left. */
  private drawDiagram(t0: number, lane: Lane | undefined): void {
    const shown = this.records.slice(-MAX_ARROWS);
    const width = this.diagramWidth;
    const [cx, sx] = [70, width - 70];
    const height = 50 + shown.length * ROW + 10;
    const peer = lane?.name ?? 'client';
    // The thread or process serving it, when there is one (else the server itself).
    const server = this.serverActor(lane);
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': l10n.t('Sequence diagram') });
    root.append(
      svg('text', { x: cx, y: 14, 'text-anchor': 'middle', class: 'seq-actor' }, 'client'),
      svg('text', { x: cx, y: 28, 'text-anchor': 'middle', class: 'seq-sub' }, peer),
      svg('text', { x: sx, y: 14, 'text-anchor': 'middle', class: 'seq-actor' }, 'server'),
      svg('text', { x: sx, y: 28, 'text-anchor': 'middle', class: 'seq-sub' }, server),
      svg('line', { x1: cx, y1: 36, x2: cx, y2: height, class: 'seq-life' }),
      svg('line', { x1: sx, y1: 36, x2: sx, y2: height, class: 'seq-life' }),
    );
    shown.forEach(({ entry, bytes }, i) => {
      const y = 50 + i * ROW;
      const [from, to] = entry.dir === 'in' ? [cx, sx] : [sx, cx];
      const head = entry.dir === 'in' ? -7 : 7;
      const g = svg('g', { class: `seq-msg ${entry.dir}`, 'data-seq': entry.seq });
      g.append(
        svg('line', { x1: from, y1: y, x2: to, y2: y + 8, class: 'seq-arrow' }),
        svg('path', { d: `M${to},${y + 8} l${head},-5 l0,8 z`, class: 'seq-head' }),
        svg('text', { x: (cx + sx) / 2, y: y - 2, 'text-anchor': 'middle', class: 'seq-label' }, arrowLabel(bytes, entry.size)),
        svg('text', { x: 2, y: y + 8, class: 'seq-time' }, offsetLabel(entry.at - t0)),
      );
      root.append(g);
    });
    this.diagram.replaceChildren(root);
  }
}
