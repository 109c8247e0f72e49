import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { findProcesses, isListening } from '../support/processes';
import { session } from './support/session';
import { clickInlineAction, contextAction, openFile, openSocketLab, paneRow, paneText, runCommand, setPaneExpanded, terminalText, treeRow, treeRowTexts, waitFor } from './support/workbench';

/** A free loopback port for a learner's program that binds a fixed one, as the tutorials' do. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/**
 * After each test: no program of it still runs, and its group has left the Servers view (the
 * retention window), so the tests after these see the views as they left them.
 */
async function programsGone(): Promise<void> {
  for (const p of findProcesses('-m socketlab_trace')) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const { page } = session();
  await openSocketLab(page);
  await waitFor('the programs to leave the Servers view', async () => !(await treeRowTexts(page)).some((t) => /\.py.*pid \d+/.test(t)) || undefined, 30_000);
}

/**
 * Types a line into the active terminal (focused by command: a row's hover may cover it) and
 * presses Enter once the line reads back whole: a first key can be lost while the terminal takes
 * the keyboard, and is then typed again.
 */
async function typeLine(page: Page, text: string): Promise<void> {
  await runCommand(page, 'Terminal: Focus Terminal');
  await waitFor('the terminal to have the keyboard', async () => (await page.evaluate("document.activeElement?.classList.contains('xterm-helper-textarea') === true")) || undefined);
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.type(text);
    const typed = await waitFor('the line to read back', async () => (await terminalText(page)).trimEnd().endsWith(`>> ${text}`) || undefined, 3000).catch(() => false);
    if (typed) break;
    if (attempt >= 3) throw new Error(`"${text}" did not reach the terminal: ${(await terminalText(page)).slice(-200)}`);
    for (let i = 0; i < text.length + 2; i++) await page.keyboard.press('Backspace');
  }
  await page.keyboard.press('Enter');
}

describe('Real Python, live: the learner’s own program in a real VS Code', function () {
  this.timeout(180_000);
  afterEach(programsGone);

  it('runs a ThreadingTCPServer upper server from the editor’s Run button; two client terminals show up as connections with their serving threads; Stop ends it and frees the port', async () => {
    const { page, workspace } = session();
    await openSocketLab(page);
    await runCommand(page, 'View: Close All Editors');
    const port = await freePort();
    const file = 'upper_server.py';
    // The tutorials' style: a fixed port, recv in a loop, UTF-8 decode and upper().
    fs.writeFileSync(
      path.join(workspace, file),
      [
        'import socketserver',
        '',
        'class MyTCPHandler(socketserver.BaseRequestHandler):',
        '    def handle(self):',
        '        while True:',
        '            data = self.request.recv(1024)',
        '            if not data:',
        '                break',
        "            self.request.sendall(data.decode('utf-8').upper().encode('utf-8'))",
        '',
        "if __name__ == '__main__':",
        `    with socketserver.ThreadingTCPServer(('127.0.0.1', ${port}), MyTCPHandler) as server:`,
        "        print('serving on', server.server_address, flush=True)",
        '        server.serve_forever()',
        '',
      ].join('\n'),
    );
    await openFile(page, session().workspace, file);
    // The editor's title bar: Run Python File.
    await page.locator('.editor-actions .action-label[aria-label^="Run Python File"]').first().click();
    await waitFor('the program to print in its terminal', async () => (await terminalText(page)).includes(`serving on ('127.0.0.1', ${port})`) || undefined, 30_000);

    // Servers: the program's group, its listening socket under it.
    await openSocketLab(page);
    const program = treeRow(page, new RegExp(`^${file.replace('.', '\\.')}.*pid \\d+ · running`));
    await program.waitFor({ state: 'visible', timeout: 30_000 });
    const server = treeRow(page, new RegExp(`TCP 127\\.0\\.0\\.1:${port}(?!\\d)`));
    await server.waitFor({ state: 'visible' });
    assert.match(await server.innerText(), /MyTCPHandler/);

    // Two client terminals, as a newcomer opens them: select the row, then its action.
    for (const word of ['hello', 'world']) {
      await server.click();
      await clickInlineAction(server, 'Open Client Terminal');
      await waitFor('the client to connect', async () => (await terminalText(page)).includes(`connected to tcp 127.0.0.1:${port}`) || undefined, 20_000);
      await typeLine(page, word);
      await waitFor(`the server's ${word.toUpperCase()}`, async () => (await terminalText(page)).includes(word.toUpperCase()) || undefined);
    }
    const connections = async () =>
      (await page
        .locator('.pane', { hasText: 'Servers' })
        .first()
        .locator('.monaco-list-row', { hasText: /served by Thread-\d+ \(process_request_thread\) · blocked in recv/ })
        .count()) === 2;
    await waitFor('both connections with their serving threads blocked in recv', async () => (await connections()) || undefined, 20_000);
    await session().screenshot('70-python-servers');

    // Threads & Processes: the program's threads, the two serving ones blocked in recv.
    await paneRow(page, 'Threads & Processes', /Thread-\d+ \(process_request_thread\).*blocked in recv/).waitFor({ state: 'visible', timeout: 20_000 });
    const threads = await paneText(page, 'Threads & Processes');
    assert.equal((threads.match(/process_request_thread\)[^\n]*blocked in recv/g) ?? []).length, 2, threads);
    assert.match(threads, /MainThread[^\n]*in select/, threads);
    await session().screenshot('71-python-threads');

    const pids = findProcesses(file).map((p) => p.pid);
    assert.ok(pids.length > 0, 'the program runs');
    await program.click();
    await clickInlineAction(program, 'Stop Program');
    await waitFor('the program to end', async () => (await treeRow(page, new RegExp(`^${file.replace('.', '\\.')}.*ended by signal 15`)).count()) > 0 || undefined, 20_000);
    await waitFor('no process of the program left', async () => findProcesses(`socketlab_trace ${path.join(workspace, file)}`).length === 0 || undefined, 20_000);
    await waitFor('the port to be free', async () => !(await isListening(port)) || undefined);
  });
});

