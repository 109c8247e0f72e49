import type { Locator, Page } from 'playwright-core';
import { clickTitleAction } from './menus';
import { pane, paneRow, setRowExpanded, waitFor } from './workbench';

// The Labs view's groups, reached as a user with a short pane reaches them: after a run its
// outcome rows push the group rows out of view (and rows out of view are not drawn), so the
// view's own Collapse All comes first.

export function labsGroupRow(page: Page, group: string): Locator {
  return paneRow(page, 'Labs', new RegExp(`^${group}\\s*\\d+ labs?`));
}

/** Folds every group with the view's Collapse All button: the group rows are then all in view. */
export async function foldLabsGroups(page: Page): Promise<void> {
  await clickTitleAction(page, 'Labs', 'Collapse All');
  await waitFor('every Labs group folded', async () => (await pane(page, 'Labs').locator('.monaco-list-row[aria-expanded="true"]').count()) === 0 || undefined);
}

/** One group open, the others folded (what fits a pane of the default height). */
export async function openLabsGroup(page: Page, group: string): Promise<void> {
  await foldLabsGroups(page);
  await setRowExpanded(labsGroupRow(page, group), true);
}
