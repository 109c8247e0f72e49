import assert from 'node:assert/strict';
import net from 'node:net';
import { canListen, exchange, findProcesses, isListening } from '../support/processes';
import { SERVER_ROW, serverPorts, startServerFromPalette } from './support/servers';
import { session } from './support/session';
import {
  answer,
  clickInlineAction,
  notification,
  openSocketLab,
  paneText,
  pick,
  quickInputMessage,
  runCommand,
  serversPane,
  terminalText,
  treeRow,
  waitFor,
  waitForNoVisibleTerminal,
} from './support/workbench';

describe('Servers view in a real VS Code', function () {
  let port = 0;

  it('shows welcome content with a Start Server button when nothing runs', async () => {
    const { page } = session();
    await openSocketLab(page);
    await serversPane(page).locator('.monaco-button', { hasText: 'Start Server…' }).waitFor({ state: 'visible' });
    await session().screenshot('01-welcome');
  });

  it('starts a TCP upper server from the palette and lists it with its port', async () => {
    const { page } = session();
    await startServerFromPalette('upper');
    const ports = await waitFor('a server row', async () => ((await serverPorts()).length === 1 ? serverPorts() : undefined));
    port = ports[0]!;
    assert.ok(port > 0);
    const row = treeRow(page, SERVER_ROW);
    assert.match(await row.innerText(), /upper/);
    await waitFor('the model and the count under it', async () => /event-loop\s*one thread serves every ready socket\s*traffic\s*0 conns/.test(await paneText(page, 'Servers')) || undefined);
    // The status bar counts running servers.
    await page
      .locator('.statusbar-item', { hasText: /^\s*1\s*$/ })
      .first()
      .waitFor({ state: 'visible' });
    // It is a real server: a real socket gets the upper-cased reply.
    const reply = await exchange(port, 'ping from test\n', 15);
    assert.equal(reply.toString(), 'PING FROM TEST\n');
    await session().screenshot('02-server-started');
  });

  it('opens a client terminal whose typed line comes back and updates the tree live', async () => {
    const { page } = session();
    await clickInlineAction(treeRow(page, SERVER_ROW), 'Open Client Terminal');
    const clients = await waitFor('the client process', async () => {
      const found = findProcesses(`client tcp 127.0.0.1:${port}`);
      return found.length === 1 ? found : undefined;
    });
    assert.equal(clients.length, 1);
    // The connection row appears under the server once the client connected.
    await waitFor('a connection row', async () => (await treeRow(page, /127\.0\.0\.1:\d+.*0 msgs/).isVisible()) || undefined);
    await waitFor('the prompt', async () => (await terminalText(page)).includes('>>') || undefined);
    await page.locator('.terminal-wrapper.active .xterm, .xterm:visible').first().click();
    await page.keyboard.type('hello from vscode');
    await page.keyboard.press('Enter');
    await waitFor('the reply in the terminal', async () => (await terminalText(page)).includes('HELLO FROM VSCODE') || undefined);
    // 18 bytes in ("hello from vscode\n"), 18 out, one message each way.
    await waitFor('live counters in the tree', async () => (await treeRow(page, /↓18 B ↑18 B · 1 msg/).isVisible()) || undefined);
    await waitFor('the traffic row under the server to count it', async () => /1 conn\b/.test(await treeRow(page, /^traffic/).innerText()) || undefined);
    await session().screenshot('03-client-terminal');
  });

  it('closes the connection from the tree: the client is told and exits, the row goes', async () => {
    const { page } = session();
    const connRow = treeRow(page, /↓18 B/);
    await clickInlineAction(connRow, 'Close Connection');
    await waitFor('the client to report the close', async () => (await terminalText(page)).includes(`connection closed by 127.0.0.1:${port}`) || undefined);
    await session().screenshot('04-connection-closed');
    // The terminal stays, so the user can read why it ended and :reconnect; :quit closes it.
    await waitFor('the not-connected hint', async () => (await terminalText(page)).includes(':reconnect') || undefined);
    assert.equal(findProcesses(`client tcp 127.0.0.1:${port}`).length, 1);
    await page.keyboard.type(':quit');
    await page.keyboard.press('Enter');
    await waitFor('the client process to exit', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 0 || undefined);
    await waitForNoVisibleTerminal(page);
    await waitFor('the row to disappear after retention', async () => !(await treeRow(page, /↓18 B/).isVisible()) || undefined);
    // The server's row follows its rows by up to a second (it is refreshed at most once a second).
    await waitFor('the traffic row under the server to count none', async () => /0 conns/.test(await treeRow(page, /^traffic/).innerText()) || undefined);
  });

  it('exit typed in the client terminal goes to the server (EXIT comes back); :quit closes its connection and the terminal', async () => {
    const { page } = session();
    await clickInlineAction(treeRow(page, SERVER_ROW), 'Open Client Terminal');
    await waitFor('the client process', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 1 || undefined);
    await waitFor('the prompt', async () => (await terminalText(page)).includes('>>') || undefined);
    await waitFor('a connection row', async () => (await treeRow(page, /127\.0\.0\.1:\d+.*0 msgs/).isVisible()) || undefined);
    await page.locator('.terminal-wrapper.active .xterm, .xterm:visible').first().click();
    await page.keyboard.type('exit');
    await page.keyboard.press('Enter');
    // The tutorials' servers have an `exit` branch of their own: the word is the server's, not ours.
    await waitFor("the upper server's reply to exit", async () => (await terminalText(page)).includes('EXIT') || undefined);
    assert.equal(findProcesses(`client tcp 127.0.0.1:${port}`).length, 1, 'the client is still connected');
    await page.keyboard.type(':quit');
    await page.keyboard.press('Enter');
    await waitFor('the client process to exit', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 0 || undefined);
    await waitForNoVisibleTerminal(page);
    await waitFor('the row to go', async () => !(await treeRow(page, /0 msgs/).isVisible()) || undefined);
    // The server's row follows its rows by up to a second (it is refreshed at most once a second).
    await waitFor('the traffic row under the server to count none', async () => /0 conns/.test(await treeRow(page, /^traffic/).innerText()) || undefined);
  });

  it('rejects an invalid port in the input box and starts nothing', async () => {
    const { page } = session();
    await runCommand(page, 'Socket Lab: Start Server…');
    await pick(page, 'TCP');
    await pick(page, 'event-loop');
    await pick(page, 'echo');
    await answer(page, '(4/5)');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '(5/5)' }).waitFor({ state: 'visible' });
    const input = page.locator('.quick-input-widget input');
    await input.fill('70000');
    await waitFor('the validation message', async () => (await quickInputMessage(page)).includes('at most 65535') || undefined);
    await input.press('Enter'); // refused while invalid
    assert.ok(await input.isVisible(), 'the input box stays open');
    await input.press('Escape');
    assert.deepEqual(await serverPorts(), [port]);
  });

  it('names the busy port and offers a free one when the port is in use', async () => {
    const { page } = session();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const busy = (blocker.address() as net.AddressInfo).port;
    try {
      await startServerFromPalette('echo', String(busy));
      const toast = notification(page, `Port ${busy} is already in use`);
      await toast.waitFor({ state: 'visible' });
      await session().screenshot('05-port-in-use');
      // The offer names a port that was free when the error was shown.
      const offer = toast.getByRole('button', { name: /^Use Port \d+$/ });
      const offered = Number(/\d+/.exec((await offer.textContent()) ?? '')![0]);
      await offer.click();
      const ports = await waitFor('a second server', async () => ((await serverPorts()).length === 2 ? serverPorts() : undefined));
      const fresh = ports.find((p) => p !== port)!;
      assert.notEqual(fresh, busy);
      assert.equal(fresh, offered);
      assert.equal((await exchange(fresh, 'x', 1)).toString(), 'x');
    } finally {
      blocker.close();
    }
  });

  it('stops servers from the tree and frees their ports at once', async () => {
    const { page } = session();
    const ports = await serverPorts();
    for (const p of ports) {
      await clickInlineAction(treeRow(page, `127.0.0.1:${p}`), 'Stop Server');
      await waitFor(`server ${p} to leave the tree`, async () => !(await serverPorts()).includes(p) || undefined);
      assert.equal(await isListening(p), false, `nothing listens on ${p}`);
      assert.equal(await canListen(p), true, `port ${p} can be bound again`);
    }
    await serversPane(page).locator('.monaco-button', { hasText: 'Start Server…' }).waitFor({ state: 'visible' });
    await session().screenshot('06-stopped');
  });

  it('closes its servers and client terminals when the extension is deactivated (window reload)', async () => {
    const { page } = session();
    await startServerFromPalette('echo');
    const [p] = await waitFor('a server row', async () => ((await serverPorts()).length === 1 ? serverPorts() : undefined));
    await clickInlineAction(treeRow(page, SERVER_ROW), 'Open Client Terminal');
    await waitFor('the client process', async () => findProcesses(`client tcp 127.0.0.1:${p}`).length === 1 || undefined);
    await runCommand(page, 'Developer: Reload Window');
    await waitFor('the client process to end', async () => findProcesses(`client tcp 127.0.0.1:${p}`).length === 0 || undefined, 30_000);
    await waitFor('the port to be free', async () => !(await isListening(p!)) || undefined, 30_000);
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  });
});
