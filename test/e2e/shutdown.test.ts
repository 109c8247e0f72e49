import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { canListen, descendants, findProcesses, isAlive, isListening } from '../support/processes';
import { TestClient } from '../support/testClient';
import { startServerAndWait } from './support/servers';
import { session } from './support/session';
import { openSocketLab, pane, paneText, runCommand, runLabWithParameters, serversPane, setPaneExpanded, waitFor } from './support/workbench';

function extensionHosts(codeServerPid: number): number[] {
  return descendants(codeServerPid).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=extensionHost');
    } catch {
      return false;
    }
  });
}

/**
 * The remote extension host code-server runs this window's extensions in. An earlier test's
 * reload may leave the host before it still ending (stopping its servers): wait for it to go.
 */
async function extensionHost(codeServerPid: number): Promise<number> {
  const one = await waitFor('one extension host under code-server', async () => (extensionHosts(codeServerPid).length === 1 ? true : undefined), 30_000).catch(() => false);
  const hosts = extensionHosts(codeServerPid);
  assert.ok(one && hosts.length === 1, `one extension host under code-server, found ${hosts.join(', ')}`);
  return hosts[0]!;
}

/** The names of a process's threads (worker_threads carry the names Socket Lab gives them). */
function threadNames(pid: number): string[] {
  const names: string[] = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      names.push(fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim());
    } catch {
      // ended while we looked
    }
  }
  return names;
}

/** The threads in `now` beyond those in `before` (by name, counted). */
function extraThreads(before: readonly string[], now: readonly string[]): string[] {
  const left = [...before];
  return now.filter((name) => {
    const i = left.indexOf(name);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

/** Every process running one of the installed extension's scripts, whoever its parent is now. */
function extensionProcesses(): { pid: number; script: string }[] {
  const dist = path.join(session().runDir, 'extensions');
  return findProcesses(`${dist}/socket-lab.`).map((p) => ({ pid: p.pid, script: /dist\/([\w-]+\.js)/.exec(p.cmdline)?.[1] ?? p.cmdline }));
}

/** Socket Lab's log (Output → Socket Lab) of every extension host this session has run. */
function extensionLogs(): string {
  const logs = path.join(session().runDir, 'user-data', 'logs');
  const files = fs.readdirSync(logs, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(path.join('socket-lab.socket-lab', 'Socket Lab.log')));
  return files.map((f) => fs.readFileSync(path.join(logs, f), 'utf8')).join('\n');
}

function count(procs: readonly { script: string }[], script: string): number {
  return procs.filter((p) => p.script === script).length;
}

async function connectServed(port: number, n: number): Promise<TestClient[]> {
  const out: TestClient[] = [];
  for (let i = 0; i < n; i++) {
    const c = await TestClient.connect({ port });
    out.push(c);
    c.send(`client ${i}\n`);
    await c.bytes(9);
  }
  return out;
}

describe('Deactivation in a real VS Code (Developer: Reload Window)', function () {
  const clients: TestClient[] = [];

  after(() => {
    for (const c of clients) c.socket.destroy();
  });

  it('leaves no thread, child process or listening port of the old extension host behind', async function () {
    this.timeout(240_000);
    const { page, codeServer } = session();
    await openSocketLab(page);
    const host = await extensionHost(codeServer.pid);
    const baseline = threadNames(host);

    // A thread-per-connection and a process-per-connection server, each with three clients served.
    const threadPort = await startServerAndWait('echo', 'thread-per-connection');
    const processPort = await startServerAndWait('echo', 'process-per-connection');
    clients.push(...(await connectServed(threadPort, 3)), ...(await connectServed(processPort, 3)));

    // A Pool(3) of child processes, each busy with a 60 s task (the Pools view opens by itself).
    await runLabWithParameters(page, 'Pool: apply_async vs apply', ['3', '6', '60', '0'], 'apply_async');
    await waitFor('three busy pool workers', async () => /Pool\(3\) of processes\s*running · 3\/3 busy/.test(await paneText(page, 'Pools')) || undefined, 60_000);

    // The daemon lab: two threads and two child processes that sleep 30 s and 60 s.
    await runLabWithParameters(page, 'Daemon vs non-daemon', ['30', '60'], 'daemon');
    const before = await waitFor(
      'every server child, pool worker and lab process to run',
      async () => {
        const procs = extensionProcesses();
        return count(procs, 'connection-process.js') >= 3 && count(procs, 'pool-worker.js') === 3 && count(procs, 'process-worker.js') === 2 ? procs : undefined;
      },
      60_000,
    );
    // Three connection threads and the lab's two threads, at least, beyond what the host had.
    const threads = await waitFor(
      "the servers' and the lab's threads",
      async () => {
        const extra = extraThreads(baseline, threadNames(host));
        return extra.length >= 5 ? extra : undefined;
      },
      30_000,
    );
    assert.ok(
      before.every((p) => descendants(host).includes(p.pid)),
      'each is a child of the extension host',
    );
    await session().screenshot('80-before-reload');
    console.log(`      before the reload: extension host ${host} with ${threads.length} extra threads (${threads.join(', ')}); children: ${before.map((p) => `${p.pid} ${p.script}`).join(', ')}`);

    const reloaded = Date.now();
    await runCommand(page, 'Developer: Reload Window');
    // Everything of the old host ends: its ports, its clients' connections, its processes, its threads.
    await waitFor(
      "the old extension host's ports, connections, processes and threads to end",
      async () => {
        if ((await isListening(threadPort)) || (await isListening(processPort))) return undefined;
        if (clients.some((c) => !c.closed)) return undefined;
        if (before.some((p) => isAlive(p.pid)) || extensionProcesses().length > 0) return undefined;
        return !isAlive(host) || extraThreads(baseline, threadNames(host)).length === 0 || undefined;
      },
      30_000,
    );
    const clearMs = Date.now() - reloaded;
    const hostExited = await waitFor('the old extension host to exit', async () => !isAlive(host) || undefined, 10_000).catch(() => false);
    console.log(`      after the reload: all of it gone within ${clearMs} ms; the old extension host ${hostExited ? 'exited' : `lives on with ${threadNames(host).length} threads`}`);
    // Deactivation stopped the servers itself (their "stopped" lines), rather than leaving them
    // to die with the process.
    await waitFor(
      "the old host's log to say both servers stopped",
      async () => {
        const log = extensionLogs();
        return [threadPort, processPort].every((p) => new RegExp(`127\\.0\\.0\\.1:${p} \\([\\w-]+, echo\\) stopped`).test(log)) || undefined;
      },
      10_000,
    );
    assert.equal(await canListen(threadPort), true, `port ${threadPort} can be bound again`);
    assert.equal(await canListen(processPort), true, `port ${processPort} can be bound again`);

    // The new window starts with nothing running.
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // Not the activity-bar icon: while the restored sidebar is still being laid out, a click on
    // it would hide the sidebar instead.
    await runCommand(page, 'Socket Lab: Show Servers');
    await serversPane(page).locator('.monaco-button', { hasText: 'Start Server…' }).waitFor({ state: 'visible', timeout: 30_000 });
    await pane(page, 'Threads & Processes').locator('.monaco-button', { hasText: 'Run Lab…' }).waitFor({ state: 'visible' });
    assert.deepEqual(extensionProcesses(), [], "the new window's extension runs nothing of its own");
    await session().screenshot('81-after-reload');
    // As the other tests expect it: the Pools view folded.
    await setPaneExpanded(page, 'Pools', false);
  });
});
