import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { descendants, findProcesses, isAlive } from '../../support/processes';
import { defaultSettings, freePort, installVsix, packageVsix, provision, root, startCodeServer, type CodeServer } from '../../../scripts/code-server';

/** One real VS Code (code-server) and one Chromium page, shared by every e2e test file. */
export interface Session {
  readonly page: Page;
  readonly browser: Browser;
  readonly codeServer: CodeServer;
  readonly runDir: string;
  readonly workspace: string;
  readonly resultsDir: string;
  screenshot(name: string): Promise<void>;
}

let current: Session | undefined;

export function session(): Session {
  if (!current) throw new Error('The e2e session has not started (see test/e2e/support/hooks.ts).');
  return current;
}

/** `resultsDir`: where screenshots and the log go (benchmarks use their own, not the tests'). */
export async function startSession({ resultsDir = path.join(root, 'test-results', 'e2e') }: { resultsDir?: string } = {}): Promise<Session> {
  const paths = provision();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-e2e-'));
  fs.rmSync(resultsDir, { recursive: true, force: true });
  fs.mkdirSync(resultsDir, { recursive: true });
  const extensionsDir = path.join(runDir, 'extensions');
  // The tests run what a user installs: the packed .vsix, production bundles included.
  installVsix(paths, packageVsix(path.join(runDir, 'socket-lab.vsix')), extensionsDir, path.join(runDir, 'user-data'));
  const workspace = path.join(runDir, 'workspace');
  const codeServer = await startCodeServer({
    paths,
    port: await freePort(),
    userDataDir: path.join(runDir, 'user-data'),
    extensionsDir,
    workspace,
    logFile: path.join(resultsDir, 'code-server.log'),
    settings: {
      ...defaultSettings,
      // Lets the tests read terminal text from the DOM instead of a canvas.
      'editor.accessibilitySupport': 'on',
      'terminal.integrated.gpuAcceleration': 'off',
      'terminal.integrated.enablePersistentSessions': false,
      'socketLab.closedConnectionRetentionSeconds': 1,
      // Recently used commands would otherwise come first in the palette.
      'workbench.commandPalette.history': 0,
    },
  });
  const browser = await chromium.launch({
    executablePath: paths.chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  await page.goto(codeServer.url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  current = {
    page,
    browser,
    codeServer,
    runDir,
    workspace,
    resultsDir,
    async screenshot(name) {
      await page.screenshot({ path: path.join(resultsDir, `${name}.png`) });
    },
  };
  return current;
}

/** Stops VS Code and fails if any of its processes (extension host, terminals, clients) remain. */
export async function endSession(): Promise<void> {
  const s = current;
  current = undefined;
  if (!s) return;
  await s.browser.close().catch(() => undefined);
  const tree = [s.codeServer.pid, ...descendants(s.codeServer.pid)];
  await s.codeServer.stop();
  const deadline = Date.now() + 5000;
  let left: string[] = [];
  do {
    left = [...tree.filter(isAlive).map(String), ...findProcesses(s.runDir).map((p) => `${p.pid} ${p.cmdline}`)];
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < deadline);
  if (left.length) throw new Error(`processes left after the run: ${[...new Set(left)].join('; ')}`);
  fs.rmSync(s.runDir, { recursive: true, force: true });
}
