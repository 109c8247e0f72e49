import assert from 'node:assert/strict';
import { freePort } from '../../scripts/code-server';
import { isListening } from '../support/processes';
import { serverPorts } from './support/servers';
import { session } from './support/session';
import { bindKeys, editJson, readJson, userSettings, waitForTitle, workspaceSettings, type CommandKey } from './support/userFiles';
import { clickInlineAction, notification, openSocketLab, runCommand, treeRow, treeRowTexts, waitFor } from './support/workbench';

const SETTING = 'socketLab.allowNonLoopbackWithoutAsking';
const EXPOSED_KEY = 'Control+Alt+Shift+F7';
const LOOPBACK_KEY = 'Control+Alt+Shift+F8';
const ANY_SERVER_ROW = /^(TCP|UDP|UNIX) /;

/**
 * Only the user may agree to a server other machines can reach. A command argument, a workspace
 * setting (a repository can write one) or a link cannot; the user's own user settings can.
 */
describe('Consent to a non-loopback bind in a real VS Code', function () {
  // Never bound: each test cancels the question, or the request fails validation before any bind.
  let exposedPort = 0;
  const restores: (() => Promise<void>)[] = [];

  before(async function () {
    this.timeout(60_000);
    const { page } = session();
    await openSocketLab(page);
    exposedPort = await freePort();
    const start = (host: string, port: number) => ({ transport: 'tcp', model: 'event-loop', handler: 'echo', host, port, exposureAccepted: true });
    // What another extension (or a keybinding it contributes) can do: run the command with an
    // argument that claims the user already accepted.
    const keys: CommandKey[] = [
      { key: 'ctrl+alt+shift+f7', command: 'socketLab.startServer', args: start('0.0.0.0', exposedPort) },
      { key: 'ctrl+alt+shift+f8', command: 'socketLab.startServer', args: start('127.0.0.1', 0) },
    ];
    try {
      restores.push(await bindKeys(page, keys, 'Socket Lab: Start Server…'));
    } catch (err) {
      await session().screenshot('FAILED-consent-keybindings');
      throw err;
    }
  });

  after(async function () {
    this.timeout(60_000);
    const { page } = session();
    // Back to the session's own settings and keys before the next test file runs.
    await page.keyboard.press('Escape');
    for (const restore of restores.reverse()) await restore().catch((err: unknown) => console.error(`could not restore a settings file: ${String(err)}`));
    for (const port of await serverPorts()) await clickInlineAction(treeRow(page, `127.0.0.1:${port}`), 'Stop Server').catch(() => undefined);
  });

  /** The modal question, answered Cancel; returns its text. */
  async function cancelQuestion(): Promise<string> {
    const { page } = session();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await dialog.innerText();
    await session().screenshot(`70-consent-asked-${restores.length}`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    return text;
  }

  /**
   * Proves the cancelled request started nothing. A loopback start through the same command comes
   * after it: once its row shows, a server the cancelled request had started would show too.
   */
  async function assertNothingStarted(): Promise<void> {
    const { page } = session();
    const before = new Set(await serverPorts());
    await page.keyboard.press(LOOPBACK_KEY);
    const port = await waitFor('the loopback server started by the same command', async () => (await serverPorts()).find((p) => !before.has(p)));
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'a loopback bind is not asked about');
    const rows = (await treeRowTexts(page)).filter((t) => ANY_SERVER_ROW.test(t));
    assert.deepEqual(
      rows.map((t) => /^\S+ \S+?:\d+/.exec(t)?.[0] ?? t),
      [`TCP 127.0.0.1:${port}`],
      'only the loopback server runs',
    );
    assert.equal(await isListening(exposedPort), false, `nothing listens on ${exposedPort}`);
    await treeRow(page, `127.0.0.1:${port}`).click();
    await clickInlineAction(treeRow(page, `127.0.0.1:${port}`), 'Stop Server');
    await waitFor(`server ${port} to stop`, async () => !(await serverPorts()).includes(port) || undefined);
  }

  it('a command argument saying exposureAccepted: true still asks, naming the user setting; Cancel starts nothing', async () => {
    const { page } = session();
    await serverPortsSettled();
    await page.keyboard.press(EXPOSED_KEY);
    const text = await cancelQuestion();
    assert.match(text, /0\.0\.0\.0 listens on every network interface/);
    assert.ok(text.includes(SETTING), `the question names the setting that pre-approves: ${text}`);
    assert.match(text, /user settings/);
    await assertNothingStarted();
  });

  it('a workspace setting pre-approving it is ignored: the question still comes', async () => {
    const { page } = session();
    // A repository's .vscode/settings.json; the title marker shows when VS Code has read it.
    restores.push(await editJson(page, workspaceSettings(), { [SETTING]: true, 'window.title': 'consent-workspace ${rootName}' }));
    await waitForTitle(page, 'consent-workspace');
    await page.keyboard.press(EXPOSED_KEY);
    const text = await cancelQuestion();
    assert.match(text, /0\.0\.0\.0 listens on every network interface/);
    await assertNothingStarted();
  });

  it('the same setting in the user settings is honoured: no question (the request then fails validation, so nothing binds)', async () => {
    const { page } = session();
    // The workspace keeps its value (without its title, which would hide the user's).
    await editJson(page, workspaceSettings(), { [SETTING]: true });
    // backlog -1 is refused by the engine before any socket exists: the test never binds 0.0.0.0.
    restores.push(await editJson(page, userSettings(), { ...readJson(userSettings()), [SETTING]: true, 'socketLab.server.backlog': -1, 'window.title': 'consent-user ${rootName}' }));
    await waitForTitle(page, 'consent-user');
    await page.keyboard.press(EXPOSED_KEY);
    // The engine's refusal is only reached past the question: its message proves none was asked.
    const refusal = notification(page, 'backlog must be a whole number from 0 to 65535; got -1');
    await refusal.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await page.locator('.monaco-dialog-box').count(), 0, 'no question was asked');
    await session().screenshot('71-consent-preapproved-by-user');
    assert.equal(await isListening(exposedPort), false);
    assert.equal((await treeRowTexts(page)).filter((t) => ANY_SERVER_ROW.test(t)).length, 0);
    await runCommand(page, 'Notifications: Clear All Notifications');
  });
});

/** An earlier test file may still be stopping a server: start from an empty Servers view. */
async function serverPortsSettled(): Promise<void> {
  await waitFor('no server rows left from earlier tests', async () => (await serverPorts()).length === 0 || undefined);
}
