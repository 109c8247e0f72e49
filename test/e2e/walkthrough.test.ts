import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { findProcesses } from '../support/processes';
import { SERVER_ROW } from './support/servers';
import { endSession, session, startSession } from './support/session';
import { answer, clickInlineAction, openSocketLab, pane, paneRow, paneText, pick, runCommand, setEventUntilPassed, setRowExpanded, waitFor } from './support/workbench';

// Issue 18 (points 1 and 2): a new user whose VS Code speaks Simplified Chinese opens Socket
// Lab, finds the walkthrough from the empty Servers view, and completes its steps by doing what
// they say — not by ticking them. A window and profile of its own: VS Code keeps a walkthrough's
// progress, and the other tests have started servers and labs in theirs.

const STEP_TITLES = ['启动一个 TCP 服务器', '连接一个客户端', '比较并发模型', '线程与锁', '亲手设置一个 Event', '进程', '进程池', '你自己的 Python 程序'];

function walkthrough(page: Page): Locator {
  return page.locator('.gettingStartedContainer');
}

function step(page: Page, id: string): Locator {
  return walkthrough(page).locator(`button.getting-started-step[data-step-id$="#${id}"]`);
}

async function checked(page: Page, id: string): Promise<boolean> {
  return (await step(page, id).getAttribute('aria-checked')) === 'true';
}

/** Opens a step (its text and buttons show) and presses one of its buttons. */
async function pressInStep(page: Page, id: string, button: string): Promise<void> {
  const s = step(page, id);
  if ((await s.getAttribute('aria-expanded')) !== 'true') await s.click();
  await s
    .getByRole('button', { name: button })
    .or(s.locator('.button-link', { hasText: button }))
    .first()
    .click();
}

async function startServerFromStep(page: Page, id: string, model: string): Promise<number> {
  const ports = async () =>
    (await paneText(page, '服务器'))
      .split('\n')
      .map((t) => SERVER_ROW.exec(t))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]));
  const before = new Set(await ports());
  await pressInStep(page, id, '启动服务器…');
  // The flow asks in Chinese too (l10n/bundle.l10n.zh-cn.json).
  await page.locator('.quick-input-widget .quick-input-title', { hasText: '启动服务器 (1/5)：传输方式' }).waitFor({ state: 'visible' });
  await pick(page, 'TCP');
  await pick(page, model);
  await pick(page, 'echo');
  await answer(page, '(4/5)');
  await answer(page, '(5/5)');
  return waitFor('the new server row', async () => (await ports()).find((p) => !before.has(p)));
}

