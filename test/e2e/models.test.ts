import assert from 'node:assert/strict';
import { findProcesses } from '../support/processes';
import { TestClient } from '../support/testClient';
import { serverPorts, startServerAndWait } from './support/servers';
import { session } from './support/session';
import { clickInlineAction, openSocketLab, paneText, treeRow, waitFor } from './support/workbench';

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
  it('thread-per-connection: three clients, three threads blocked in recv, each row says who serves it', async () => {
    const { page } = session();
    await openSocketLab(page);
    const port = await startServerAndWait('echo', 'thread-per-connection');
    const open = await clients(port, 3);
    // The Servers view: each connection is served by its own thread, which is blocked in recv.
    const served = await waitFor('three connections served by threads', async () => {
      const rows = (await paneText(page, 'Servers')).match(/served by Thread-\d+ \(ident \d+\) · blocked in recv/g);
      return rows?.length === 3 ? rows : undefined;
    }, 20_000);
    assert.equal(new Set(served).size, 3, 'three different threads');
    // The Threads & Processes view: the same threads, under the server, each serving a client.
    await waitFor('three threads serving in the Threads view', async () => ((await paneText(page, 'Threads & Processes')).match(/Thread-\d+\s*blocked in recv \([\d.]+ s\) · serving 127\.0\.0\.1:\d+/g)?.length === 3) || undefined, 20_000);
    assert.match(await paneText(page, 'Threads & Processes'), /thread-per-connection server/);
    await session().screenshot('30-thread-per-connection');
    // The threads really serve: one more round trip each.
    for (const c of open) c.send('again\n');
    await Promise.all(open.map((c) => c.bytes(15)));
    await stopAll(port, open);
    await waitFor('its threads to leave the view', async () => !/serving 127\.0\.0\.1/.test(await paneText(page, 'Threads & Processes')) || undefined);
  });

  it('process-per-connection: each connection is served by a real child process, shown with its pid', async () => {
    const { page } = session();
    const port = await startServerAndWait('echo', 'process-per-connection');
    const open = await clients(port, 3);
    const pids = await waitFor('three connections served by processes', async () => {
      const m = [...(await paneText(page, 'Servers')).matchAll(/served by Process-\d+ \(pid (\d+)\)/g)].map((x) => Number(x[1]));
      return m.length === 3 ? m : undefined;
    }, 20_000);
    assert.equal(new Set(pids).size, 3, 'three different children');
    const children = findProcesses('connection-process.js').map((p) => p.pid);
    for (const pid of pids) assert.ok(children.includes(pid), `pid ${pid} is a live connection-process child`);
    await waitFor('the pids in the Threads view', async () => {
      const text = await paneText(page, 'Threads & Processes');
      return pids.every((pid) => new RegExp(`pid ${pid} · blocked in recv \\([\\d.]+ s\\) · serving 127\\.0\\.0\\.1`).test(text)) || undefined;
    }, 20_000);
    await session().screenshot('31-process-per-connection');
    await stopAll(port, open);
    await waitFor('every child to exit', async () => findProcesses('connection-process.js').length === 0 || undefined, 20_000);
  });
});
