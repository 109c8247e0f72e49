import * as l10n from '@vscode/l10n';
// Live charts (uPlot): per server active connections, messages/s and bytes/s; per server with
// workers and per pool, queue length and busy workers. One line per server or pool.
import uPlot from 'uplot';
import { cssVar } from './colors';
import { el } from './dom';
import type { Store } from './store';

interface ChartSpec {
  readonly title: string;
  /** Which metric of a line's owner this chart draws, and a suffix for its legend. */
  readonly metrics: readonly { readonly key: string; readonly suffix: string }[];
  readonly unit: string;
}

const SPECS: readonly ChartSpec[] = [
  { title: l10n.t('Active connections'), metrics: [{ key: 'connections', suffix: '' }], unit: '' },
  { title: l10n.t('Messages received per second'), metrics: [{ key: 'messages', suffix: '' }], unit: '/s' },
  { title: l10n.t('Bytes per second (in + out)'), metrics: [{ key: 'bytes', suffix: '' }], unit: 'B/s' },
  {
    title: "Response time, p50 and p99 (a read to the server's next write)",
    metrics: [
      { key: 'p50', suffix: ' · p50' },
      { key: 'p99', suffix: ' · p99' },
    ],
    unit: ' ms',
  },
  {
    title: l10n.t('Queue length and busy workers (servers with threads or processes, pools)'),
    metrics: [
      { key: 'queued', suffix: ' · queued' },
      { key: 'busy', suffix: ' · busy' },
    ],
    unit: '',
  },
];

const PALETTE: readonly [string, string][] = [
  ['--vscode-charts-blue', '#3794ff'],
  ['--vscode-charts-green', '#89d185'],
  ['--vscode-charts-orange', '#d18616'],
  ['--vscode-charts-purple', '#b180d7'],
  ['--vscode-charts-red', '#f14c4c'],
  ['--vscode-charts-yellow', '#cca700'],
];

export class Charts {
  readonly root: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly holders: HTMLElement[];
  private plots: (uPlot | undefined)[] = [];
  /** The lines each chart was built with: rebuilt when servers or pools come or go. */
  private shapes: string[] = [];
  private version = -1;
  private width = 0;

  constructor(private readonly store: Store) {
    this.empty = el('p', { class: 'empty' }, 'No server or pool is running. Start a server (Socket Lab: Start Server…) or run the Pool lab: their figures are charted here live.');
    this.holders = SPECS.map((s) => el('div', { class: 'chart', 'data-chart': s.title }));
    this.root = el('div', { class: 'charts' }, this.empty, ...this.holders);
  }

  themeChanged(): void {
    this.shapes = [];
    this.version = -1;
  }

  render(): void {
    const width = Math.max(300, this.root.clientWidth - 16);
    if (this.version === this.store.version && width === this.width) return;
    this.version = this.store.version;
    const resized = width !== this.width;
    this.width = width;
    const times = this.store.times;
    this.empty.hidden = this.store.series.size > 0;
    SPECS.forEach((spec, i) => {
      const lines: { label: string; values: (number | null)[] }[] = [];
      for (const s of this.store.series.values()) {
        for (const m of spec.metrics) {
          const values = s.values.get(m.key);
          // Multi-line charts (queue and busy, p50 and p99) only for owners that ever had a value in them.
          const relevant = spec.metrics.length === 1 || spec.metrics.some((k) => s.values.get(k.key)?.some((v) => v !== null && v > 0));
          if (values && relevant && values.some((v) => v !== null)) lines.push({ label: `${s.name}${m.suffix}`, values });
        }
      }
      const holder = this.holders[i]!;
      holder.hidden = lines.length === 0;
      if (lines.length === 0) {
        this.plots[i]?.destroy();
        this.plots[i] = undefined;
        this.shapes[i] = '';
        return;
      }
      const shape = lines.map((l) => l.label).join('\n');
      const data: uPlot.AlignedData = [times.slice(), ...lines.map((l) => l.values.slice())];
      let plot = this.plots[i];
      if (!plot || this.shapes[i] !== shape) {
        plot?.destroy();
        const axis = {
          stroke: cssVar('--vscode-foreground', '#ccc'),
          grid: { stroke: cssVar('--vscode-editorWidget-border', '#444'), width: 1 },
          ticks: { stroke: cssVar('--vscode-editorWidget-border', '#444') },
        };
        plot = new uPlot(
          {
            title: spec.title,
            width,
            height: 180,
            scales: { x: { time: true } },
            axes: [axis, { ...axis, size: 70, values: (_u: uPlot, ticks: number[]) => ticks.map((t) => `${formatNumber(t)}${spec.unit}`) }],
            series: [
              {},
              ...lines.map((l, k) => {
                const [name, fallback] = PALETTE[k % PALETTE.length]!;
                return { label: l.label, stroke: cssVar(name, fallback), width: 1.5, spanGaps: false, value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${formatNumber(v)}${spec.unit}`) };
              }),
            ],
          },
          data,
          holder,
        );
        this.plots[i] = plot;
        this.shapes[i] = shape;
      } else {
        if (resized) plot.setSize({ width, height: 180 });
        plot.setData(data);
      }
    });
  }
}

function formatNumber(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(0)}k`;
  if (Math.abs(v) >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  if (Number.isInteger(v)) return String(v);
  // Response times are often well under a millisecond.
  return Math.abs(v) < 1 ? v.toPrecision(2) : v.toFixed(1);
}
