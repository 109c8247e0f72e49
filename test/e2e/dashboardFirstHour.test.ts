import assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { TestClient } from '../support/testClient';
import { serverPorts, startServerAndWait } from './support/servers';
import { session } from './support/session';
import { clickInlineAction, contextAction, notification, openSocketLab, paneRow, runCommand, runLabFromPalette, treeRow, waitFor } from './support/workbench';

// Issue 19, what a new user hit in the dashboard: it is opened FIRST, then servers and labs are
// started, at the window size the user had (1400×900).

/** The only webview open (each test closes the editors first): an iframe inside an iframe. */
function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
}

async function openTab(d: FrameLocator, title: 'Timeline' | 'Charts' | 'Locks' | 'Follow stream'): Promise<void> {
  await d.locator('vscode-tab-header', { hasText: title }).click();
}

async function openFreshDashboard(page: Page): Promise<FrameLocator> {
  await openSocketLab(page);
  await runCommand(page, 'View: Close All Editors');
  await runCommand(page, 'Socket Lab: Open Dashboard');
  const d = webview(page);
  await d.locator('.status[hidden]').waitFor({ state: 'attached', timeout: 30_000 });
  return d;
}

/**
 * What the timeline shows for each lane label in view: its text and the share of the canvas's
 * width painted in that lane's row (its state spans; the "now" line at the right edge left out).
 */
type DrawnLane = { kind: string; text: string; painted: number };
async function drawnLanes(d: FrameLocator): Promise<DrawnLane[]> {
  return d.locator('.tl-viewport').evaluate((viewport) => {
    const canvas = viewport.querySelector('canvas')!;
    const ctx = canvas.getContext('2d')!;
    const scale = canvas.height / Math.max(1, canvas.clientHeight);
    const rows = Array.from(viewport.querySelectorAll<HTMLElement>('.tl-labels > *'));
    const w = Math.max(1, canvas.width - Math.ceil(3 * scale));
    return rows.flatMap((row, i) => {
      if (!row.classList.contains('tl-lane')) return [];
      // The middle of the row: where its spans are drawn.
      const y = Math.round((i * 20 + 10) * scale);
      if (canvas.height <= y) return [{ kind: row.dataset.kind ?? '', text: row.innerText, painted: 0 }];
      const px = ctx.getImageData(0, y, w, 1).data;
      let painted = 0;
      for (let p = 3; p < px.length; p += 4) if (px[p]! > 0) painted++;
      return [{ kind: row.dataset.kind ?? '', text: row.innerText, painted: painted / w }];
    });
  });
}

