import { session } from './session';
import { answer, pick, runCommand, treeRowTexts, waitFor } from './workbench';

export const SERVER_ROW = /TCP 127\.0\.0\.1:(\d+)/;

export async function serverPorts(): Promise<number[]> {
  const texts = await treeRowTexts(session().page);
  return texts
    .map((t) => SERVER_ROW.exec(t))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
}

/** Start Server… through the palette, as a user does. */
export async function startServerFromPalette(handler: 'echo' | 'upper' | 'menu', port?: string, model = 'event-loop'): Promise<void> {
  const { page } = session();
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, 'Socket Lab: Start Server…');
    // A focus change (a terminal closing, a notification) can dismiss the first pick: start over.
    const first = page.locator('.quick-input-list .monaco-list-row', { hasText: 'TCP' }).first();
    if (
      await first.waitFor({ state: 'visible', timeout: 5000 }).then(
        () => true,
        () => false,
      )
    )
      break;
    if (attempt >= 3) throw new Error('the Start Server quick pick did not stay open');
  }
  await pick(page, 'TCP');
  await pick(page, model);
  await pick(page, handler);
  await answer(page, '(4/5)'); // keep 127.0.0.1
  await answer(page, '(5/5)', port); // keep 0 unless given
}

/** Starts a server and resolves with its port once its row shows. */
export async function startServerAndWait(handler: 'echo' | 'upper' | 'menu', model = 'event-loop'): Promise<number> {
  const before = new Set(await serverPorts());
  await startServerFromPalette(handler, undefined, model);
  return waitFor('the new server row', async () => (await serverPorts()).find((p) => !before.has(p)));
}
