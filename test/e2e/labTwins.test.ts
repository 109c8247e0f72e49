import assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { findProcesses } from '../support/processes';
import { openLabsGroup } from './support/labsView';
import { session } from './support/session';
import { editJson, workspaceSettings } from './support/userFiles';
import { clickInlineAction, contextAction, notification, openSocketLab, paneRow, runCommand, waitFor } from './support/workbench';

// Issue 18, point 4: each lab beside its real Python program. A new user selects a lab row and
// presses Run in Python: the program opens in the editor, and beside it the Node lab's run and
// Python's own output and outcome line, with the note on where the Node lab imitates.

/** The Run in Python page: the webview whose page has the note (the dashboard may be open too). */
async function twinPage(page: Page): Promise<FrameLocator> {
  return waitFor('the Run in Python page', async () => {
    const frames = page.locator('iframe.webview.ready');
    for (let i = 0; i < (await frames.count()); i++) {
      const inner = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('iframe#active-frame');
      if ((await inner.locator('#note').count()) > 0) return inner;
    }
    return undefined;
  });
}

describe('Run in Python: a lab beside its real Python program, in a real VS Code', function () {
  this.timeout(180_000);

  after(async () => {
    const { page } = session();
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
  });

  it("Race counter: the row's Run in Python opens race.py and shows the Node lab's outcome and Python's (lost updates in both, none with the lock), with the imitation note", async () => {
    const { page } = session();
    await openSocketLab(page);
    await openLabsGroup(page, 'Threads');
    const row = paneRow(page, 'Labs', 'Race counter');
    await row.click();
    await clickInlineAction(row, 'Run in Python, Beside the Lab');
    // The program itself, in the editor.
    await page.locator('.tab', { hasText: 'race.py' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    const twin = await twinPage(page);
    assert.match(await twin.locator('#note').innerText(), /Where the Node lab imitates: .*GIL/);
    const nodeOutcome = await waitFor("the Node lab's outcome", async () => ((await twin.locator('#node .outcome').count()) ? twin.locator('#node .outcome').innerText() : undefined), 60_000);
    assert.match(nodeOutcome, /Without a lock the counter reached \d+ \(\d+ updates lost\); with the lock 8000 \(0 lost\)/);
    const pyOutcome = await waitFor("Python's outcome", async () => ((await twin.locator('#python .outcome').count()) ? twin.locator('#python .outcome').innerText() : undefined), 60_000);
    const m = /without a lock (\d+) updates lost; with the lock (\d+)/.exec(pyOutcome);
    assert.ok(m, pyOutcome);
    assert.equal(m[2], '0', pyOutcome);
    assert.match(await twin.locator('#python .status').innerText(), /^done · [\d.]+ s · exit code 0$/);
    assert.match(await twin.locator('#python pre').innerText(), /with a lock/);
    await session().screenshot('90-run-in-python');
    assert.equal(findProcesses('-m socketlab_trace').length, 0, 'the program has ended');
  });

  it('no Python: a clear message naming the setting, and nothing starts (no lab run, no panel)', async () => {
    const { page } = session();
    const restore = await editJson(page, workspaceSettings(), { 'socketLab.python.interpreter': '/nonexistent/python3' });
    try {
      await openSocketLab(page);
      await openLabsGroup(page, 'Threads');
      const row = paneRow(page, 'Labs', 'RLock re-entry vs Lock self-deadlock');
      await row.click();
      // This time from the row's context menu.
      await contextAction(page, row, 'Run in Python, Beside the Lab');
      await notification(page, /Socket Lab cannot run rlock\.py: \/nonexistent\/python3 does not run .*socketLab\.python\.interpreter/).waitFor({ state: 'visible', timeout: 30_000 });
      // Nothing started: no page for this lab beside the editor.
      const frames = page.locator('iframe.webview.ready');
      for (let i = 0; i < (await frames.count()); i++) {
        const inner = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('iframe#active-frame');
        assert.equal(await inner.locator('h1', { hasText: 'rlock.py' }).count(), 0, 'no Run in Python page for rlock');
      }
      assert.doesNotMatch(await row.innerText(), /running/, 'the lab did not start');
    } finally {
      await restore();
      await runCommand(page, 'Notifications: Clear All Notifications').catch(() => undefined);
    }
  });
});
