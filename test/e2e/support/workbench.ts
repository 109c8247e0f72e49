import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

// What a user does in the workbench, in the user's terms. Selectors are VS Code's own DOM.

export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  // A closing terminal or notification can take focus and close the palette: open it again.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${title}`, { timeout: 5000 });
      // Exactly this command: the palette lists recently used ones first, so "Run Lab" could
      // otherwise run "Run Lab with Parameters…".
      const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      const row = page
        .locator('.quick-input-list .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: exact }) })
        .first();
      await row.waitFor({ state: 'visible', timeout: 5000 });
      // Move the focus onto it with the keyboard (as a user would), then Enter.
      const focused = page.locator('.quick-input-list:visible .monaco-list-row.focused .label-name').first();
      for (let i = 0; i < 10 && !exact.test(((await focused.textContent({ timeout: 5000 })) ?? '').trim()); i++) await input.press('ArrowDown', { timeout: 5000 });
      if (!exact.test(((await focused.textContent({ timeout: 5000 })) ?? '').trim())) throw new Error(`"${title}" could not be focused in the palette`);
      await input.press('Enter', { timeout: 5000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}

/** Picks an item in the open quick pick by its label (a string matches case-insensitively, anywhere). */
export async function pick(page: Page, label: string | RegExp): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
}

/**
 * Waits for the input box titled `step` (the widget is reused between steps, so an Enter sent
 * before the next step is shown would land on the previous one), sets `value`, presses Enter.
 */
export async function answer(page: Page, step: string, value?: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: step }).waitFor({ state: 'visible' });
  const input = page.locator('.quick-input-widget input');
  if (value !== undefined) await input.fill(value);
  await input.press('Enter');
}

export async function quickInputMessage(page: Page): Promise<string> {
  return (await page.locator('.quick-input-widget .quick-input-message').innerText()).trim();
}

export async function openSocketLab(page: Page, serversTitle = 'Servers'): Promise<void> {
  const servers = pane(page, serversTitle);
  // After a window reload the container can come back active but hidden: a click on its icon
  // then hides the sidebar instead of showing it, and the next click shows it.
  for (let attempt = 1; !(await servers.isVisible()); attempt++) {
    await page.locator('.activitybar [aria-label^="Socket Lab"]').first().click();
    const shown = await servers.waitFor({ state: 'visible', timeout: 10_000 }).then(
      () => true,
      () => false,
    );
    if (shown) return;
    if (attempt >= 3) throw new Error('the Socket Lab views did not show after three clicks on its icon');
  }
}

export function serversPane(page: Page): Locator {
  return pane(page, 'Servers');
}

/** A view of the Socket Lab container by its title (Servers, Labs, Threads & Processes, Sync). */
export function pane(page: Page, title: string): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) }).first();
}

/**
 * Expands or folds a view, whatever its state. Clicking the header toggles it; a click that lands
 * while a quick pick is closing is lost, so look at the state again and retry.
 */
