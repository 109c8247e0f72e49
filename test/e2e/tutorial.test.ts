import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { isListening } from '../support/processes';
import { startServerAndWait } from './support/servers';
import { session } from './support/session';
import { clickInlineAction, openSocketLab, runCommand, terminalText, treeRow, waitFor } from './support/workbench';

// The tutorials' first lessons as a learner does them: the "10086" menu server, a client
// terminal, its Chinese greeting, `0` for an operator and `exit` for the server's own exit branch.
describe('A tutorial lesson in a real VS Code: the 10086 menu server', function () {
  this.timeout(120_000);

  it('draws the Chinese greeting (a CJK font is installed), answers 0, and exit reaches the server, which closes the connection', async () => {
    const { page } = session();
    await openSocketLab(page);
    assert.ok(execFileSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).trim().length > 0, 'a font with Chinese glyphs is installed');
    // In the workbench's own page: a CJK character is drawn with a real glyph, not the box every
    // missing glyph gets (U+10FFFF has none in any font).
    // (A string, not a function: the test's transpiler would add helpers the page does not have.)
    const glyphs = (await page.evaluate(`(() => {
      const draw = (ch) => {
        const c = document.createElement('canvas');
        c.width = c.height = 40;
        const g = c.getContext('2d');
        g.font = '32px sans-serif';
        g.fillText(ch, 2, 32);
        return c.toDataURL();
      };
      const missing = draw('\\u{10FFFF}');
      return { cjk: draw('欢') !== missing, different: draw('欢') !== draw('迎') };
    })()`)) as { cjk: boolean; different: boolean };
    assert.deepEqual(glyphs, { cjk: true, different: true }, 'Chinese characters are drawn as glyphs, each its own');

    const port = await startServerAndWait('menu', 'thread-per-connection');
    try {
      const row = treeRow(page, new RegExp(`TCP 127\\.0\\.0\\.1:${port}(?!\\d)`));
      await row.click(); // a newcomer selects the row first
      await clickInlineAction(row, 'Open Client Terminal');
      await waitFor('the greeting in the terminal', async () => (await terminalText(page)).includes('欢迎致电10086') || undefined, 30_000);
      await session().screenshot('60-menu-server-chinese');
      await page.locator('.terminal-wrapper.active .xterm, .xterm:visible').first().click();
      await page.keyboard.type('0');
      await page.keyboard.press('Enter');
      await waitFor("the operator's answer", async () => (await terminalText(page)).includes('通过可能会被录音') || undefined);
      // `exit` is the server's word (its `data == b'exit'` branch), not the client's.
      await page.keyboard.type('exit');
      await page.keyboard.press('Enter');
      await waitFor('the server to close the connection', async () => (await terminalText(page)).includes(`connection closed by 127.0.0.1:${port}`) || undefined);
      await waitFor('the connection row to go', async () => !(await treeRow(page, /127\.0\.0\.1:\d+ .*msg/).isVisible()) || undefined);
      await page.keyboard.type(':quit');
      await page.keyboard.press('Enter');
    } finally {
      await stopAllServersUntilFree(page, port);
    }
  });
});

/** The client terminal closing moves the focus: a palette it closes runs nothing. Again then. */
async function stopAllServersUntilFree(page: Page, port: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Socket Lab: Stop All Servers');
    try {
      await waitFor('the port to be free', async () => !(await isListening(port)) || undefined, 5000);
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}
