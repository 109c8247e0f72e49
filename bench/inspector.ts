// What watching costs: the same 1,000-connection echo load on a server running in a real VS Code
// (code-server, the packed extension), with the Socket Lab views and the dashboard open versus
// with no Socket Lab UI showing, alternated segment by segment under one unbroken load. Prints:
//  - echo throughput (C load generator, 1,000 connections, 64-byte closed loop), UI / no UI;
//  - extension-host event-loop delay p99 (the extension's own monitorEventLoopDelay, per second);
//  - messages per second to the webview and the largest one;
//  - webview frame time (requestAnimationFrame intervals) and timeline draw time, p95;
//  - tree refreshes under steady load: whole-tree vs single rows.
// Usage: node --import tsx bench/inspector.ts [--rounds R --seconds S --settle T --warmup W --conns N --ui both|sidebar|dashboard] [--python] [--trace FILE]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FrameLocator, Page } from 'playwright-core';
import { startServerAndWait } from '../test/e2e/support/servers';
import { endSession, session, startSession } from '../test/e2e/support/session';
import { openFile, openSocketLab, runCommand, terminalText, waitFor } from '../test/e2e/support/workbench';
import { cpuBetween, cpuSnapshot, type CpuGroups } from './cpu';
import { compileC, EchoLoad, machine, median, root } from './support';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    /** Seconds measured per condition and round. */
    seconds: { type: 'string', default: '6' },
    /**
     * Seconds after switching the UI before measuring: opening the views and the dashboard takes
     * in 1,000 connections at once (snapshot, tree rows, lanes), which is not the steady state.
     */
    settle: { type: 'string', default: '3' },
    /** Seconds between "every connection answered" and the first segment. */
    warmup: { type: 'string', default: '3' },
    conns: { type: 'string', default: '1000' },
    /** What "UI open" means: both (default), or only the sidebar views, or only the dashboard. */
    ui: { type: 'string', default: 'both' },
    /** The server is a traced Python program (bench/ref/py-busy-server.py: 100 threads taking a lock, a selectors echo), run by Run Python File. */
    python: { type: 'boolean', default: false },
    /** Write a Chromium performance trace of the first measured UI segment to this file (see bench/trace-summary.ts). */
    trace: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const settle = Number(values.settle);
const warmup = Number(values.warmup);
const conns = Number(values.conns);
const uiMode = values.ui as 'both' | 'sidebar' | 'dashboard';

interface DiagLine {
  t: number;
  delayMs: { p50: number; p99: number; max: number };
  dashboard: { open: boolean; messages: number; maxBytes: number };
  trees: Record<string, { full: number; partial: number; rows: number }>;
}

interface Phase {
  ui: boolean;
  msgsPerS: number;
  /** Over the switch to this condition and the settling seconds after it (not in the ratio). */
  switchMsgsPerS: number;
  p99Us: number;
  /** Per-second figures of the extension host over the phase (steady part). */
  diag: DiagLine[];
  frameIntervals: number[];
  drawTimes: number[];
  /** CPU seconds per process group over the load. */
  cpu: CpuGroups;
}