describe('Real Python, live: a deadlock and a Pool from the palette', function () {
  this.timeout(180_000);
  afterEach(programsGone);

  async function runFromPalette(page: Page, name: string, source: string): Promise<void> {
    fs.writeFileSync(path.join(session().workspace, name), source);
    await runCommand(page, 'View: Close All Editors');
    await openFile(page, session().workspace, name);
    await runCommand(page, 'Socket Lab: Run Python File');
  }

  it('a two-lock deadlock: Threads says who waits for which lock held by whom, Sync marks both locks, Stop ends it', async () => {
    const { page } = session();
    await openSocketLab(page);
    await runFromPalette(
      page,
      'deadlock_demo.py',
      [
        'import threading, time',
        'lock_a = threading.Lock()',
        'lock_b = threading.Lock()',
        'def one():',
        '    with lock_a:',
        '        time.sleep(0.2)',
        '        with lock_b:',
        '            pass',
        'def two():',
        '    with lock_b:',
        '        time.sleep(0.2)',
        '        with lock_a:',
        '            pass',
        "t1 = threading.Thread(target=one, name='T1')",
        "t2 = threading.Thread(target=two, name='T2')",
        't1.start(); t2.start()',
        't1.join(); t2.join()',
        '',
      ].join('\n'),
    );
    await paneRow(page, 'Threads & Processes', /T1.*waiting for lock_b.*held by T2/).waitFor({ state: 'visible', timeout: 30_000 });
    await paneRow(page, 'Threads & Processes', /T2.*waiting for lock_a.*held by T1/).waitFor({ state: 'visible' });
    await paneRow(page, 'Threads & Processes', /deadlock_demo\.py.*deadlocked/).waitFor({ state: 'visible' });
    await waitFor('both locks marked in Sync', async () => ((await paneText(page, 'Sync')).match(/DEADLOCK · Lock/g) ?? []).length === 2 || undefined, 20_000);
    await session().screenshot('72-python-deadlock');
    const owner = paneRow(page, 'Threads & Processes', /deadlock_demo\.py/);
    // The tooltip is asked for on hover (rows are drawn without it) and says what the cycle is.
    await owner.hover();
    await page
      .locator('.monaco-hover, .workbench-hover', { hasText: /a Python program, traced[\s\S]*Deadlock:.*T1/ })
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Escape');
    await owner.click();
    await clickInlineAction(owner, 'Stop Program');
    await paneRow(page, 'Threads & Processes', /deadlock_demo\.py.*ended by signal 15/).waitFor({ state: 'visible', timeout: 20_000 });
    // The terminal's launcher stays to show how it ended; the interpreter is gone.
    await waitFor('no process of the program left', async () => findProcesses(`socketlab_trace ${path.join(session().workspace, 'deadlock_demo.py')}`).length === 0 || undefined, 20_000);
  });

  it('a multiprocessing.Pool program: Pools shows the pool and its tasks, Threads its worker processes with pids; it exits 0', async () => {
    const { page } = session();
    await openSocketLab(page);
    await runFromPalette(
      page,
      'pool_demo.py',
      [
        'import multiprocessing, time',
        'def square(x):',
        '    time.sleep(0.3)',
        '    return x * x',
        "if __name__ == '__main__':",
        '    with multiprocessing.Pool(3) as workers:',
        '        print(sum(workers.map(square, range(12), chunksize=1)))',
        '',
      ].join('\n'),
    );
    await waitFor('the program to print its sum', async () => (await terminalText(page)).includes('506') || undefined, 60_000);
    await paneRow(page, 'Threads & Processes', /pool_demo\.py.*exited with code 0/).waitFor({ state: 'visible', timeout: 30_000 });
    // Eleven rows: more than the pane shows by default (rows out of view are not drawn).
    for (const p of ['Servers', 'Labs', 'Sync']) await setPaneExpanded(page, p, false);
    const threads = await paneText(page, 'Threads & Processes');
    for (const p of ['Servers', 'Labs', 'Sync']) await setPaneExpanded(page, p, true);
    assert.equal((threads.match(/ForkPoolWorker-\d+\s*pid \d+/g) ?? []).length, 3, threads);
    await setPaneExpanded(page, 'Pools', true);
    await waitFor('the pool in Pools', async () => /workers[\s\S]*12 done/.test(await paneText(page, 'Pools')) || undefined, 20_000).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nPools: ${await paneText(page, 'Pools')}`);
    });
    await session().screenshot('73-python-pool');
  });
});

describe('Real Python, live: every place Run Python File is offered', function () {
  this.timeout(180_000);
  afterEach(programsGone);

  /** Runs the program from one menu and waits for it to print its arguments and end with 0. */
  async function ranWith(page: Page, expected: string): Promise<void> {
    await waitFor(`the program to print ${expected}`, async () => (await terminalText(page)).includes(expected) || undefined, 30_000);
    await openSocketLab(page);
    await paneRow(page, 'Threads & Processes', /argv_demo\.py.*exited with code 0/).waitFor({ state: 'visible', timeout: 30_000 });
  }

  async function withArguments(page: Page, text: string): Promise<void> {
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Run Python File with Arguments' }).waitFor({ state: 'visible' });
    const input = page.locator('.quick-input-widget input');
    await input.fill(text);
    await input.press('Enter');
  }

  it('the Explorer’s and the editor’s context menus, with and without arguments (quoted words stay one argument)', async () => {
    const { page, workspace } = session();
    const name = 'argv_demo.py';
    fs.writeFileSync(path.join(workspace, name), "import sys\nprint('argv', sys.argv[1:])\n");
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'Terminal: Kill All Terminals');

    // The Explorer's context menu on the file.
    await runCommand(page, 'View: Show Explorer');
    // The Explorer learns of a file written behind its back when refreshed (its title button).
    await page.locator('.explorer-folders-view').first().waitFor({ state: 'visible' });
    await page.locator('.action-label[aria-label^="Refresh Explorer"]').first().click({ force: true });
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
    await contextAction(page, row, 'Run Python File');
    await ranWith(page, 'argv []');
    await runCommand(page, 'Terminal: Kill All Terminals');
    await runCommand(page, 'View: Show Explorer');
    await row.click();
    await contextAction(page, row, 'Run Python File with Arguments…');
    await withArguments(page, `one "two words"`);
    await ranWith(page, "argv ['one', 'two words']");
    await runCommand(page, 'Terminal: Kill All Terminals');

    // The editor's context menu, on the text.
    await openFile(page, session().workspace, name);
    const text = page.locator('.monaco-editor .view-lines').first();
    await contextAction(page, text, 'Run Python File');
    await ranWith(page, 'argv []');
    await runCommand(page, 'Terminal: Kill All Terminals');
    await openFile(page, session().workspace, name);
    await contextAction(page, text, 'Run Python File with Arguments…');
    await withArguments(page, `'single quoted' 3`);
    await ranWith(page, "argv ['single quoted', '3']");
    await runCommand(page, 'Terminal: Kill All Terminals');
  });
});
