import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { TestClient } from '../support/testClient';
import { serverPorts, startServerAndWait } from './support/servers';
import { session } from './support/session';
import { clickInlineAction, notification, openSocketLab, paneRow, runCommand, treeRow, waitFor } from './support/workbench';

/** The replay panel's document (the only webview open: the test closes the others first). */
function replayView(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
}

interface TraceFile {
  traceEvents: { ph: string; name: string; cat?: string; args?: Record<string, unknown> }[];
}

describe('Record, export and replay in a real VS Code', function () {
  this.timeout(120_000);

  it('records a server session, saves a Chrome trace and connection logs, and reopens it to scrub through', async () => {
    const { page, workspace } = session();
    await openSocketLab(page);
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Socket Lab: Start Recording');
    const status = page.locator('.statusbar-item[aria-label^="Socket Lab recording"]');
    await status.waitFor({ state: 'visible' });

    const port = await startServerAndWait('upper', 'thread-per-connection');
    try {
      const c = await TestClient.connect({ port });
      c.send('hello\n');
      await c.bytes(6);
      c.send('bye\n');
      await c.bytes(10);
      // Its thread waits for the next line: seen in the tree, so in the recording too.
      await paneRow(page, 'Threads & Processes', /blocked in recv/).waitFor({ state: 'visible' });
      c.close();
      await c.whenClosed();
      // The connection's end reaches the tree, and so the recording.
      // (A positive sign: its thread is no longer blocked in recv — the handler saw the end.)
      await waitFor('the thread to leave recv', async () => (await paneRow(page, 'Threads & Processes', /blocked in recv/).count()) === 0 || undefined);
      await waitFor('the connection row to close or go', async () => (await treeRow(page, /closed/).count()) > 0 || (await treeRow(page, /127\.0\.0\.1:\d+ ·/).count()) === 0 || undefined);

      // Earlier tests of this window saved recordings to the same folder: this one is the new file.
      const folder = path.join(workspace, 'socket-lab-recordings');
      const earlier = new Set(fs.existsSync(folder) ? fs.readdirSync(folder) : []);
      await runCommand(page, 'Socket Lab: Stop Recording and Save');
      const toast = notification(page, 'Recording saved');
      await toast.waitFor({ state: 'visible' });
      await status.waitFor({ state: 'hidden' });
      const files = fs.readdirSync(folder).filter((f) => !earlier.has(f));
      const traceName = files.find((f) => f.endsWith('.trace.json'))!;
      const logName = files.find((f) => f.endsWith('.connections.txt'))!;
      assert.ok(traceName && logName, files.join(', '));

      // The Chrome trace: named threads, state slices, the messages as instants.
      const trace = JSON.parse(fs.readFileSync(path.join(folder, traceName), 'utf8')) as TraceFile;
      const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => String(e.args!.name));
      assert.ok(names.some((n) => /^Thread-\d+ \[thread\]$/.test(n)) && names.some((n) => /^conn 127\.0\.0\.1:\d+ \[connection\]$/.test(n)), names.join(', '));
      assert.ok(trace.traceEvents.some((e) => e.ph === 'X' && e.name === 'blocked in recv'));
      assert.deepEqual(
        trace.traceEvents.filter((e) => e.cat === 'message').map((e) => e.args!.text),
        ['hello\\n', 'HELLO\\n', 'bye\\n', 'BYE\\n'],
      );
      const logs = fs.readFileSync(path.join(folder, logName), 'utf8');
      assert.match(logs, /client → server +6 B {2}hello\\n/);
      assert.match(logs, /server → client +4 B {2}BYE\\n/);
      await session().screenshot('49-recording-saved');

      // Reopen it from the notification: the replay panel, at the end of the recording.
      await toast.getByRole('button', { name: 'Open Recording' }).click();
      const r = replayView(page);
      await r.locator('.replay[data-complete="true"]').waitFor({ state: 'visible', timeout: 20_000 });
      const connLanes = r.locator('.tl-lane[data-kind="connection"]');
      await waitFor('the connection lane at the end', async () => (await connLanes.count()) === 1 || undefined);
      assert.match(await connLanes.first().innerText(), /closed/);
      // Scrub to the start: the server had not started yet, so no lanes.
      await r.locator('#replay-start').click();
      await waitFor('no connection lane at the start', async () => (await connLanes.count()) === 0 || undefined);
      assert.equal(await r.locator('.replay').getAttribute('data-cursor'), '0');
      // Back to the end; follow the connection's recorded stream.
      await r.locator('#replay-end').click();
      await connLanes.first().click();
      await r.locator('vscode-tab-header', { hasText: 'Follow stream' }).click();
      const rows = r.locator('.stream-row');
      await waitFor('four recorded messages', async () => (await rows.count()) === 4 || undefined);
      assert.deepEqual(await r.locator('.stream-row .stream-bytes').allInnerTexts(), ['hello\\n', 'HELLO\\n', 'bye\\n', 'BYE\\n']);
      // A recording cannot act: no Close or Kill buttons.
      assert.equal(await r.locator('.detail vscode-button[data-action]').count(), 0);
      // Scrub into the widest gap between two recorded messages (the slider moves by whole ms and
      // messages can share one): what shows is exactly the messages recorded up to that moment.
      const times = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-at'))));
      const startedAt = await r.locator('body').evaluate(() => (window as unknown as { socketLabDashboard: { replay(): { startedAt: number } } }).socketLabDashboard.replay().startedAt);
      const slider = r.locator('.replay-slider');
      let gap = 0;
      for (let i = 1; i < times.length - 1; i++) if (times[i + 1]! - times[i]! > times[gap + 1]! - times[gap]!) gap = i;
      const at = Math.round((times[gap]! + times[gap + 1]!) / 2 - startedAt);
      const expected = times.filter((t) => t <= startedAt + at).length;
      await slider.fill(String(at));
      await waitFor(`${expected} messages at +${at} ms`, async () => (await rows.count()) === expected || undefined);
      assert.equal(await r.locator('.stream-seq .seq-msg').count(), expected);
      await session().screenshot('50-recording-replay');
      await slider.fill('0');
      await waitFor('no messages at the start', async () => (await rows.count()) === 0 || undefined);
      await session().screenshot('51-recording-replay-start');
      const violations = await r.locator('body').evaluate(() => (window as unknown as { socketLabDashboard: { violations(): string[] } }).socketLabDashboard.violations());
      assert.deepEqual(violations, [], 'no CSP violations');
    } finally {
      // Whatever failed, the next tests start with no server of ours.
      await runCommand(page, 'View: Close All Editors');
      await clickInlineAction(treeRow(page, `127.0.0.1:${port}`), 'Stop Server');
      await waitFor(`server ${port} to leave the tree`, async () => !(await serverPorts()).includes(port) || undefined);
    }
  });
});
