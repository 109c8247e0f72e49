import assert from 'node:assert/strict';
import { isListening } from '../support/processes';
import { startServerAndWait } from './support/servers';
import { killBrowserAndReopen, session } from './support/session';
import { notification, openSocketLab, runCommand, waitFor } from './support/workbench';

// A window that went away without closing (the browser killed) leaves its extension host alive
// for minutes, servers and ports included. The next window must see them and be able to stop them.
describe('Servers of a window that was closed, in a real VS Code', function () {
  this.timeout(180_000);

  it('a new window after the browser was killed says what still runs, and Stop Them frees the port', async () => {
    await openSocketLab(session().page);
    await runCommand(session().page, 'Socket Lab: Servers of Other Windows…');
    await notification(session().page, 'no other window runs servers or labs').waitFor({ state: 'visible' });
    const port = await startServerAndWait('echo');

    const { page } = await killBrowserAndReopen();
    await openSocketLab(page);
    const toast = notification(page, 'still running in another window');
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await toast.innerText(), new RegExp(`1 server \\(TCP 127\\.0\\.0\\.1:${port} · echo\\)`));
    assert.equal(await isListening(port), true, 'the old window still holds the port');
    await session().screenshot('62-other-window-servers');
    await toast.getByRole('button', { name: 'Stop Them' }).click();
    await notification(page, 'stopped 1 server').waitFor({ state: 'visible' });
    await waitFor('the port to be free', async () => !(await isListening(port)) || undefined);
  });
});