/** `350 ms`, `1.2 s`, `2 min 3 s` (the dashboard's formatMs) in ms. */
function parseMs(text: string): number {
  const m = /^(?:(\d+) min )?([\d.]+) (ms|s)$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: "${text}"`);
  return Number(m[1] ?? 0) * 60_000 + Number(m[2]) * (m[3] === 's' ? 1000 : 1);
}

async function stopServer(page: Page, port: number): Promise<void> {
  await clickInlineAction(treeRow(page, `127.0.0.1:${port}`), 'Stop Server');
  await waitFor(`server ${port} to leave the tree`, async () => !(await serverPorts()).includes(port) || undefined);
}

describe('Dashboard, the first hour (issue 19): opened first, then servers and labs', function () {
  this.timeout(180_000);

  before(async () => {
    await session().page.setViewportSize({ width: 1400, height: 900 });
  });

  after(async () => {
    const { page } = session();
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    await page.setViewportSize({ width: 1400, height: 1200 });
  });

  it('the timeline draws a lane for a server, thread and connection started after it opened (no resize needed)', async () => {
    const { page } = session();
    const d = await openFreshDashboard(page);
    await d.locator('.tl-info').waitFor({ state: 'attached' });
    const port = await startServerAndWait('upper', 'thread-per-connection');
    const c = await TestClient.connect({ port });
    try {
      c.send('hello\n');
      await c.bytes(6);
      let seen: DrawnLane[] = [];
      await waitFor(
        'the new thread and connection lanes, labelled and painted',
        async () => {
          seen = await drawnLanes(d);
          const painted = (kind: string) => seen.some((l) => l.kind === kind && l.painted > 0);
          // The connection's lane may first show it waiting for its thread to start (a frame
          // later it is served): what tells is the lane saying which thread serves it.
          const served = seen.some((l) => l.kind === 'connection' && /served by Thread-\d+/.test(l.text));
          return (painted('thread') && painted('connection') && served) || undefined;
        },
        20_000,
      ).catch(async (err: Error) => {
        await session().screenshot('60-first-hour-timeline-FAILED');
        const info = await d
          .locator('.tl-info')
          .innerText()
          .catch(() => '?');
        throw new Error(`${err.message}; timeline says "${info}"; lanes in view: ${JSON.stringify(seen)}`);
      });
      await session().screenshot('60-first-hour-timeline-lanes');
      assert.ok(
        seen.some((l) => l.kind === 'connection' && /served by Thread-\d+/.test(l.text)),
        JSON.stringify(seen),
      );
    } finally {
      c.close();
      await stopServer(page, port);
    }
  });

  it('the replay panel draws the recorded lanes', async () => {
    const { page } = session();
    await openFreshDashboard(page);
    const port = await startServerAndWait('upper', 'thread-per-connection');
    try {
      await runCommand(page, 'Socket Lab: Start Recording');
      await page.locator('.statusbar-item[aria-label^="Socket Lab recording"]').waitFor({ state: 'visible' });
      const c = await TestClient.connect({ port });
      c.send('hello\n');
      await c.bytes(6);
      await paneRow(page, 'Threads & Processes', /blocked in recv/).waitFor({ state: 'visible' });
      // A recording of a few seconds, as a user's would be (the status bar counts them).
      await waitFor(
        'two seconds recorded',
        async () => Number(/recording, (\d+) seconds/.exec((await page.locator('.statusbar-item[aria-label^="Socket Lab recording"]').getAttribute('aria-label')) ?? '')?.[1] ?? 0) >= 2 || undefined,
      );
      await runCommand(page, 'Socket Lab: Stop Recording and Save');
      c.close();
      const toast = notification(page, 'Recording saved');
      await toast.waitFor({ state: 'visible' });
      await runCommand(page, 'View: Close All Editors');
      await toast
        .getByRole('button', { name: 'Open Recording' })
        .click()
        .catch(async () => {
          // The toast can fold away when editors close: open it from the notification centre.
          await runCommand(page, 'Notifications: Show Notifications');
          await notification(page, 'Recording saved').getByRole('button', { name: 'Open Recording' }).click();
        });
      const r = webview(page);
      await r.locator('.replay[data-complete="true"]').waitFor({ state: 'visible', timeout: 20_000 });
      let seen: DrawnLane[] = [];
      await waitFor(
        'the recorded thread and connection lanes, labelled and painted',
        async () => {
          seen = await drawnLanes(r);
          // The recording lasted a couple of seconds: its lanes fill the width, not a sliver of a 30 s window.
          const painted = (kind: string) => seen.some((l) => l.kind === kind && l.painted > 0.4);
          return (painted('thread') && painted('connection')) || undefined;
        },
        20_000,
      ).catch(async (err: Error) => {
        await session().screenshot('61-first-hour-replay-FAILED');
        throw new Error(`${err.message}; lanes in view: ${JSON.stringify(seen)}`);
      });
      await session().screenshot('61-first-hour-replay-lanes');
    } finally {
      await runCommand(page, 'View: Close All Editors');
      await stopServer(page, port);
    }
  });

  it('Follow Stream: a short line stays on one line, and the hex dump fits without scrolling', async () => {
    const { page } = session();
    const d = await openFreshDashboard(page);
    const port = await startServerAndWait('upper', 'thread-per-connection');
    const c = await TestClient.connect({ port });
    try {
      c.send('before\n');
      await c.bytes(7);
      const row = paneRow(page, 'Servers', /served by Thread-\d+/);
      await row.waitFor({ state: 'visible' });
      await contextAction(page, row, 'Follow Stream');
      await d.locator('.stream[data-following]').waitFor({ state: 'visible', timeout: 20_000 });
      c.send('hello\n');
      await c.bytes(13);
      // 20 bytes: a dump of two lines.
      c.send('abcdefghijklmnopqrs\n');
      await c.bytes(33);
      const rows = d.locator('.stream-row');
      await waitFor('four rows', async () => (await rows.count()) === 4 || undefined);
      // How each record's bytes are laid out: lines drawn, and whether any is cut (scrolls).
      const layout = () =>
        d.locator('.stream-log').evaluate((log) =>
          Array.from(log.querySelectorAll<HTMLElement>('.stream-bytes')).map((pre) => {
            const range = document.createRange();
            range.selectNodeContents(pre);
            const tops = new Set(
              Array.from(range.getClientRects())
                .filter((r) => r.width > 0)
                .map((r) => Math.round(r.top)),
            );
            return { text: pre.textContent ?? '', lines: tops.size, width: Math.round(pre.clientWidth), needs: pre.scrollWidth };
          }),
        );
      const text = await layout();
      await session().screenshot('62-first-hour-stream-text');
      assert.deepEqual(
        text.map((t) => [t.text, t.lines]),
        [
          ['hello\\n', 1],
          ['HELLO\\n', 1],
          ['abcdefghijklmnopqrs\\n', 1],
          ['ABCDEFGHIJKLMNOPQRS\\n', 1],
        ],
        `each message on one line: ${JSON.stringify(text)}`,
      );
      await d.locator('#stream-mode').click();
      await waitFor('the hex dump', async () => ((await rows.first().locator('.stream-bytes').innerText()).startsWith('00000000  68 65 6c 6c 6f 0a') ? true : undefined));
      const hex = await layout();
      await session().screenshot('63-first-hour-stream-hex');
      assert.deepEqual(
        hex.map((h) => h.lines),
        [1, 1, 2, 2],
        `dump lines: ${JSON.stringify(hex)}`,
      );
      for (const h of hex) assert.ok(h.needs <= h.width + 1, `the dump fits its column (${h.width} px wide, needs ${h.needs} px): ${JSON.stringify(h)}`);
      await d.locator('#stream-mode').click();
    } finally {
      c.close();
      await stopServer(page, port);
    }
  });

  it('Locks: during the deadlock lab both locks count the wait in progress, and its time grows', async () => {
    const { page } = session();
    const d = await openFreshDashboard(page);
    await openTab(d, 'Locks');
    await runLabFromPalette(page, 'deadlock', /^Deadlock/);
    try {
      await d.locator('.graph-summary.deadlocked').waitFor({ state: 'visible', timeout: 30_000 });
      const read = async () => {
        const rows = await d.locator('.locks-table tr.deadlocked').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
        return rows.map((cells) => ({ name: cells[0]!, waited: cells[5]!, wait: cells[6]! }));
      };
      const first = await read();
      assert.equal(first.length, 2, JSON.stringify(first));
      for (const l of first) assert.equal(l.waited, '1 / 1', `${l.name}: acquired once, one thread waits for it now: ${JSON.stringify(first)}`);
      const totals = (rows: typeof first) => rows.map((l) => parseMs(l.wait.split(' / ')[0]!));
      // The wait goes on, and so does its time, with nothing else changing.
      const later = await waitFor(
        'the waits to grow by a second',
        async () => {
          const now = await read();
          return totals(now).every((t, i) => t >= totals(first)[i]! + 1000 && t > 0) ? now : undefined;
        },
        20_000,
      ).catch(async (err: Error) => {
        await session().screenshot('64-first-hour-deadlock-locks-FAILED');
        throw new Error(`${err.message}; first read ${JSON.stringify(first)}, now ${JSON.stringify(await read())}`);
      });
      for (const l of later) {
        const [total, max] = l.wait.split(' / ').map(parseMs);
        assert.equal(total, max, `one wait so far: its total is its max (${l.wait})`);
      }
      await session().screenshot('64-first-hour-deadlock-locks');
    } finally {
      await runCommand(page, 'Socket Lab: Stop Lab');
      await waitFor('the cycle to go', async () => !(await d.locator('.graph-summary').innerText()).includes('Deadlock cycle') || undefined, 20_000);
    }
  });

  it("an iterative server's connection lanes say what serves them: the server itself, one client at a time", async () => {
    const { page } = session();
    const d = await openFreshDashboard(page);
    const port = await startServerAndWait('echo', 'iterative');
    const clients = [await TestClient.connect({ port }), await TestClient.connect({ port })];
    try {
      clients[0]!.send('first\n');
      await clients[0]!.bytes(6);
      const conn = d.locator('.tl-lane[data-kind="connection"]');
      const texts = await waitFor('two connection lanes', async () => {
        const t = await conn.allInnerTexts();
        return t.length === 2 && t.some((x) => /waiting for its turn/.test(x)) ? t : undefined;
      });
      await session().screenshot('65-first-hour-iterative-lanes');
      assert.ok(
        texts.some((t) => /open · served by the server itself, one client at a time/.test(t)),
        texts.join('\n'),
      );
      assert.ok(
        texts.every((t) => !/event loop/.test(t)),
        texts.join('\n'),
      );
      // Its stream's sequence diagram says the same of the server side.
      await conn.filter({ hasText: 'served by the server itself' }).click();
      await d.locator('.detail vscode-button[data-follow]').click();
      await d.locator('.stream[data-following]').waitFor({ state: 'visible', timeout: 20_000 });
      await waitFor('the diagram to name what serves it', async () => (await d.locator('.stream-seq .seq-sub').allTextContents())[1] === 'the server itself' || undefined);
    } finally {
      for (const c of clients) c.close();
      await stopServer(page, port);
    }
  });
});
