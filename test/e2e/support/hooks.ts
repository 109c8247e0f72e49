import { findProcesses } from '../../support/processes';
import { endSession, session, startSession } from './session';
import { paneText, runCommand, treeRowTexts, waitFor } from './workbench';

// Root hooks: one code-server for the whole e2e run (starting it costs ~10 s).
export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(180_000);
    await startSession();
  },
  async afterEach(this: Mocha.Context): Promise<void> {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const name = test
      .fullTitle()
      .replace(/[^a-z0-9]+/gi, '-')
      .slice(0, 80);
    await session()
      .screenshot(`FAILED-${name}`)
      .catch(() => undefined);
    // One failure must not fail the tests after it: a server or lab it left running would crowd
    // the views (rows out of view are not in the DOM) and change what the next tests see.
    await stopLeftovers().catch((err: unknown) => console.error(`after a failure, could not stop what it left running: ${String(err)}`));
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await endSession();
  },
};

async function stopLeftovers(): Promise<void> {
  const { page } = session();
  // A dialog or quick pick the failed test left open would swallow the palette.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  // A Python program a failed test ran: ended, its rows go with the retention window.
  const programs = findProcesses('-m socketlab_trace');
  for (const p of programs) killQuietly(p.pid);
  if (programs.length) await waitFor('the programs a failed test left to go from the views', async () => !(await treeRowTexts(page)).some((t) => /\.py.*pid \d+/.test(t)) || undefined, 30_000);
  const serverRow = /^(TCP|UDP|UNIX) /;
  if ((await treeRowTexts(page)).some((t) => serverRow.test(t))) {
    await runCommand(page, 'Socket Lab: Stop All Servers');
    await waitFor('the servers a failed test left to stop', async () => !(await treeRowTexts(page)).some((t) => serverRow.test(t)) || undefined);
  }
  const running = async () => (await paneText(page, 'Labs')).match(/running\b/g)?.length ?? 0;
  for (let n = await running(), i = 0; n > 0 && i < 5; n = await running(), i++) {
    await runCommand(page, 'Socket Lab: Stop Lab');
    // With several running, Stop Lab asks which: the first.
    const asks = page.locator('.quick-input-widget input[placeholder="Lab to stop"]');
    if (
      await asks.waitFor({ state: 'visible', timeout: 3000 }).then(
        () => true,
        () => false,
      )
    ) {
      await page.locator('.quick-input-list .monaco-list-row').first().click();
    }
    await waitFor('a lab a failed test left running to stop', async () => (await running()) < n || undefined);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
