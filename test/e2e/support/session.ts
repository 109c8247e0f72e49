import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { descendants, findProcesses, isAlive } from '../../support/processes';
import { defaultSettings, freePort, installVsix, packageFolder, packageVsix, provision, root, startCodeServer, type CodeServer } from '../../../scripts/code-server';

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
const cleared = new Set<string>();

export function session(): Session {
  if (!current) throw new Error('The e2e session has not started (see test/e2e/support/hooks.ts).');
  return current;
}

/**
 * `resultsDir`: where screenshots and the log go (benchmarks use their own, not the tests').
 * `locale`: VS Code's display language, `zh-cn` with the test language pack (a fresh window and
 * profile: the walkthrough's progress starts empty).
 */
export async function startSession({ resultsDir = path.join(root, 'test-results', 'e2e'), locale }: { resultsDir?: string; locale?: 'zh-cn' } = {}): Promise<Session> {
  const paths = provision();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-e2e-'));
  // A run's results start empty; a session started again within the run (another locale) adds to them.
  if (!cleared.has(resultsDir)) fs.rmSync(resultsDir, { recursive: true, force: true });
  cleared.add(resultsDir);
  fs.mkdirSync(resultsDir, { recursive: true });
  const extensionsDir = path.join(runDir, 'extensions');
  // The tests run what a user installs: the packed .vsix, production bundles included.
  installVsix(paths, packageVsix(path.join(runDir, 'socket-lab.vsix')), extensionsDir, path.join(runDir, 'user-data'));
  // VS Code shows an extension's zh-cn texts only when a language pack for zh-cn is installed;
  // this one (test/e2e/fixtures) translates none of VS Code's own, so the rest stays English.
  if (locale) {
    installVsix(
      paths,
      packageFolder(path.join(root, 'test', 'e2e', 'fixtures', `language-pack-${locale}`), path.join(runDir, `language-pack-${locale}.vsix`)),
      extensionsDir,
      path.join(runDir, 'user-data'),
    );
    // What VS Code writes when a language pack is installed from its UI (a command-line install
    // does not): where the pack's translations are. The server reads it to pick the language.
    const pack = fs.readdirSync(extensionsDir).find((d) => d.startsWith(`socket-lab-tests.test-language-pack-${locale}-`))!;
    fs.writeFileSync(
      path.join(runDir, 'user-data', 'languagepacks.json'),
      JSON.stringify({
        [locale]: {
          hash: 'socket-lab-test-pack',
          label: locale,
          extensions: [{ extensionIdentifier: { id: `socket-lab-tests.test-language-pack-${locale}` }, version: '0.0.1' }],
          translations: { vscode: path.join(extensionsDir, pack, 'translations', 'main.i18n.json') },
        },
      }),
    );
  }
  const workspace = path.join(runDir, 'workspace');
  const codeServer = await startCodeServer({
    paths,
    port: await freePort(),
    userDataDir: path.join(runDir, 'user-data'),
    extensionsDir,
    workspace,
    logFile: path.join(resultsDir, locale ? `code-server-${locale}.log` : 'code-server.log'),
    locale,
    settings: {
      ...defaultSettings,
      // Lets the tests read terminal text from the DOM instead of a canvas.
      'editor.accessibilitySupport': 'on',
      'terminal.integrated.gpuAcceleration': 'off',
      'terminal.integrated.enablePersistentSessions': false,
      'socketLab.closedConnectionRetentionSeconds': 1,
      // Recently used commands would otherwise come first in the palette.
      'workbench.commandPalette.history': 0,
      // A group row stuck at a tree's top (sticky scroll) covers the row under it from the mouse.
      'workbench.tree.enableStickyScroll': false,
    },
  });
  const { browser, page } = await openWorkbench(paths.chromium, codeServer.url);
  current = {
    page,
    browser,
    codeServer,
    runDir,
    workspace,
    resultsDir,
    async screenshot(name) {
      await session().page.screenshot({ path: path.join(resultsDir, `${name}.png`) });
    },
  };
  return current;
}

async function openWorkbench(executablePath: string, url: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return { browser, page };
}

/**
 * Kills the browser the way a crash or a killed window does (SIGKILL: code-server gets no
 * goodbye), then opens VS Code in a new one: a new window, with a new extension host.
 */
export async function killBrowserAndReopen(): Promise<Session> {
  const s = session();
  const chromiumPids = descendants(process.pid).filter((pid) => {
    try {
      return /chromium/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  });
  for (const pid of chromiumPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await s.browser.close().catch(() => undefined);
  const { browser, page } = await openWorkbench(provision().chromium, s.codeServer.url);
  current = { ...s, browser, page };
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
