import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { findProcesses, isListening } from '../support/processes';
import { labsGroupRow, openLabsGroup } from './support/labsView';
import { clickTitleAction, expectNoToast } from './support/menus';
import { serverPorts } from './support/servers';
import { session } from './support/session';
import {
  answer,
  clickInlineAction,
  contextAction,
  notification,
  openSocketLab,
  pane,
  paneRow,
  paneText,
  pick,
  quickInputMessage,
  runCommand,
  runLabFromPalette,
  serversPane,
  setPaneExpanded,
  terminalText,
  treeRow,
  treeRowTexts,
  waitFor,
  waitForNoVisibleTerminal,
} from './support/workbench';

// Issue 19, the first hour in the views: what VS Code passes to view-title and context-menu
// commands (a row is always selected first, as a user's is), what the terminals Socket Lab opens
// show when something fails, and the smaller things of point 8.

/** Each menu entry of package.json, `menu|command`, and the test that presses it where it is. */
const DRIVEN: Record<string, string> = {
  'view/title|socketLab.startServer': 'firstHour: + after a server row was selected',
  'view/title|socketLab.openClient': 'firstHour: Open Client… with a row selected',
  'view/title|socketLab.stopAllServers': 'firstHour: the Servers title buttons',
  'view/title|socketLab.filterConnections': 'firstHour: the Servers title buttons',
  'view/title|socketLab.startRecording': 'firstHour: the Servers title buttons',
  'view/title|socketLab.stopRecording': 'firstHour: the Servers title buttons',
  'view/title|socketLab.openDashboard': 'firstHour: the Servers title buttons; the Labs, Threads, Sync and Pools title buttons',
  'view/title|socketLab.runLab': 'firstHour: the Labs, Threads, Sync and Pools title buttons',
  'view/title|socketLab.showLabOutput': 'firstHour: the Labs, Threads, Sync and Pools title buttons',
  'view/title|socketLab.filterThreads': 'firstHour: the Labs, Threads, Sync and Pools title buttons',
  'view/item/context|socketLab.openClientTerminal': 'firstHour: Open Client… with a row selected (context menu); servers.test.ts (inline)',
  'view/item/context|socketLab.stopServer': 'firstHour: the server and connection context menus; servers.test.ts (inline)',
  'view/item/context|socketLab.closeConnection': 'firstHour: the server and connection context menus; servers.test.ts (inline)',
  'view/item/context|socketLab.loadTest': 'firstHour: Load Test… (context menu); clients.test.ts (inline)',
  'view/item/context|socketLab.copyAddress': 'firstHour: the server and connection context menus',
  'view/item/context|socketLab.openClients': 'firstHour: the server and connection context menus',
  'view/item/context|socketLab.revealInDashboard': 'firstHour: the server and connection context menus; dashboard.test.ts',
  'view/item/context|socketLab.revealServingThread': 'firstHour: the server and connection context menus; inspector/dashboard tests',
  'view/item/context|socketLab.followStream': 'firstHour: the server and connection context menus; dashboard.test.ts',
  'view/item/context|socketLab.runLab': 'firstHour: the Labs context menu; labs.test.ts (inline)',
  'view/item/context|socketLab.runLabFast': 'firstHour: the Labs context menu; labs.test.ts (inline)',
  'view/item/context|socketLab.runLabWithParameters': 'firstHour: the Labs context menu',
  'view/item/context|socketLab.stopLab': 'firstHour: the Labs context menu; the Threads owner row',
  'view/item/context|socketLab.runLabInPython': 'labTwins.test.ts: inline on Race counter, the context menu on RLock (no Python); walkthrough.test.ts in Chinese',
  'view/item/context|socketLab.killThread': 'firstHour: the Threads view (inline on a thread row); labs.test.ts',
  'view/item/context|socketLab.revealWaitTarget': 'firstHour: the Threads context menu',
  'view/item/context|socketLab.revealHolder': 'firstHour: the Threads context menu (Sync view); dashboard tests',
  'view/item/context|socketLab.setEvent': 'labs.test.ts: Event gate (inline, on the Event row)',
  // Not pressed by any test: the event-gate lab clears its Event itself milliseconds after the
  // waiters pass, so a set Event row does not stay long enough to press Clear on it. It takes
  // its row exactly as Set Event does (the same handler, entityId of the row).
  'view/item/context|socketLab.clearEvent': 'NOT PRESSED (see above); Set Event is',
  'view/item/context|socketLab.stopProgram': 'python.test.ts: Stop Program (inline) on the program row in Servers and in Threads & Processes',
  'editor/title|socketLab.runPythonFile': "python.test.ts: the editor's Run button",
  'explorer/context|socketLab.runPythonFile': 'python.test.ts: every place Run Python File is offered',
  'explorer/context|socketLab.runPythonFileWithArgs': 'python.test.ts: every place Run Python File is offered',
  'editor/context|socketLab.runPythonFile': 'python.test.ts: every place Run Python File is offered',
  'editor/context|socketLab.runPythonFileWithArgs': 'python.test.ts: every place Run Python File is offered',
  'explorer/context|socketLab.openRecording': 'firstHour: the Servers title buttons (Explorer context menu on the saved .trace.json)',
};