function dashboard(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function setUi(page: Page, ui: boolean): Promise<void> {
  if (ui) {
    if (uiMode !== 'dashboard') await openSocketLab(page);
    if (uiMode !== 'sidebar') {
      await runCommand(page, 'Socket Lab: Open Dashboard');
      await dashboard(page).locator('.tl-viewport').waitFor({ state: 'visible', timeout: 30_000 });
    }
  } else {
    await runCommand(page, 'View: Close All Editors');
    // The Explorer replaces the Socket Lab container: its views are hidden, so they unsubscribe.
    await runCommand(page, 'View: Show Explorer');
    await waitFor('the Socket Lab views to hide', async () => !(await page.locator('.pane-header', { hasText: 'Threads & Processes' }).isVisible()) || undefined);
  }
}

/** The learner's way: the program opened in an editor, Run Python File; its port from its terminal. */
async function runPythonServer(page: Page): Promise<number> {
  const name = 'py-busy-server.py';
  fs.copyFileSync(path.join(root, 'bench', 'ref', name), path.join(session().workspace, name));
  await openFile(page, session().workspace, name);
  await runCommand(page, 'Socket Lab: Run Python File');
  const m = await waitFor('the program to listen', async () => /listening tcp 127\.0\.0\.1:(\d+)/.exec(await terminalText(page)) ?? undefined, 60_000);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-bench-inspector-'));
  const diagFile = path.join(resultsDir, 'diagnostics.jsonl');
  process.env.SOCKET_LAB_DIAGNOSTICS = diagFile;
  const client = compileC('echo_client');
  console.log(`# Inspector cost${values.python ? ', a traced Python program (py-busy-server.py: 100 threads, a selectors echo)' : ''} — ${machine()}`);
  console.log(
    `${conns} connections, 64-byte closed-loop echo, one unbroken load; ${rounds} rounds of ${seconds} s per condition, each measured ${settle} s after switching the UI, conditions alternated (order rotated per round)`,
  );
  const s = await startSession({ resultsDir });
  const phases: Phase[] = [];
  const sleep = (secs: number) => new Promise((r) => setTimeout(r, secs * 1000));
  try {
    const { page } = s;
    await openSocketLab(page);
    const port = values.python ? await runPythonServer(page) : await startServerAndWait('echo', 'event-loop');
    const load = new EchoLoad(client, port, conns, warmup);
    try {
      await load.window;
      for (let r = 0; r < rounds; r++) {
        for (const ui of r % 2 === 0 ? [false, true] : [true, false]) {
          await setUi(page, ui);
          // A schedule, not a synchronisation: the steady state has no event that says it began.
          await sleep(settle);
          if (ui && uiMode !== 'sidebar')
            await dashboard(page)
              .locator('body')
              .evaluate(() => (window as unknown as { socketLabDashboard: { resetFrames(): void } }).socketLabDashboard.resetFrames());
          // Close the switching segment; the measured one starts now.
          const switching = await load.mark();
          const t0 = Date.now();
          const before = cpuSnapshot();
          const tracing = ui && values.trace && !phases.some((p) => p.ui);
          if (tracing)
            await s.browser.startTracing(page, {
              path: values.trace,
              categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink', 'cc', 'gpu', 'toplevel', 'disabled-by-default-v8.cpu_profiler'],
            });
          await sleep(seconds);
          if (tracing) await s.browser.stopTracing();
          const run = await load.mark();
          const cpu = cpuBetween(before, cpuSnapshot());
          const t1 = Date.now();
          const diag = fs
            .readFileSync(diagFile, 'utf8')
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as DiagLine)
            .filter((d) => d.t > t0 + 1000 && d.t <= t1);
          let frameIntervals: number[] = [];
          let drawTimes: number[] = [];
          if (ui && uiMode !== 'sidebar') {
            const figures = await dashboard(page)
              .locator('body')
              .evaluate(() => {
                const d = (window as unknown as { socketLabDashboard: { frameIntervals(): number[]; drawTimes(): number[]; counts(): { lanes: number } } }).socketLabDashboard;
                return { frames: d.frameIntervals(), draws: d.drawTimes(), lanes: d.counts().lanes };
              });
            frameIntervals = figures.frames;
            drawTimes = figures.draws;
            if (figures.lanes < conns) console.log(`  (the dashboard had ${figures.lanes} lanes at the end)`);
          }
          phases.push({ ui, msgsPerS: run.msgs_per_s, switchMsgsPerS: switching.msgs_per_s, p99Us: run.p99_us, diag, frameIntervals, drawTimes, cpu });
          console.log(
            `round ${r + 1} ${ui ? 'UI   ' : 'no UI'}: ${(run.msgs_per_s / 1000).toFixed(1)} k msgs/s (${(switching.msgs_per_s / 1000).toFixed(1)} k while switching and settling), client p99 ${(run.p99_us / 1000).toFixed(1)} ms, ext-host delay p99 (per-second median / max) ${median(diag.map((d) => d.delayMs.p99)).toFixed(1)} / ${Math.max(...diag.map((d) => d.delayMs.p99)).toFixed(1)} ms` +
              `, CPU s: ${Object.entries(cpu)
                .sort((a, b) => b[1] - a[1])
                .map(([g, v]) => `${g} ${v.toFixed(1)}`)
                .join(', ')}` +
              (ui
                ? `, webview ${Math.max(...diag.map((d) => d.dashboard.messages))} msgs/s max, largest ${Math.max(...diag.map((d) => d.dashboard.maxBytes))} B, frame p95 ${quantile(frameIntervals, 0.95).toFixed(1)} ms, draw p95 ${drawTimes.length ? `${quantile(drawTimes, 0.95).toFixed(2)} ms` : '— (nothing to redraw)'}`
                : ''),
          );
        }
      }
    } finally {
      const last = await load.end().catch(() => undefined);
      if (last) console.log(`(all ${last.conns} connections had answered ${(last.ramp_ms / 1000).toFixed(1)} s after the first connect)`);
    }
  } finally {
    await endSession();
  }

  const ui = phases.filter((p) => p.ui);
  const bare = phases.filter((p) => !p.ui);
  const ratios = ui.map((p, i) => p.msgsPerS / bare[i]!.msgsPerS);
  const p99 = (ps: Phase[]) => median(ps.flatMap((p) => p.diag.map((d) => d.delayMs.p99)));
  const p99max = (ps: Phase[]) => Math.max(...ps.flatMap((p) => p.diag.map((d) => d.delayMs.p99)));
  const msgsMax = Math.max(...ui.flatMap((p) => p.diag.map((d) => d.dashboard.messages)));
  const bytesMax = Math.max(...ui.flatMap((p) => p.diag.map((d) => d.dashboard.maxBytes)));
  const frames = ui.flatMap((p) => p.frameIntervals);
  const draws = ui.flatMap((p) => p.drawTimes);
  const trees = ui.flatMap((p) => p.diag.map((d) => d.trees.servers ?? { full: 0, partial: 0, rows: 0 }));
  const full = trees.reduce((a, t) => a + t.full, 0);
  const partial = trees.reduce((a, t) => a + t.partial, 0);
  const rows = trees.reduce((a, t) => a + t.rows, 0);
  const delayAbove = p99(ui) - p99(bare);
  console.log('\n| figure | no UI | UI open | target | met |\n|---|---|---|---|---|');
  console.log(
    `| echo msgs/s (median) | ${(median(bare.map((p) => p.msgsPerS)) / 1000).toFixed(1)} k | ${(median(ui.map((p) => p.msgsPerS)) / 1000).toFixed(1)} k | UI / no UI ≥ 0.9× | ${median(ratios).toFixed(2)}× (${ratios.map((x) => x.toFixed(2)).join(', ')}) ${median(ratios) >= 0.9 ? 'yes' : 'NO'} |`,
  );
  // Switching includes VS Code's own work of showing or hiding views (and Playwright's commands).
  console.log(
    `| echo msgs/s while switching and the ${settle} s after (median; not in the ratio) | ${(median(bare.map((p) => p.switchMsgsPerS)) / 1000).toFixed(1)} k | ${(median(ui.map((p) => p.switchMsgsPerS)) / 1000).toFixed(1)} k | — | — |`,
  );
  console.log(
    `| ext-host event-loop delay p99, ms (per-second median; max) | ${p99(bare).toFixed(1)}; ${p99max(bare).toFixed(1)} | ${p99(ui).toFixed(1)}; ${p99max(ui).toFixed(1)} | ≤ 20 ms above | +${delayAbove.toFixed(1)} ms ${delayAbove <= 20 ? 'yes' : 'NO'} |`,
  );
  console.log(`| messages/s to the webview (max in any second) | — | ${msgsMax} | ≤ 10 | ${msgsMax <= 10 ? 'yes' : 'NO'} |`);
  console.log(`| largest message | — | ${(bytesMax / 1024).toFixed(1)} KB | ≤ 64 KB | ${bytesMax <= 64 * 1024 ? 'yes' : 'NO'} |`);
  // Frame time = the script work of one animation frame (timeline draw: canvas and lane labels).
  console.log(`| webview frame time p95 (work per animation frame; ${draws.length} frames) | — | ${quantile(draws, 0.95).toFixed(2)} ms | ≤ 16 ms | ${quantile(draws, 0.95) <= 16 ? 'yes' : 'NO'} |`);
  // Frames are requested on change (data, input, time moving the picture), not run every vsync.
  console.log(`| webview: time between drawn frames p50 / p95 | — | ${quantile(frames, 0.5).toFixed(1)} / ${quantile(frames, 0.95).toFixed(1)} ms (${frames.length} frames) | — | — |`);
  const groups = [...new Set(phases.flatMap((p) => Object.keys(p.cpu)))].sort();
  const cpuMedian = (ps: Phase[], g: string) => median(ps.map((p) => (p.cpu[g] ?? 0) / seconds));
  for (const g of groups) console.log(`| CPU, ${g} (cores, median) | ${cpuMedian(bare, g).toFixed(2)} | ${cpuMedian(ui, g).toFixed(2)} | — | — |`);
  console.log(`| Servers tree refreshes in steady load | — | ${full} whole-tree, ${partial} partial (${rows} rows) | no whole-tree refresh | ${full === 0 ? 'yes' : 'NO'} |`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
