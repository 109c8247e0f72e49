import type { Page } from 'playwright-core';
import { pane, waitFor } from './workbench';

// View-title buttons, as a user presses them: VS Code shows a view's title actions while the
// pointer is over its header, and hands the command the row that has the focus.

/** Hovers a view's header and presses one of its title buttons (by the command title). */
export async function clickTitleAction(page: Page, view: string, title: string): Promise<void> {
  const header = pane(page, view).locator('.pane-header');
  for (let attempt = 1; ; attempt++) {
    await header.hover();
    const action = header.locator(`.actions .action-label[aria-label^="${title}"]`).first();
    try {
      await action.click({ timeout: 5000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/** The notifications shown now (their text), for asserting what did or did not pop up. */
export async function toastTexts(page: Page): Promise<string[]> {
  return page.locator('.notification-toast').allInnerTexts();
}

/** Fails if a toast matching `text` shows within `ms` (VS Code shows its popups within a second or two). */
export async function expectNoToast(page: Page, text: RegExp, ms: number): Promise<void> {
  const shown = await waitFor(`a toast matching ${text}`, async () => (await toastTexts(page)).find((t) => text.test(t)), ms).catch(() => undefined);
  if (shown) throw new Error(`unexpected notification: ${shown}`);
}