interface PackageJson {
  contributes: { menus: Record<string, { command: string }[]> };
}

function menuEntries(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as PackageJson;
  return Object.entries(pkg.contributes.menus)
    .filter(([menu]) => menu !== 'commandPalette')
    .flatMap(([menu, items]) => items.map((i) => `${menu}|${i.command}`));
}

async function typeInTerminal(page: Page, text: string, enter = true): Promise<void> {
  await page.locator('.terminal-wrapper.active .xterm, .xterm:visible').first().click();
  await page.keyboard.type(text);
  if (enter) await page.keyboard.press('Enter');
}

/** The terminals' names as the terminal tab list shows them. */
async function terminalNames(page: Page): Promise<string[]> {
  const labels = await page.locator('.terminal-tabs-entry, .tabs-list .monaco-list-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? (r as HTMLElement).innerText));
  return labels.map((l) => l.trim());
}

/** Start Server… through the palette with any handler (the shared helper covers three). */
async function startTcpServer(page: Page, handler: string, port = '0'): Promise<number> {
  const before = new Set(await serverPorts());
  await runCommand(page, 'Socket Lab: Start Server…');
  await pick(page, 'TCP');
  await pick(page, 'event-loop');
  await pick(page, handler);
  await answer(page, '(4/5)');
  await answer(page, '(5/5)', port);
  return waitFor(`the ${handler} server row`, async () => (await serverPorts()).find((p) => !before.has(p)));
}

function serverRow(page: Page, port: number) {
  return treeRow(page, new RegExp(`TCP 127\\.0\\.0\\.1:${port}(?!\\d)`));
}

const EXIT_CODE_POPUP = /terminal process .* terminated with exit code|exit code/i;

describe('The first hour in the views (issue 19): menus, terminals, addresses', function () {
  let upper = 0;
  /** The upper server the tests share; started again if a failed test's clean-up stopped it. */
  const upperServer = async (page: Page): Promise<number> => {
    if (!upper || !(await isListening(upper))) upper = await startTcpServer(page, 'upper');
    return upper;
  };

  after(async () => {
    const { page } = session();
    await runCommand(page, 'Terminal: Kill All Terminals').catch(() => undefined);
    await runCommand(page, 'Socket Lab: Stop All Servers').catch(() => undefined);
  });

  it('drives every view-title and context-menu entry of package.json somewhere (this table says where)', () => {
    const missing = menuEntries().filter((e) => !DRIVEN[e]);
    assert.deepEqual(missing, [], 'menu entries without a test that presses them where they are');
  });

  it('+ after a server row was selected: the Start Server flow (1/5), UDP models described for datagrams, 999.1.1.1 refused before anything', async () => {
    const { page } = session();
    await openSocketLab(page);
    await upperServer(page);
    // The user clicks a row, then the view's + (VS Code passes the focused row to the command).
    await serverRow(page, upper).click();
    await clickTitleAction(page, 'Servers', 'Start Server…');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Start Server (1/5): transport' }).waitFor({ state: 'visible' });
    await expectNoToast(page, /invalid settings/, 500);
    await pick(page, 'UDP');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '(2/5)' }).waitFor({ state: 'visible' });
    const models = (await page.locator('.quick-input-list .monaco-list-row').allInnerTexts()).join('\n');
    assert.match(models, /datagram/);
    assert.doesNotMatch(models, /One connection at a time/);
    assert.match(models, /socketserver\.UDPServer/);
    await session().screenshot('60-udp-models');
    await pick(page, 'iterative');
    await pick(page, 'welcome');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '(4/5)' }).waitFor({ state: 'visible' });
    const input = page.locator('.quick-input-widget input');
    await input.fill('999.1.1.1');
    await waitFor('the address to be refused', async () => /is not an IPv4 address.*999 is not/.test(await quickInputMessage(page)) || undefined);
    await input.press('Enter'); // refused while invalid: no consent question, no look-up
    assert.ok(await input.isVisible(), 'the address box stays open');
    await input.fill('127.0.0.1');
    await input.press('Enter');
    await answer(page, '(5/5)');
    await treeRow(page, /UDP 127\.0\.0\.1:\d+/).waitFor({ state: 'visible' });
    await expectNoToast(page, /invalid settings|ENOTFOUND/, 500);
  });

  it('Open Client… with a row selected: the banner names the local port, a second client terminal is (2), keys typed while it starts land after the banner', async () => {
    const { page } = session();
    await upperServer(page);
    const udp = treeRow(page, /UDP 127\.0\.0\.1:\d+/);
    await ((await udp.isVisible()) ? udp : serverRow(page, upper)).click();
    await clickTitleAction(page, 'Servers', 'Open Client…');
    await pick(page, 'TCP');
    await answer(page, '(2/2)', `127.0.0.1:${upper}`);
    await waitFor('the first client', async () => /connected to tcp 127\.0\.0\.1:\d+ from 127\.0\.0\.1:\d+/.test(await terminalText(page)) || undefined);
    // The second, from the server row's context menu; the user types at once, before it connected.
    await contextAction(page, serverRow(page, upper), 'Open Client Terminal');
    await waitFor('the second client terminal', async () => ((await page.locator('.xterm:visible').count()) > 0 && findProcesses(`client tcp 127.0.0.1:${upper}`).length === 2 ? true : undefined));
    await typeInTerminal(page, 'early bird');
    const text = await waitFor('the reply to the early line', async () => {
      const t = await terminalText(page);
      return t.includes('EARLY BIRD') ? t : undefined;
    });
    await session().screenshot('61-typed-while-connecting');
    const lines = text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const banner = lines.findIndex((l) => l.startsWith('connected to tcp'));
    assert.ok(banner >= 0, text);
    assert.ok(!lines.slice(0, banner).some((l) => l.includes('early bird')), `nothing typed shows above the banner:\n${text}`);
    assert.ok(
      lines.slice(banner).some((l) => /^>> early bird/.test(l)),
      `the early line is at the prompt:\n${text}`,
    );
    const names = await terminalNames(page);
    assert.ok(
      names.some((n) => n.includes(`Socket Lab client 127.0.0.1:${upper} (2)`)),
      `terminal names: ${names.join(' | ')}`,
    );
    await runCommand(page, 'Terminal: Kill All Terminals');
    await waitFor('the clients to end', async () => findProcesses(`client tcp 127.0.0.1:${upper}`).length === 0 || undefined);
  });

  it('Open Client… to a closed port: "connection refused" stays in the terminal until a key is pressed; no exit-code popup', async () => {
    const { page } = session();
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const closed = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    await serverRow(page, await upperServer(page)).click();
    await clickTitleAction(page, 'Servers', 'Open Client…');
    await pick(page, 'TCP');
    await answer(page, '(2/2)', `127.0.0.1:${closed}`);
    await waitFor(
      'the refusal in the terminal',
      async () => /connection refused \(ECONNREFUSED\) 127\.0\.0\.1:\d+: nothing accepts connections there[\s\S]*press any key/.test(await terminalText(page)) || undefined,
    );
    await session().screenshot('62-connection-refused-held');
    assert.equal(findProcesses(`client tcp 127.0.0.1:${closed}`).length, 1, 'the client waits for a key');
    await typeInTerminal(page, 'x', false);
    await waitFor('the client to end', async () => findProcesses(`client tcp 127.0.0.1:${closed}`).length === 0 || undefined);
    await waitForNoVisibleTerminal(page);
    await expectNoToast(page, EXIT_CODE_POPUP, 2000);
  });

  it('Load Test… (context menu) on upper and welcome servers: the result stays in the terminal, checked as each handler answers, no popup', async () => {
    const { page } = session();
    await upperServer(page);
    const welcome = await startTcpServer(page, 'welcome');
    for (const [port, expected] of [
      [upper, /result: [\d,]+ msgs\/s[\s\S]*verified \(upper case\), 0 corrupt, 0 missing[\s\S]*press any key/],
      [welcome, /result: [\d,]+ connections\/s \([\d,]+ greetings[\s\S]*errors: none[\s\S]*press any key/],
    ] as const) {
      await contextAction(page, serverRow(page, port), 'Load Test…');
      await answer(page, '(1/2)', '4');
      await answer(page, '(2/2)', '2');
      const text = await waitFor(
        `the load test result for port ${port}`,
        async () => {
          const t = await terminalText(page);
          return expected.test(t) ? t : undefined;
        },
        30_000,
      );
      assert.doesNotMatch(text, /[1-9][\d,]* corrupt/);
      await session().screenshot(`63-load-test-${port === welcome ? 'welcome' : 'upper'}`);
      await typeInTerminal(page, ' ', false);
      await waitForNoVisibleTerminal(page);
      await expectNoToast(page, EXIT_CODE_POPUP, 2000);
    }
    await contextAction(page, serverRow(page, welcome), 'Stop Server');
    await waitFor('the welcome server to stop', async () => !(await isListening(welcome)) || undefined);
  });

  it('the server and connection context menus: Copy Address, Open N Clients…, Reveal Serving Thread, Follow Stream, Reveal in Dashboard, Close Connection, Stop Server', async () => {
    const { page } = session();
    await upperServer(page);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    // An earlier test may have copied something (a tree's JSON): start from an empty clipboard.
    await page.evaluate('navigator.clipboard.writeText("")');
    await contextAction(page, serverRow(page, upper), 'Copy Address');
    const clipboard = async () => String(await page.evaluate('navigator.clipboard.readText()'));
    await waitFor('the address on the clipboard', async () => (await clipboard()) || undefined);
    assert.equal(await clipboard(), `127.0.0.1:${upper}`);
    await contextAction(page, serverRow(page, upper), 'Open N Clients…');
    await answer(page, 'Open N Clients', '2');
    await waitFor('two clients', async () => findProcesses(`client tcp 127.0.0.1:${upper}`).length === 2 || undefined);
    const conn = treeRow(page, /^127\.0\.0\.1:\d+/);
    await conn.waitFor({ state: 'visible' });
    await contextAction(page, conn, 'Reveal Serving Thread or Process');
    await notification(page, /served by the event loop/).waitFor({ state: 'visible' });
    await contextAction(page, conn, 'Follow Stream');
    await page.locator('iframe.webview.ready').first().waitFor({ state: 'attached', timeout: 30_000 });
    await contextAction(page, conn, 'Reveal in Dashboard');
    const connText = (await conn.innerText()).split('\n')[0]!;
    await contextAction(page, conn, 'Close Connection');
    await waitFor('the connection row to go', async () => !(await treeRowTexts(page)).some((t) => t.startsWith(connText) && !/closed/.test(t)) || undefined);
    await contextAction(page, serverRow(page, upper), 'Stop Server');
    await waitFor('the upper server to stop', async () => !(await isListening(upper)) || undefined);
    await runCommand(page, 'Terminal: Kill All Terminals');
    await runCommand(page, 'View: Close All Editors');
  });

  it('the Servers title buttons with a row selected: Filter Connections…, Open Dashboard, Start and Stop Recording (then Open Recording from the Explorer), Stop All Servers', async () => {
    const { page } = session();
    const port = await startTcpServer(page, 'echo');
    await serverRow(page, port).click();
    await clickTitleAction(page, 'Servers', 'Filter Connections…');
    await pick(page, /^All/);
    await serverRow(page, port).click();
    await clickTitleAction(page, 'Servers', 'Open Dashboard');
    await page.locator('iframe.webview.ready').first().waitFor({ state: 'attached', timeout: 30_000 });
    await serverRow(page, port).click();
    await clickTitleAction(page, 'Servers', 'Start Recording');
    await serverRow(page, port).click();
    // Earlier tests saved recordings to the same folder: this one is the new file.
    const dir = path.join(session().workspace, 'socket-lab-recordings');
    const recordings = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.trace.json')) : []);
    const earlier = new Set(recordings());
    await clickTitleAction(page, 'Servers', 'Stop Recording and Save');
    const saved = await waitFor('the saved recording', async () => recordings().find((f) => !earlier.has(f)));
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'View: Show Explorer');
    const folder = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'socket-lab-recordings' }).first();
    await folder.click();
    await contextAction(page, page.locator('.explorer-folders-view .monaco-list-row', { hasText: saved }).first(), 'Open Recording…');
    await page
      .locator('.tab', { hasText: /Recording|replay/i })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await openSocketLab(page);
    await serverRow(page, port).click();
    await clickTitleAction(page, 'Servers', 'Stop All Servers');
    await waitFor('no servers', async () => (await serverPorts()).length === 0 || undefined);
    await serversPane(page).locator('.monaco-button', { hasText: 'Start Server…' }).waitFor({ state: 'visible' });
    await runCommand(page, 'View: Close All Editors');
  });

  it('the Labs, Threads, Sync and Pools title buttons and the Labs and Threads context menus, a row selected each time', async function () {
    this.timeout(240_000);
    const { page } = session();
    await openSocketLab(page);
    await setPaneExpanded(page, 'Servers', false);
    const threadsGroup = labsGroupRow(page, 'Threads');
    await openLabsGroup(page, 'Threads');
    // A group row selected: Run Lab names no lab, so it asks which.
    await threadsGroup.click();
    await clickTitleAction(page, 'Labs', 'Run Lab');
    await page.locator('.quick-input-widget input[placeholder="Lab to run"]').waitFor({ state: 'visible' });
    await page.locator('.quick-input-widget input').fill('deadlock');
    await pick(page, /^Deadlock/);
    const t1 = paneRow(page, 'Threads & Processes', /T1\s*waiting for Lock/);
    await t1.waitFor({ state: 'visible', timeout: 30_000 });
    await t1.click();
    await clickTitleAction(page, 'Threads & Processes', 'Filter by State…');
    await pick(page, 'Waiting for a lock or semaphore');
    await waitFor('the filter to say so', async () => /filter: waiting for a lock/i.test(await pane(page, 'Threads & Processes').locator('.pane-header').innerText()) || undefined);
    await t1.click();
    await clickTitleAction(page, 'Threads & Processes', 'Filter by State…');
    await pick(page, 'All threads and processes');
    await t1.click();
    await clickTitleAction(page, 'Threads & Processes', 'Open Dashboard');
    await page.locator('iframe.webview.ready').first().waitFor({ state: 'attached', timeout: 30_000 });
    // The lock T1 waits for, selected in Sync; from it, its holder.
    await contextAction(page, t1, 'Reveal What It Waits For or Serves');
    const lock = pane(page, 'Sync')
      .locator('.monaco-list-row.selected', { hasText: /Lock [AB]/ })
      .first();
    await lock.waitFor({ state: 'visible' });
    await clickTitleAction(page, 'Sync', 'Open Dashboard');
    await contextAction(page, lock, 'Reveal Holder');
    await pane(page, 'Threads & Processes').locator('.monaco-list-row.selected', { hasText: /T[12]/ }).first().waitFor({ state: 'visible' });
    await clickInlineAction(t1, 'Kill Thread or Process');
    await waitFor('T1 to end', async () => !/T1\s*waiting for Lock/.test(await paneText(page, 'Threads & Processes')) || undefined);
    await contextAction(page, paneRow(page, 'Labs', /^Deadlock/), 'Stop Lab');
    await waitFor('the deadlock lab to stop', async () => !/Deadlock\s*running/.test(await paneText(page, 'Labs')) || undefined, 30_000);
    // A lab row selected: Run Lab runs that lab, no question asked.
    // Its row, up to the next lab's: its description, then its state and outcome once it runs.
    const joinRow = async () => (/Threads and join([\s\S]*?)Race counter/.exec(await paneText(page, 'Labs'))?.[1] ?? '').replace(/\s+/g, ' ').trim();
    const before = await joinRow();
    assert.doesNotMatch(before, /running/);
    const join = paneRow(page, 'Labs', /^Threads and join/);
    // The deadlock's outcome rows may have scrolled it out of view (rows out of view are not
    // drawn): scroll the Labs view back to its top, as a user would with the wheel.
    if (!(await join.isVisible())) {
      await pane(page, 'Labs').locator('.monaco-list-rows').first().hover();
      await page.mouse.wheel(0, -5000);
    }
    await join.waitFor({ state: 'visible' });
    await join.click();
    await clickTitleAction(page, 'Labs', 'Run Lab');
    await waitFor('Threads and join to run', async () => (await joinRow()) !== before || undefined, 30_000);
    await clickTitleAction(page, 'Labs', 'Show Lab Output');
    await page
      .locator('.panel .title-label, .panel .monaco-select-box, .panel', { hasText: /Socket Lab Labs|Output/ })
      .first()
      .waitFor({ state: 'visible' });
    const race = paneRow(page, 'Labs', /^Race counter/);
    await contextAction(page, race, 'Run Lab Fast');
    await waitFor('the fast race outcome', async () => /updates lost/.test((await paneText(page, 'Labs')).replace(/\s+/g, ' ')) || undefined, 60_000);
    await contextAction(page, race, 'Run Lab with Parameters…');
    for (let step = 1; ; step++) {
      const title = page.locator('.quick-input-widget .quick-input-title', { hasText: /Race counter: .* \(\d+\/\d+\)/ });
      if (
        !(await title.waitFor({ state: 'visible', timeout: 3000 }).then(
          () => true,
          () => false,
        ))
      )
        break;
      const text = await title.innerText();
      await page.locator('.quick-input-widget input').press('Enter');
      const [, n, of] = /\((\d+)\/(\d+)\)/.exec(text)!;
      if (n === of) break;
      if (step > 6) throw new Error('too many parameter steps');
      await waitFor('the next step', async () => (await title.innerText()) !== text || undefined, 5000);
    }
    await waitFor('the race with parameters to run', async () => /Race counter\s*running/.test(await paneText(page, 'Labs')) || undefined, 30_000).catch(() => undefined);
    await runCommand(page, 'Socket Lab: Stop Lab').catch(() => undefined);
    // Pools: the pool lab opens the view; its title button with a worker row selected; its owner row stops it.
    await runLabFromPalette(page, 'apply_async', /^Pool: apply_async vs apply/);
    const worker = paneRow(page, 'Pools', /worker|busy|idle|starting/);
    await worker.waitFor({ state: 'visible', timeout: 30_000 });
    await worker.click();
    await clickTitleAction(page, 'Pools', 'Open Dashboard');
    await clickInlineAction(pane(page, 'Pools').locator('.monaco-list-row').first(), 'Stop Lab');
    await waitFor('the pool lab to stop', async () => !/Pool: apply_async vs apply\s*running/.test(await paneText(page, 'Labs')) || undefined, 30_000);
    await runCommand(page, 'View: Close All Editors');
    await setPaneExpanded(page, 'Servers', true);
  });

  it('a server on port 80 gets no port-forwarding popup', async function () {
    const { page } = session();
    const free = !(await isListening(80));
    if (!free) this.skip();
    const port = await startTcpServer(page, 'echo', '80').catch(() => undefined);
    if (port !== 80) this.skip(); // not allowed to bind below 1024 here
    // VS Code's port finder looks every few seconds and shows its popup at once for a port below 10000.
    await expectNoToast(page, /port 80|application running on port/i, 12_000);
    await session().screenshot('64-port-80');
    await clickTitleAction(page, 'Servers', 'Stop All Servers');
    await waitFor('no servers', async () => (await serverPorts()).length === 0 || undefined);
  });
});
