import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { session } from './session';
import { runCommand, waitFor } from './workbench';

// The user's and the workspace's settings and keybindings, changed the way a user does: in
// VS Code's own JSON editor. (code-server does not notice files written behind its back.)

export interface JsonFile {
  /** The palette command that opens it in an editor. */
  readonly open: string;
  readonly file: string;
}

export function userSettings(): JsonFile {
  return { open: 'Preferences: Open User Settings (JSON)', file: path.join(session().runDir, 'user-data', 'User', 'settings.json') };
}

export function userKeybindings(): JsonFile {
  return { open: 'Preferences: Open Keyboard Shortcuts (JSON)', file: path.join(session().runDir, 'user-data', 'User', 'keybindings.json') };
}

/** What a repository can ship: its .vscode/settings.json. */
export function workspaceSettings(): JsonFile {
  return { open: 'Preferences: Open Workspace Settings (JSON)', file: path.join(session().workspace, '.vscode', 'settings.json') };
}

export function readJson(f: JsonFile): Record<string, unknown> {
  return fs.existsSync(f.file) ? (JSON.parse(fs.readFileSync(f.file, 'utf8')) as Record<string, unknown>) : {};
}

/**
 * Replaces the file's text in VS Code's editor (pasted, so no auto-closing brackets get in the
 * way), saves and closes it. Resolves with a function that puts back what was there.
 */
export async function editJson(page: Page, f: JsonFile, value: unknown): Promise<() => Promise<void>> {
  const existed = fs.existsSync(f.file);
  const dirExisted = fs.existsSync(path.dirname(f.file));
  const before = existed ? fs.readFileSync(f.file, 'utf8') : undefined;
  await replaceText(page, f, JSON.stringify(value, null, 2));
  return async () => {
    await replaceText(page, f, before ?? (Array.isArray(value) ? '[]' : '{}'));
    // VS Code now holds the empty text; the file itself was not there before.
    if (!existed) fs.rmSync(f.file, { force: true });
    if (!dirExisted && fs.readdirSync(path.dirname(f.file)).length === 0) fs.rmdirSync(path.dirname(f.file));
  };
}

async function replaceText(page: Page, f: JsonFile, text: string): Promise<void> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(page.url()).origin });
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
  await runCommand(page, f.open);
  // Settings open in a modal editor, keybindings in the editor area: find it by its file.
  const editor = page.locator(`.monaco-editor[data-uri$="${path.basename(path.dirname(f.file))}/${path.basename(f.file)}"]`).first();
  await editor.waitFor({ state: 'visible' });
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Control+V');
  await page.keyboard.press('Control+S');
  await waitFor(`${f.file} to be saved`, async () => (fs.existsSync(f.file) && fs.readFileSync(f.file, 'utf8') === text) || undefined);
  await runCommand(page, 'View: Close Editor');
  await editor.waitFor({ state: 'detached' });
}

/**
 * Waits until VS Code applied a settings change: each change sets `window.title` to a new
 * marker, and the page's title shows it once the settings were read (the other keys with it).
 */
export async function waitForTitle(page: Page, marker: string): Promise<void> {
  await waitFor(`the window title to show "${marker}" (settings applied)`, async () => (await page.title()).includes(marker) || undefined, 30_000);
}

export interface CommandKey {
  readonly key: string;
  readonly command: string;
  readonly args?: unknown;
}

/**
 * Binds keys to commands with arguments in the user's keybindings.json (the way a user, or a
 * keybinding another extension contributes, runs a command with an argument) and waits until
 * VS Code has loaded them: the palette then shows the last of them (VS Code's primary one for the
 * command) beside `paletteTitle`.
 */
export async function bindKeys(page: Page, keys: readonly CommandKey[], paletteTitle: string): Promise<() => Promise<void>> {
  const last = keys.at(-1)?.key.split('+').at(-1)?.toLowerCase() ?? '';
  const restore = await editJson(page, userKeybindings(), keys);
  const input = page.locator('.quick-input-widget input');
  await waitFor(
    'the keybindings to load',
    async () => {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 5000 });
      await input.fill(`>${paletteTitle}`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: paletteTitle }).first();
      await row.waitFor({ state: 'visible', timeout: 5000 });
      const label =
        (await row
          .locator('.monaco-keybinding')
          .first()
          .getAttribute('aria-label')
          .catch(() => null)) ?? '';
      await page.keyboard.press('Escape');
      return label.toLowerCase().endsWith(`+${last}`) || undefined;
    },
    30_000,
  ).catch(async (err: unknown) => {
    await restore();
    throw err;
  });
  return restore;
}
