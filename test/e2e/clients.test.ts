import assert from 'node:assert/strict';
import net from 'node:net';
import { findProcesses, isListening } from '../support/processes';
import { SERVER_ROW, startServerAndWait } from './support/servers';
import { session } from './support/session';
import { answer, clickInlineAction, openSocketLab, pick, runCommand, terminalText, treeRow, waitFor, waitForNoVisibleTerminal } from './support/workbench';

async function typeInTerminal(text: string): Promise<void> {
  const { page } = session();
  await page.locator('.terminal-wrapper.active .xterm, .xterm:visible').first().click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

describe('Clients and load tests in a real VS Code', function () {
  // Whatever happens here, the next suite starts with no servers and no terminals.
  after(async () => {
    const { page } = session();
    await runCommand(page, 'Socket Lab: Stop All Servers').catch(() => undefined);
    await runCommand(page, 'Terminal: Kill All Terminals').catch(() => undefined);
  });

  it('Open Client… connects to any host:port — here a plain Node server that is not Socket Lab’s', async () => {
    const { page } = session();
    const own = net.createServer((c) => c.on('data', (d) => c.write(`you said ${d.toString().trim()}\n`)));
    await new Promise<void>((r) => own.listen(0, '127.0.0.1', () => r()));
    const port = (own.address() as net.AddressInfo).port;
    try {
      await runCommand(page, 'Socket Lab: Open Client…');
      await pick(page, 'TCP');
      await answer(page, '(2/2)', `127.0.0.1:${port}`);
      await waitFor('the client process', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 1 || undefined);
      await waitFor('the prompt', async () => (await terminalText(page)).includes('>>') || undefined);
      await typeInTerminal('ping');
      // The reply, with its round-trip time.
      const text = await waitFor('the reply', async () => {
        const t = await terminalText(page);
        return /you said ping\s+\(\d+\.\d\d ms\)/.test(t) ? t : undefined;
      });
      assert.match(text, /connected to tcp 127\.0\.0\.1:\d+/);
      await session().screenshot('10-open-client-any-server');
      await typeInTerminal(':quit');
      await waitFor('the client to exit', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 0 || undefined);
      await waitForNoVisibleTerminal(page);
    } finally {
      own.close();
    }
  });

  it('Open N Clients… opens three client terminals that all show up as connections', async () => {
    const { page } = session();
    await openSocketLab(page);
    const port = await startServerAndWait('echo');
    await runCommand(page, 'Socket Lab: Open N Clients…');
    await answer(page, 'Open N Clients', '3');
    await waitFor('three client processes', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 3 || undefined);
    await waitFor('three connections in the tree', async () => /3 conns/.test(await treeRow(page, /^traffic/).innerText()) || undefined);
    await session().screenshot('11-three-clients');
    await runCommand(page, 'Terminal: Kill All Terminals');
    await waitFor('the clients to end', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 0 || undefined);
    await waitForNoVisibleTerminal(page);
  });

  it('Load Test… runs the load generator in a terminal while the traffic row under the server shows the load live', async () => {
    const { page } = session();
    await clickInlineAction(treeRow(page, SERVER_ROW), 'Load Test…');
    await answer(page, '(1/2)', '10');
    await answer(page, '(2/2)', '4');
    // The live figures are on the server's traffic row (refreshing it alone refetches nothing).
    await waitFor('msgs/s on the traffic row', async () => /[\d.]+ k msgs\/s/.test(await treeRow(page, /^traffic/).innerText()) || undefined);
    await session().screenshot('12-load-test-running');
    const text = await waitFor(
      'the load test result',
      async () => {
        const t = await terminalText(page);
        return t.includes('errors:') ? t : undefined;
      },
      30_000,
    );
    assert.match(text, /result: [\d,]+ msgs\/s/);
    assert.match(text, /0 corrupt, 0 missing/);
    assert.match(text, /errors: none/);
    await session().screenshot('13-load-test-result');
    await typeInTerminal(''); // any key closes the held terminal
    await waitForNoVisibleTerminal(page);
    // Once the load stops, the row stops claiming it.
    await waitFor('the rate to clear', async () => !/msgs\/s/.test(await treeRow(page, SERVER_ROW).innerText()) || undefined, 10_000);
  });

  it('offers a "Socket Lab client" terminal profile', async () => {
    const { page } = session();
    const port = Number(SERVER_ROW.exec(await treeRow(page, SERVER_ROW).innerText())![1]);
    await runCommand(page, 'Create New Terminal (With Profile)');
    await pick(page, 'Socket Lab client');
    await pick(page, 'TCP');
    await answer(page, '(2/2)', `127.0.0.1:${port}`);
    await waitFor('the client process', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 1 || undefined);
    await waitFor('a connection in the tree', async () => /1 conn\b/.test(await treeRow(page, /^traffic/).innerText()) || undefined);
    await runCommand(page, 'Socket Lab: Stop All Servers');
    await waitFor('the port to be free', async () => !(await isListening(port)) || undefined);
    await runCommand(page, 'Terminal: Focus Terminal');
    await waitFor('the client to see the close', async () => (await terminalText(page)).includes('connection closed by') || undefined);
    await runCommand(page, 'Terminal: Kill All Terminals');
    await waitFor('the client to end', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 0 || undefined);
  });
});
