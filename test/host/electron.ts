// The same extension-host suite with @vscode/test-electron, for a machine that can download VS
// Code (or has one: VSCODE_EXECUTABLE). `npm run test:electron`. Here, without internet, it says
// so and stops; scripts/host-tests.ts runs the suite in code-server instead.
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { bundleHostTests } from '../../scripts/host-tests';

const DOWNLOAD_HOST = 'https://update.code.visualstudio.com/api/releases/stable';

async function canDownload(): Promise<string | undefined> {
  try {
    const res = await fetch(DOWNLOAD_HOST, { signal: AbortSignal.timeout(5000) });
    return res.ok ? undefined : `${DOWNLOAD_HOST} answered ${res.status}`;
  } catch (err) {
    return `${DOWNLOAD_HOST} cannot be reached (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)})`;
  }
}

async function main(): Promise<number> {
  const root = path.resolve(__dirname, '../..');
  const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE;
  if (!vscodeExecutablePath) {
    const why = await canDownload();
    if (why) {
      console.error(
        `test:electron cannot run here: @vscode/test-electron downloads VS Code from Microsoft, and ${why}.\n` +
          'Set VSCODE_EXECUTABLE to an installed VS Code to use it instead, or run the same suite in code-server: npm run test:host.',
      );
      return 2;
    }
  }
  const extensionTestsPath = await bundleHostTests();
  await runTests({ extensionDevelopmentPath: root, extensionTestsPath, ...(vscodeExecutablePath ? { vscodeExecutablePath } : {}), launchArgs: ['--disable-extensions', '--disable-workspace-trust'] });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`test:electron: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
