import assert from 'node:assert/strict';
import { isAlive } from '../support/processes';
import { openLabsGroup } from './support/labsView';
import { clickTitleAction } from './support/menus';
import { session } from './support/session';
import { answer, clickInlineAction, openSocketLab, pane, paneRow, paneText, pick, runCommand, runLabFromPalette, setEventUntilPassed, setPaneExpanded, waitFor } from './support/workbench';

/** The Labs view's text on one line: outcomes are wrapped into several rows. */
const labsText = async (page: Parameters<typeof paneText>[0]) => (await paneText(page, 'Labs')).replace(/\s+/g, ' ');

describe('Labs, Threads & Processes and Sync views in a real VS Code', function () {
  after(async () => {
    await runCommand(session().page, 'Socket Lab: Stop Lab').catch(() => undefined);
  });

  it('lists the twelve labs in their groups; Run Lab Fast on "Race counter" shows lost updates without the lock and none with it', async () => {
    const { page } = session();
    await openSocketLab(page);
    // One group open at a time, as in a pane of the default height (rows out of view are not drawn).
    await openLabsGroup(page, 'Processes');
    await paneRow(page, 'Labs', 'Process memory isolation').waitFor({ state: 'visible' });
    await openLabsGroup(page, 'Threads');
    for (const title of ['Threads and join', 'Race counter', 'Event gate', 'Deadlock']) await paneRow(page, 'Labs', title).waitFor({ state: 'visible' });
    await clickInlineAction(paneRow(page, 'Labs', 'Race counter'), 'Run Lab Fast');
    const outcome = await waitFor(
      'the race outcome in the Labs view',
      async () => /Without a lock the counter reached (\d+) \((\d+) updates lost\); with the lock 8000 \(0 lost\)/.exec(await labsText(page)) ?? undefined,
      30_000,
    );
    assert.ok(Number(outcome[1]) < 8000 && Number(outcome[2]) > 0, `lost updates: ${outcome[0]}`);
    // The lab's lines stream to the "Socket Lab Labs" output (in front on request: an earlier run
    // in this window already showed it once).
    await clickTitleAction(page, 'Labs', 'Show Lab Output');
    await page
      .locator('.output-view, .panel')
      .getByText(/with\sa\slock:\scounter\s=\s8000/)
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 });
    await session().screenshot('20-race-lab');
  });

  it('Event gate: even threads wait on the Event in the Sync view until the user presses Set Event', async () => {
    const { page } = session();
    await runLabFromPalette(page, 'event gate', 'Event gate');
    for (const wave of [1, 2]) {
      const gate = paneRow(page, 'Sync', /gate.*Event · clear · 3 waiting/);
      await gate.waitFor({ state: 'visible', timeout: 30_000 });
      // What each thread is doing, and on what: the even ones wait for the gate.
      await waitFor(
        `wave ${wave} waiting in the Threads view`,
        async () => (await paneText(page, 'Threads & Processes')).match(new RegExp(`wave${wave}-T\\d\\s*waiting for gate`, 'g'))?.length === 3 || undefined,
      );
      if (wave === 1) await session().screenshot('21-event-gate-waiting');
      await setEventUntilPassed(page, gate, 'Sync', 'Set Event', `wave${wave}-T`);
    }
    await waitFor('the event-gate outcome', async () => (await labsText(page)).includes('In each of 2 waves, 3 of 6 threads waited at the gate') || undefined, 30_000);
    await session().screenshot('22-event-gate-done');
  });

  it('Deadlock: the Threads view says who waits for what, held by whom; the Sync view marks the cycle; Stop Lab ends it', async () => {
    const { page } = session();
    await runLabFromPalette(page, 'deadlock', /^Deadlock/);
    await waitFor('T1 waiting for a lock held by T2', async () => /T1\s*waiting for Lock [AB] \([\d.]+ s, held by T2\)/.test(await paneText(page, 'Threads & Processes')) || undefined, 30_000);
    assert.match(await paneText(page, 'Threads & Processes'), /T2\s*waiting for Lock [AB] \([\d.]+ s, held by T1\)/);
    await waitFor('the locks marked as deadlocked', async () => ((await paneText(page, 'Sync')).match(/DEADLOCK · Lock · held by T\d/g)?.length ?? 0) === 2 || undefined);
    // An earlier run's outcome rows can push this lab's row out of view: fold, open its group.
    await openLabsGroup(page, 'Threads');
    await waitFor('the Labs row to say so', async () => (await paneText(page, 'Labs')).includes('running · deadlocked') || undefined);
    await session().screenshot('23-deadlock');
    await runCommand(page, 'Socket Lab: Stop Lab');
    await waitFor('the lab to stop', async () => /Deadlock\s*stopped/.test(await paneText(page, 'Labs')) || undefined);
    await waitFor('its threads to leave the view', async () => !/T1\s*waiting/.test(await paneText(page, 'Threads & Processes')) || undefined);
  });

  it('Pool lab: the Pools view shows the queue and 5 busy workers with their tasks; the outcome gives both timings', async function () {
    this.timeout(120_000);
    const { page } = session();
    await openSocketLab(page);
    // Five views share the sidebar: fold the ones this lab does not use, as a user would.
    const show = async (titles: string[], expanded: boolean) => {
      for (const title of titles) await setPaneExpanded(page, title, expanded);
    };
    await show(['Servers', 'Sync', 'Threads & Processes'], false);
    try {
      await runLabFromPalette(page, 'apply_async', /^Pool: apply_async vs apply/);
      await show(['Labs'], false);
      // The issue's own lab: Pool(5), 10 tasks of 2 s. The Pools view opens by itself: first the
      // queue (workers are still starting), then five real child processes each running a task.
      let sawQueue = false;
      const text = await waitFor(
        'a queue, then five busy workers',
        async () => {
          const t = await paneText(page, 'Pools');
          sawQueue ||= /Pool\(5\) of processes\s*running · \d\/5 busy · \d+ queued \(oldest [\d.]+ s\)/.test(t);
          return sawQueue && /running · 5\/5 busy/.test(t) ? t : undefined;
        },
        30_000,
      );
      // The pool's own row counts 5 busy; the worker rows that fit in the pane each show a real
      // process, its task and for how long it has run.
      const workers = text.split('\n').filter((l) => l.startsWith('PoolWorker-'));
      assert.ok(workers.length >= 3, JSON.stringify(text));
      for (const w of workers) assert.match(w, /^PoolWorker-\d+pid \d+ · busy · sleep\(\d, 2\) \([\d.]+ s\) · \d+ done$/);
      await session().screenshot('25-pool-lab');
      await show(['Labs'], true);
      await waitFor('the pool outcome', async () => /apply_async took [\d.]+ s \(≈ 2 × 2 s\); apply took [\d.]+ s \(≈ 10 × 2 s\)/.test(await labsText(page)) || undefined, 60_000);
      const outcome = /apply_async took ([\d.]+) s.*apply took ([\d.]+) s/.exec(await labsText(page))!;
      assert.ok(Number(outcome[1]) >= 4 && Number(outcome[1]) < 7, outcome[0]);
      assert.ok(Number(outcome[2]) >= 20, outcome[0]);
    } finally {
      await show(['Servers', 'Sync', 'Threads & Processes', 'Labs'], true);
      await setPaneExpanded(page, 'Pools', false);
    }
  });

  it('processes show their pid; Kill Thread or Process ends a real child process (exitcode -9)', async () => {
    const { page } = session();
    await runCommand(page, 'Socket Lab: Run Lab with Parameters…');
    await page.locator('.quick-input-widget input').fill('daemon');
    await pick(page, /^Daemon vs non-daemon/);
    await answer(page, '(1/2)', '20');
    await answer(page, '(2/2)', '60');
    const row = paneRow(page, 'Threads & Processes', /^child\s*pid \d+/);
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    const pid = Number(/pid (\d+)/.exec(await row.innerText())![1]);
    assert.equal(isAlive(pid), true, `process ${pid} is real and alive`);
    await session().screenshot('24-processes');
    await clickInlineAction(row, 'Kill Thread or Process');
    await waitFor(`process ${pid} to end`, async () => !isAlive(pid) || undefined);
    await waitFor('the exit code in the view', async () => /child\s*pid \d+ · exited -9/.test(await paneText(page, 'Threads & Processes')) || undefined);
    await runCommand(page, 'Socket Lab: Stop Lab');
    // Its owner row in Threads & Processes (the Labs view's row may be out of a short pane's view).
    await waitFor('the lab to stop', async () => /Daemon vs non-daemon\s*(stopped|done)/.test(await paneText(page, 'Threads & Processes')) || undefined);
    assert.ok(await pane(page, 'Labs').isVisible());
  });
});