describe('The walkthrough in Chinese: found from the empty Servers view, each step done by doing it', function () {
  this.timeout(300_000);

  before(async function () {
    this.timeout(300_000);
    await endSession();
    await startSession({ locale: 'zh-cn' });
  });

  after(async function () {
    this.timeout(300_000);
    const page = session().page;
    await runCommand(page, 'Socket Lab: 停止所有服务器').catch(() => undefined);
    await endSession();
    await startSession();
  });

  it('views, commands and the Start Server and Open Client flows in Chinese; start a server, connect a client, a second model, set an Event: those steps are ticked, the others not', async () => {
    const { page } = session();
    await page.locator('.activitybar [aria-label^="Socket Lab"]').first().click();
    for (const title of ['服务器', '实验', '线程与进程', '同步']) await pane(page, title).waitFor({ state: 'visible', timeout: 30_000 });
    // The empty Servers view says what to do first, in Chinese, with the way to the walkthrough.
    const welcome = pane(page, '服务器').locator('.welcome-view-content');
    await welcome.getByText('没有正在运行的服务器。').waitFor({ state: 'visible' });
    await welcome
      .getByRole('link', { name: '打开入门指南' })
      .or(welcome.locator('a', { hasText: '打开入门指南' }))
      .first()
      .click();

    await walkthrough(page).getByText('用 Socket Lab 学习套接字与并发').first().waitFor({ state: 'visible', timeout: 30_000 });
    for (const title of STEP_TITLES) await walkthrough(page).getByText(title, { exact: true }).first().waitFor({ state: 'visible' });
    for (const id of ['server', 'client', 'models', 'threads', 'event', 'processes', 'pools', 'python']) assert.equal(await checked(page, id), false, `${id} starts unticked`);
    await session().screenshot('80-walkthrough-zh-cn');

    // 1. A server, from the step's own button.
    const port = await startServerFromStep(page, 'server', 'event-loop');
    await waitFor('the server step ticked', async () => (await checked(page, 'server')) || undefined);
    assert.equal(await checked(page, 'client'), false, 'a server alone does not tick the client step');

    // 2. A client: Open Client… from the step, to the server just started.
    await pressInStep(page, 'client', '打开客户端…');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: '打开客户端 (1/2)：传输方式' }).waitFor({ state: 'visible' });
    await pick(page, 'TCP');
    await answer(page, '(2/2)', `127.0.0.1:${port}`);
    await waitFor('the client process', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 1 || undefined);
    await waitFor('the client step ticked', async () => (await checked(page, 'client')) || undefined);
    assert.equal(await checked(page, 'models'), false, 'one model so far');

    // 3. A second model.
    await startServerFromStep(page, 'models', 'thread-per-connection');
    await waitFor('the models step ticked', async () => (await checked(page, 'models')) || undefined);

    // 4–5. The Event lab from its step; the user sets the Event from its row in Sync (both waves).
    await pressInStep(page, 'event', '运行 Event 实验');
    for (const wave of [1, 2]) {
      const gate = paneRow(page, '同步', /gate.*Event · 未设置 · 3 个等待/);
      await gate.waitFor({ state: 'visible', timeout: 30_000 });
      await setEventUntilPassed(page, gate, '同步', '设置 Event', `wave${wave}-T`);
    }
    await waitFor('the event step ticked', async () => (await checked(page, 'event')) || undefined);
    // The lab ran to its end: a threads lab, so the threads step too.
    await waitFor('the threads step ticked', async () => (await checked(page, 'threads')) || undefined, 30_000);
    for (const id of ['processes', 'pools', 'python']) assert.equal(await checked(page, id), false, `${id} is not done: nothing was done for it`);
    await session().screenshot('81-walkthrough-zh-cn-progress');

    await runCommand(page, 'Terminal: Kill All Terminals');
    await waitFor('the client to end', async () => findProcesses(`client tcp 127.0.0.1:${port}`).length === 0 || undefined);
  });

  it("the dashboard, a lab's outcome, its threads' states and Run in Python, all in Chinese with the tutorials' terms as written", async () => {
    const { page } = session();
    // A newcomer opens the dashboard first, then starts things.
    await runCommand(page, 'Socket Lab: 打开仪表板');
    const dash = page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
    for (const tab of ['时间线', '图表', '锁（Lock）', '跟踪数据流']) await dash.locator('vscode-tab-header', { hasText: tab }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await dash.getByText('持有锁').first().waitFor({ state: 'visible' });

    await openSocketLab(page, '服务器');
    const threadsGroup = paneRow(page, '实验', /^线程\s*\d+ 个实验/);
    await threadsGroup.waitFor({ state: 'visible', timeout: 30_000 });
    await setRowExpanded(threadsGroup, true);
    const race = paneRow(page, '实验', '竞争计数器');
    await race.click();
    await clickInlineAction(race, '运行实验');
    // At the watch pace the threads queue on the Lock: their rows say so in Chinese.
    await waitFor('a thread waiting for the lock, in Chinese', async () => /等待 counter lock/.test(await paneText(page, '线程与进程')) || undefined, 60_000);
    await runCommand(page, 'Socket Lab: 停止实验');
    await clickInlineAction(race, '快速运行实验');
    const outcome = await waitFor(
      'the race outcome in Chinese',
      async () => /应为 8000。\s*不加锁时计数器只到 (\d+)（丢失 (\d+)\s*次更新）；\s*加锁时为 8000（丢失 0 次）。/.exec((await paneText(page, '实验')).replace(/\n/g, ' ')) ?? undefined,
      60_000,
    );
    assert.ok(Number(outcome[1]) < 8000, outcome[0]);
    await session().screenshot('82-lab-outcome-zh-cn');

    // The lab beside its Python program, the page in Chinese.
    await race.click();
    await clickInlineAction(race, '在 Python 中运行，与实验并排');
    const twin = await waitFor('the Run in Python page', async () => {
      const frames = page.locator('iframe.webview.ready');
      for (let i = 0; i < (await frames.count()); i++) {
        const inner = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('iframe#active-frame');
        if ((await inner.locator('#note').count()) > 0) return inner;
      }
      return undefined;
    });
    assert.match(await twin.locator('#note').innerText(), /^Node 实验在这里是模仿的：/);
    await twin.locator('#python .outcome', { hasText: '结果' }).waitFor({ state: 'visible', timeout: 90_000 });
    assert.match(await twin.locator('#node .outcome').innerText(), /^结果: 应为 8000。/);
    assert.match(await twin.locator('#python .outcome').innerText(), /without a lock \d+ updates lost; with the lock 0/);
    await session().screenshot('83-run-in-python-zh-cn');
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
  });
});
