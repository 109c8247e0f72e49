import * as l10n from '@vscode/l10n';
// The Locks panel: every primitive with its holder, waiters and wait/hold times, and the wait-for
// graph (threads → the lock they wait for → the thread holding it) with deadlock cycles in red.
import type { LockRow } from '../protocol/frames';
import { el, formatMs, svg } from './dom';
import { lockWaitFigures } from './lockWaits';
import type { Store } from './store';
import { buildWaitForGraph, type GraphNode, type WaitForGraph } from './waitForGraph';

export class LocksPanel {
  readonly root: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly graphHost: HTMLElement;
  private readonly summary: HTMLElement;
  private version = -1;
  private selectedShown: string | null = null;
  /** The second the table's waits-in-progress were timed at: they grow while nothing else changes. */
  private timedSecond = -1;
  selected: string | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly onSelect: (id: string) => void,
  ) {
    this.body = el('tbody');
    const head = el('tr');
    for (const h of [
      l10n.t('Primitive'),
      l10n.t('Kind'),
      l10n.t('Owner'),
      l10n.t('Holder'),
      l10n.t('Waiters (FIFO)'),
      l10n.t('Acquired / waited'),
      l10n.t('Wait total / max'),
      l10n.t('Hold total / max'),
    ])
      head.append(el('th', {}, h));
    const table = el('table', { class: 'locks-table', 'aria-label': l10n.t('Locks') }, el('thead', {}, head), this.body);
    this.summary = el('div', { class: 'graph-summary', role: 'status' });
    this.graphHost = el('div', { class: 'graph', 'aria-label': 'Wait-for graph' });
    this.root = el('div', { class: 'locks' }, el('h3', {}, 'Primitives'), table, el('h3', {}, 'Wait-for graph'), this.summary, this.graphHost);
    const pick = (e: Event) => {
      const row = (e.target as Element).closest<HTMLElement | SVGElement>('[data-id]');
      const id = row?.getAttribute('data-id');
      if (id) this.onSelect(id);
    };
    table.addEventListener('click', pick);
    this.graphHost.addEventListener('click', pick);
  }

  /** Redraws when the state moved (called on animation frames while the panel shows). */
  render(): void {
    const now = this.clock();
    const second = Math.floor(now / 1000);
    const locks = [...this.store.locks.values()];
    const waitsGrow = second !== this.timedSecond && locks.some((l) => l.waiters.length > 0);
    if (this.version === this.store.version && this.selectedShown === this.selected && !waitsGrow) return;
    this.version = this.store.version;
    this.selectedShown = this.selected;
    this.timedSecond = second;
    const graph = buildWaitForGraph(locks);
    this.renderTable(locks, graph, now);
    this.renderGraph(graph);
  }

  private renderTable(locks: readonly LockRow[], graph: WaitForGraph, now: number): void {
    const rows = locks.map((l) => {
      const inCycle = l.deadlocked || graph.inCycle.has(l.id);
      const tr = el('tr', { 'data-id': l.id, class: `${inCycle ? 'deadlocked' : ''}${l.id === this.selected ? ' selected' : ''}` });
      const waits = lockWaitFigures(l, this.store.lanes, now);
      const inProgress: Record<string, string> =
        waits.waitingNow > 0 ? { title: waits.waitingNow === 1 ? l10n.t('Includes 1 wait still in progress') : l10n.t('Includes {0} waits still in progress', waits.waitingNow) } : {};
      const holder = l.holderName ? l.holderName + (l.depth > 1 ? l10n.t(' (depth {0})', l.depth) : '') : l.primitive === 'Event' ? (l.value ? l10n.t('set') : l10n.t('clear')) : '—';
      tr.append(
        el('td', {}, `${inCycle ? `${l10n.t('DEADLOCK')} · ` : ''}${l.name}`),
        el('td', {}, l.primitive),
        el('td', {}, l.group),
        el('td', {}, holder),
        el('td', {}, l.waiters.map((w) => w.name).join(', ') || '—'),
        el('td', { class: 'lock-waited', ...inProgress }, `${l.acquisitions} / ${waits.waited}`),
        el('td', { class: 'lock-wait-ms', ...inProgress }, `${formatMs(waits.totalWaitMs)} / ${formatMs(waits.maxWaitMs)}`),
        el('td', {}, `${formatMs(l.totalHoldMs)} / ${formatMs(l.maxHoldMs)}`),
      );
      return tr;
    });
    if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '8', class: 'empty' }, 'No locks, events or other primitives exist now. Run a lab (Race counter, Deadlock) to see some.')));
    this.body.replaceChildren(...rows);
  }

  private renderGraph(graph: WaitForGraph): void {
    if (graph.nodes.length === 0) {
      this.summary.textContent = l10n.t('Nobody holds or waits for a lock right now.');
      this.graphHost.replaceChildren();
      return;
    }
    const names = (ids: readonly string[]) => ids.map((id) => graph.nodes.find((n) => n.id === id)?.name ?? id);
    this.summary.textContent = graph.cycles.length
      ? graph.cycles.map((c) => l10n.t('Deadlock cycle: {0}', `${names(c).join(' → ')} → ${names(c)[0]}`)).join('. ')
      : l10n.t('{0} waiting, no cycle.', graph.edges.filter((e) => e.kind === 'waits').length);
    this.summary.classList.toggle('deadlocked', graph.cycles.length > 0);

    // Cycles first, in cycle order, around a circle: a deadlock reads as a ring.
    const order: GraphNode[] = [];
    const seen = new Set<string>();
    const place = (n: GraphNode | undefined) => {
      if (!n || seen.has(n.id)) return;
      order.push(n);
      seen.add(n.id);
    };
    for (const c of graph.cycles) for (const id of c) place(graph.nodes.find((x) => x.id === id));
    for (const n of graph.nodes) place(n);
    const size = Math.max(260, Math.min(720, 90 * Math.sqrt(order.length) + 160));
    const r = size / 2 - 60;
    const pos = new Map(
      order.map((n, i) => [n.id, { x: size / 2 + r * Math.cos((2 * Math.PI * i) / order.length - Math.PI / 2), y: size / 2 + r * Math.sin((2 * Math.PI * i) / order.length - Math.PI / 2) }]),
    );
    const root = svg('svg', { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img' });
    const defs = svg('defs');
    for (const [id, cls] of [
      ['arrow', 'edge'],
      ['arrow-cycle', 'edge cycle'],
    ] as const) {
      defs.append(
        svg('marker', { id, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: cls })),
      );
    }
    root.append(defs);
    for (const e of graph.edges) {
      const a = pos.get(e.from)!;
      const b = pos.get(e.to)!;
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      // Stop short of the node so the arrowhead shows.
      const pad = 34;
      const x1 = a.x + ((b.x - a.x) * pad) / len;
      const y1 = a.y + ((b.y - a.y) * pad) / len;
      const x2 = b.x - ((b.x - a.x) * pad) / len;
      const y2 = b.y - ((b.y - a.y) * pad) / len;
      const cycle = graph.inCycle.has(e.from) && graph.inCycle.has(e.to);
      root.append(
        svg('line', { x1, y1, x2, y2, class: `edge${cycle ? ' cycle' : ''}`, 'data-edge': `${e.from}>${e.to}`, 'marker-end': `url(#${cycle ? 'arrow-cycle' : 'arrow'})` }),
        svg('text', { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, class: 'edge-label', 'text-anchor': 'middle' }, e.kind === 'waits' ? 'waits for' : 'held by'),
      );
    }
    for (const n of order) {
      const p = pos.get(n.id)!;
      const cycle = graph.inCycle.has(n.id);
      const g = svg('g', { 'data-id': n.id, class: `node ${n.kind}${cycle ? ' cycle' : ''}${n.id === this.selected ? ' selected' : ''}`, tabindex: 0 });
      const label = n.name.length > 14 ? `${n.name.slice(0, 13)}…` : n.name;
      const w = Math.max(48, label.length * 7 + 14);
      // Locks square-cornered, threads round: the two kinds of node read apart at a glance.
      g.append(n.kind === 'lock' ? svg('rect', { x: p.x - w / 2, y: p.y - 14, width: w, height: 28, rx: 3 }) : svg('rect', { x: p.x - w / 2, y: p.y - 14, width: w, height: 28, rx: 14 }));
      g.append(
        svg('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle' }, label),
        svg('title', {}, (n.kind === 'lock' ? l10n.t('Lock {0}', n.name) : l10n.t('Thread {0}', n.name)) + (cycle ? l10n.t(' — in a deadlock cycle') : '')),
      );
      root.append(g);
    }
    this.graphHost.replaceChildren(root);
  }
}
