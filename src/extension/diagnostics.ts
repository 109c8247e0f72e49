import fs from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type * as vscode from 'vscode';
import type { Dashboard } from './dashboard/dashboard';

/**
 * Figures for the inspector benchmark, written only when SOCKET_LAB_DIAGNOSTICS names a file:
 * once a second, one JSON line with the extension host's event-loop delay over that second,
 * what the dashboard was sent, and how the trees refreshed (whole tree or single rows).
 */
export class Diagnostics implements vscode.Disposable {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private readonly subs: vscode.Disposable[] = [];
  private readonly trees = new Map<string, { full: number; partial: number; rows: number; kinds: Record<string, number> }>();
  private lastMessages = 0;

  private stateChanges = 0;

  static fromEnvironment(trees: Record<string, vscode.Event<unknown>>, dashboard: Dashboard, state: vscode.Event<unknown>): Diagnostics | undefined {
    const file = process.env.SOCKET_LAB_DIAGNOSTICS;
    return file ? new Diagnostics(file, trees, dashboard, state) : undefined;
  }

  private constructor(
    private readonly file: string,
    trees: Record<string, vscode.Event<unknown>>,
    private readonly dashboard: Dashboard,
    state: vscode.Event<unknown>,
  ) {
    this.subs.push(state(() => this.stateChanges++));
    dashboard.measureSizes = true;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    for (const [name, event] of Object.entries(trees)) {
      const counts = { full: 0, partial: 0, rows: 0, kinds: {} as Record<string, number> };
      this.trees.set(name, counts);
      this.subs.push(
        event((e) => {
          if (e === undefined || e === null) counts.full++;
          else {
            counts.partial++;
            const rows: unknown[] = Array.isArray(e) ? e : [e];
            counts.rows += rows.length;
            // Which kinds of rows (server, traffic, connection…): a parent's refresh refetches its children.
            for (const r of rows) {
              const kind = typeof r === 'object' && r !== null && 'kind' in r ? String(r.kind) : '?';
              counts.kinds[kind] = (counts.kinds[kind] ?? 0) + 1;
            }
          }
        }),
      );
    }
    this.timer = setInterval(() => this.write(), 1000);
    this.timer.unref();
  }

  private write(): void {
    const h = this.histogram;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const line = {
      t: Date.now(),
      delayMs: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) },
      dashboard: { open: this.dashboard.isOpen, messages: this.dashboard.messagesPosted - this.lastMessages, maxBytes: this.dashboard.maxMessageBytes },
      // Copies: the counters are reset below, before the line is written.
      trees: Object.fromEntries([...this.trees].map(([k, v]) => [k, { ...v }])),
      stateChanges: this.stateChanges,
    };
    this.stateChanges = 0;
    this.lastMessages = this.dashboard.messagesPosted;
    this.dashboard.maxMessageBytes = 0;
    for (const c of this.trees.values()) Object.assign(c, { full: 0, partial: 0, rows: 0, kinds: {} });
    h.reset();
    fs.appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.histogram.disable();
    for (const s of this.subs) s.dispose();
  }
}
