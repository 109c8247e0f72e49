import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { TestClient } from '../support/testClient';
import { serverPorts, startServerAndWait } from './support/servers';
import { session } from './support/session';
import { clickInlineAction, contextAction, openSocketLab, pane, paneRow, paneText, pick, runCommand, runLabFromPalette, treeRow, waitFor } from './support/workbench';

async function viewAction(page: Page, view: string, title: string): Promise<void> {
  const p = pane(page, view);
  await p.locator('.pane-header').hover();
  await p.locator(`.pane-header .action-label[aria-label^="${title}"]`).first().click();
}

function selected(page: Page, view: string, text: string | RegExp): Locator {
  return pane(page, view).locator('.monaco-list-row.selected', { hasText: text });
}

describe('Inspector trees in a real VS Code: cross-links, filters, grouping', function () {
  this.timeout(120_000);

  it("Deadlock: a lock's holder row reveals the thread; a thread reveals the lock it waits for; the filter lists only lock waiters", async () => {
    const { page } = session();
    await openSocketLab(page);
    await runLabFromPalette(page, 'deadlock', /^Deadlock/);
    await waitFor('the deadlock in the Sync view', async () => ((await paneText(page, 'Sync')).match(/DEADLOCK/g)?.length ?? 0) === 2 || undefined, 30_000);
    // Sync → Threads: click "holder: T1" under a lock.
    // A click on a row the live tree re-rendered under the pointer can be lost: click again.
    const t1Selected = async () => (await selected(page, 'Threads & Processes', /^T1/).count()) > 0 || undefined;
    for (let attempt = 1; ; attempt++) {
      await paneRow(page, 'Sync', 'holder: T1').click();
      if (
        await waitFor('T1 selected in Threads & Processes', t1Selected, 5000).then(
          () => true,
          () => false,
        )
      )
        break;
      if (attempt >= 3) throw new Error('T1 was not selected in Threads & Processes after three clicks on "holder: T1"');
    }
    // Threads → Sync: T1 waits for the lock T2 holds.
    const t1 = paneRow(page, 'Threads & Processes', /T1\s*waiting for Lock/);
    const wanted = /waiting for (Lock [AB])/.exec(await t1.innerText())![1]!;
    await contextAction(page, t1, 'Reveal What It Waits For');
    await waitFor(`${wanted} selected in Sync`, async () => (await selected(page, 'Sync', wanted).count()) > 0 || undefined);
    // Sync → Threads again, by the lock's context action.
    await contextAction(page, paneRow(page, 'Sync', new RegExp(`${wanted}\\s*DEADLOCK`)), 'Reveal Holder');
    await waitFor('T2 selected', async () => (await selected(page, 'Threads & Processes', /^T2/).count()) > 0 || undefined);
    // Filter: only threads waiting for a lock (MainThread, which is joining, leaves the list).
    await viewAction(page, 'Threads & Processes', 'Filter by State');
    await pick(page, 'Waiting for a lock or semaphore');
    await waitFor('the filtered list', async () => {
      const text = await paneText(page, 'Threads & Processes');
      return (/T1/.test(text) && /T2/.test(text) && !/MainThread/.test(text)) || undefined;
    });
    assert.match(await pane(page, 'Threads & Processes').locator('.pane-header').innerText(), /filter: waiting for a lock/i);
    await session().screenshot('45-threads-filtered');
    await viewAction(page, 'Threads & Processes', 'Filter by State');
    await pick(page, 'All threads and processes');
    await runCommand(page, 'Socket Lab: Stop Lab');
    await waitFor('the lab to stop', async () => !/T1\s*waiting/.test(await paneText(page, 'Threads & Processes')) || undefined, 20_000);
  });

  it('450 connections are grouped in ranges of 200; a connection reveals the thread serving it', async () => {
    const { page } = session();
    const port = await startServerAndWait('echo', 'event-loop');
    const clients = await Promise.all(Array.from({ length: 450 }, () => TestClient.connect({ port })));
    try {
      for (const title of ['connections 1–200', 'connections 201–400', 'connections 401–450']) await paneRow(page, 'Servers', title).waitFor({ state: 'visible', timeout: 20_000 });
      assert.match(await paneRow(page, 'Servers', 'connections 401–450').innerText(), /of 450/);
      await session().screenshot('46-connection-ranges');
    } finally {
      for (const c of clients) c.close();
    }
    await clickInlineAction(treeRow(page, `127.0.0.1:${port}`), 'Stop Server');
    await waitFor(`server ${port} to leave the tree`, async () => !(await serverPorts()).includes(port) || undefined);

    const tport = await startServerAndWait('echo', 'thread-per-connection');
    const c = await TestClient.connect({ port: tport });
    try {
      c.send('hi\n');
      await c.bytes(3);
      const row = paneRow(page, 'Servers', /served by (Thread-\d+)/);
      const thread = /served by (Thread-\d+)/.exec(await row.innerText())![1]!;
      await contextAction(page, row, 'Reveal Serving Thread');
      await waitFor(`${thread} selected`, async () => (await selected(page, 'Threads & Processes', new RegExp(`^${thread}`)).count()) > 0 || undefined);
    } finally {
      // Whatever failed, the next tests start with no server of ours.
      c.close();
      await clickInlineAction(treeRow(page, `127.0.0.1:${tport}`), 'Stop Server');
      await waitFor(`server ${tport} to leave the tree`, async () => !(await serverPorts()).includes(tport) || undefined);
    }
  });
});