export async function setPaneExpanded(page: Page, title: string, expanded: boolean): Promise<void> {
  const header = pane(page, title).locator('.pane-header');
  const isSet = async () => (await header.getAttribute('aria-expanded')) === String(expanded);
  for (let attempt = 1; !(await isSet()); attempt++) {
    await header.locator('.title').first().click();
    try {
      await waitFor(`the ${title} view to ${expanded ? 'expand' : 'fold'}`, async () => (await isSet()) || undefined, 1500);
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/** Expands or folds a tree row (a Labs group, a server) by clicking it, as a user would. */
export async function setRowExpanded(row: Locator, expanded: boolean): Promise<void> {
  await row.waitFor({ state: 'visible' });
  for (let attempt = 1; (await row.getAttribute('aria-expanded')) !== String(expanded); attempt++) {
    if (attempt > 3) throw new Error(`the row could not be ${expanded ? 'expanded' : 'folded'}`);
    // Pointing at the row first moves the pointer off whatever hover (a tooltip) covered it.
    await row.hover();
    await row
      .locator('.monaco-tl-twistie')
      .click({ timeout: 5000 })
      .catch(() => undefined);
    await waitFor('the row to toggle', async () => (await row.getAttribute('aria-expanded')) === String(expanded) || undefined, 2000).catch(() => undefined);
  }
}

export function paneRow(page: Page, title: string, text: string | RegExp): Locator {
  return pane(page, title).locator('.monaco-list-row', { hasText: text }).first();
}

/** The text of a view's rows, one per line (for assertions and failure messages). */
export async function paneText(page: Page, title: string): Promise<string> {
  return (await pane(page, title).locator('.monaco-list-row').allInnerTexts()).join('\n');
}

export function treeRow(page: Page, text: string | RegExp): Locator {
  return serversPane(page).locator('.monaco-list-row', { hasText: text }).first();
}

export async function treeRowTexts(page: Page): Promise<string[]> {
  return serversPane(page).locator('.monaco-list-row').allInnerTexts();
}

/** Hovers a row and clicks one of its inline actions (by the command title). */
export async function clickInlineAction(row: Locator, title: string): Promise<void> {
  // A live tree re-renders its rows: one re-rendered between the hover and the click is no longer
  // hovered, and its inline actions hide. Hover again and retry, a few times.
  for (let attempt = 1; ; attempt++) {
    await row.hover();
    const action = row.locator(`.actions .action-label[aria-label^="${title}"]`).first();
    try {
      await action.click({ timeout: 5000 });
      return;
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast', { hasText: text }).first();
}

/** The text of the visible terminal, read from xterm's accessibility tree. */
export async function terminalText(page: Page): Promise<string> {
  const rows = page.locator('.terminal-wrapper.active .xterm-accessibility-tree div, .xterm:visible .xterm-accessibility-tree div');
  return (await rows.allInnerTexts()).join('\n');
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  // The monotonic clock: this machine's wall clock can be stepped while a test waits.
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  while (performance.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until no terminal is shown (a closing terminal moves focus and can close a quick pick). */
export async function waitForNoVisibleTerminal(page: Page): Promise<void> {
  await waitFor('the terminal to close', async () => (await page.locator('.xterm:visible').count()) === 0 || undefined);
}

/**
 * Right-clicks a row and picks a context-menu action. VS Code ignores a click that comes right
 * after the menu opened (so the right-button release cannot pick an item): click until it closes.
 */
export async function contextAction(page: Page, row: Locator, title: string): Promise<void> {
  const item = page.locator('.context-view .action-label', { hasText: title }).first();
  // A tree that re-renders under the pointer (rows coming and going) can open the menu of
  // another row: close it and right-click again.
  for (let attempt = 1; ; attempt++) {
    await row.click({ button: 'right' });
    try {
      await item.waitFor({ state: 'visible', timeout: 5000 });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
  for (let attempt = 1; ; attempt++) {
    await item.click().catch(() => undefined);
    try {
      await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 1000 });
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}

/**
 * Runs a lab from the palette: Run Lab, type `filter`, pick `label`. Focus moving as another lab
 * ends (its output, its tree rows) can close the pick under the pointer: then start over.
 */
export async function runLabFromPalette(page: Page, filter: string, label: string | RegExp): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Socket Lab: Run Lab');
    try {
      await page.locator('.quick-input-widget input').fill(filter, { timeout: 5000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click({ timeout: 5000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Runs a lab with parameters from the palette: the lab's pick, then one answer per input box.
 * As with runLabFromPalette, a pick closed by focus moving elsewhere is started over. `filter`
 * is typed first when given (the pick lists only the rows that fit on screen).
 */
export async function runLabWithParameters(page: Page, label: string, answers: readonly string[], filter?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Socket Lab: Run Lab with Parameters…');
    try {
      if (filter !== undefined) await page.locator('.quick-input-widget input').fill(filter, { timeout: 5000 });
      await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().click({ timeout: 5000 });
      for (const [i, value] of answers.entries()) {
        const step = page.locator('.quick-input-widget .quick-input-title', { hasText: `(${i + 1}/${answers.length})` });
        await step.waitFor({ state: 'visible', timeout: 5000 });
        const input = page.locator('.quick-input-widget input');
        await input.fill(value, { timeout: 5000 });
        await input.press('Enter', { timeout: 5000 });
      }
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Opens a workspace file in an editor as a user does: File: Open File…, its path, Enter. (Quick
 * Open lists a file only once the workspace watcher noticed it, which can take long here.)
 */
export async function openFile(page: Page, workspace: string, name: string): Promise<void> {
  const file = path.join(workspace, name);
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'File: Open File...');
    // The dialog fills in its folder once it has read it: type the path after that, not before.
    await waitFor('the Open File dialog to show its folder', async () => (await input.inputValue()).endsWith('/') || undefined);
    await input.fill(file);
    await waitFor('the path typed', async () => (await input.inputValue()) === file || undefined, 2000).catch(() => undefined);
    await input.press('Enter');
    try {
      await page.locator('.tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Presses an Event row's Set Event (`setTitle`, the action's title in the UI's language) until
 * the wave of threads waiting at it has passed (`syncTitle`: the Sync view's title). The next
 * wave may be waiting again within a second: what tells is that these waiters went. A click on a
 * row the live tree re-rendered under the pointer can be lost: press again.
 */
export async function setEventUntilPassed(page: Page, gate: Locator, syncTitle: string, setTitle: string, waiters: string): Promise<void> {
  // The waiter rows read `waiting: T1` (in Chinese `等待中: T1`).
  const passed = async () =>
    !/(waiting|等待中): /.test(
      (await paneText(page, syncTitle))
        .split('\n')
        .filter((l) => l.includes(waiters))
        .join('\n'),
    ) || undefined;
  for (let attempt = 1; ; attempt++) {
    await clickInlineAction(gate, setTitle);
    if (
      await waitFor(`${waiters} to pass`, passed, 7_000).then(
        () => true,
        () => false,
      )
    )
      return;
    if (attempt >= 3) {
      await waitFor(`${waiters} to pass`, passed);
      return;
    }
  }
}
