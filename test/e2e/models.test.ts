import assert from 'node:assert/strict';
import { findProcesses } from '../support/processes';
import { TestClient, udpExchange } from '../support/testClient';
import { serverPorts, startServerAndWait } from './support/servers';
import { session } from './support/session';
import { answer, clickInlineAction, openSocketLab, paneText, pick, runCommand, setPaneExpanded, treeRow, waitFor } from './support/workbench';

/** Connects n real clients and has each exchange one message, so each is being served. */
async function clients(port: number, n: number): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await TestClient.connect({ port });
    c.send(`client ${i}\n`);
    await c.bytes(9);
    out.push(c);
  }
  return out;
}

async function stopAll(port: number, open: TestClient[]): Promise<void> {
  const { page } = session();
  await clickInlineAction(treeRow(page, `127.0.0.1:${port}`), 'Stop Server');
  await Promise.all(open.map((c) => c.whenClosed()));
  await waitFor(`server ${port} to leave the tree`, async () => !(await serverPorts()).includes(port) || undefined);
}

describe('Concurrency models in a real VS Code', function () {
  // Each server lists a threads row and a traffic row above its connections: fold the views these
  // tests do not use, as a user would, so every connection row is in view.
  before(async () => {
    await openSocketLab(session().page);
    for (const title of ['Labs', 'Sync']) await setPaneExpanded(session().page, title, false);
  });
  after(async () => {
    for (const title of ['Labs', 'Sync']) await setPaneExpanded(session().page, title, true);
  });

  it('thread-per-connection: three clients, three threads blocked in recv, each row says who serves it', async () => {
    const { page } = session();
    await openSocketLab(page);
    const port = await startServerAndWait('echo', 'thread-per-connection');
    const open = await clients(port, 3);
    // The Servers view: each connection is served by its own thread, which is blocked in recv.
    const served = await waitFor(
      'three connections served by threads',
      async () => {
        const rows = (await paneText(page, 'Servers')).match(/served by Thread-\d+ \(ident \d+\) · blocked in recv/g);
        return rows?.length === 3 ? rows : undefined;
      },
      20_000,
    );
    assert.equal(new Set(served).size, 3, 'three different threads');
    // The Threads & Processes view: the same threads, under the server, each serving a client.
    await waitFor(
      'three threads serving in the Threads view',
      async () => (await paneText(page, 'Threads & Processes')).match(/Thread-\d+\s*blocked in recv \([\d.]+ s\) · serving 127\.0\.0\.1:\d+/g)?.length === 3 || undefined,
      20_000,
    );
    assert.match(await paneText(page, 'Threads & Processes'), /thread-per-connection server/);
    await session().screenshot('30-thread-per-connection');
    // The threads really serve: one more round trip each.
    for (const c of open) c.send('again\n');
    await Promise.all(open.map((c) => c.bytes(15)));
    await stopAll(port, open);
    await waitFor('its threads to leave the view', async () => !/serving 127\.0\.0\.1/.test(await paneText(page, 'Threads & Processes')) || undefined);
  });

  it('Start Server…: Unix datagram says why it is unavailable; a UDP thread-pool server answers and lists its peer', async () => {
    const { page } = session();
    await runCommand(page, 'Socket Lab: Start Server…');
    await pick(page, 'Unix datagram socket');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.innerText(), /Unix datagram sockets \(AF_UNIX, SOCK_DGRAM\) have no Node\.js API/);
    await session().screenshot('32-unix-datagram-unavailable');
    await page.keyboard.press('Escape');
    // The transport question comes back.
    await pick(page, 'UDP');
    await pick(page, 'thread-pool');
    await pick(page, 'echo');
    await answer(page, '(4/5)');
    await answer(page, '(5/5)');
    const port = await waitFor('the UDP server row', async () => {
      const m = /UDP 127\.0\.0\.1:(\d+)/.exec(await paneText(page, 'Servers'));
      return m ? Number(m[1]) : undefined;
    });
    assert.equal((await udpExchange(port, 'hello udp')).toString(), 'hello udp');
    await waitFor('the peer row, served by a pool thread', async () => /127\.0\.0\.1:\d+\s*served by Thread-\d+ \(ident \d+\) · ↓9 B ↑9 B · 1 msg/.test(await paneText(page, 'Servers')) || undefined);
    // The server's own row is refreshed at most once a second, so it may follow its peer row by up to that.
    await waitFor('the server row to count the peer', async () => /echo\s*threads\s*\d+ busy[^\n]*\s*traffic\s*1 peer/.test(await paneText(page, 'Servers')) || undefined);
    await session().screenshot('33-udp-thread-pool');
    await clickInlineAction(treeRow(page, `UDP 127.0.0.1:${port}`), 'Stop Server');
    await waitFor('the UDP server to leave the tree', async () => !(await paneText(page, 'Servers')).includes(`UDP 127.0.0.1:${port}`) || undefined);
  });

  it('process-per-connection: each connection is served by a real child process, shown with its pid', async () => {
    const { page } = session();
    const port = await startServerAndWait('echo', 'process-per-connection');
    const open = await clients(port, 3);
    const pids = await waitFor(
      'three connections served by processes',
      async () => {
        const m = [...(await paneText(page, 'Servers')).matchAll(/served by Process-\d+ \(pid (\d+)\)/g)].map((x) => Number(x[1]));
        return m.length === 3 ? m : undefined;
      },
      20_000,
    );
    assert.equal(new Set(pids).size, 3, 'three different children');
    const children = findProcesses('connection-process.js').map((p) => p.pid);
    for (const pid of pids) assert.ok(children.includes(pid), `pid ${pid} is a live connection-process child`);
    await waitFor(
      'the pids in the Threads view',
      async () => {
        const text = await paneText(page, 'Threads & Processes');
        return pids.every((pid) => new RegExp(`pid ${pid} · blocked in recv \\([\\d.]+ s\\) · serving 127\\.0\\.0\\.1`).test(text)) || undefined;
      },
      20_000,
    );
    await session().screenshot('31-process-per-connection');
    await stopAll(port, open);
    await waitFor('every child to exit', async () => findProcesses('connection-process.js').length === 0 || undefined, 20_000);
  });
});
