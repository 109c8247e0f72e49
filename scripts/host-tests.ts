// Runs the extension-host suite (test/host) the way VS Code runs any extension's integration
// tests — extensionDevelopmentPath + extensionTestsPath — in code-server's web workbench, which
// reads both (and the host's environment) from the `payload` parameter of its URL. The suite
// writes its outcome to a file this launcher waits for: a browser window has no exit code.
// (On a machine that can download VS Code, test/host/electron.ts runs the same suite with
// @vscode/test-electron.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { HostResults } from '../test/host/index';
import { defaultSettings, freePort, provision, root, startCodeServer } from './code-server';

export const HOST_TESTS_BUNDLE = path.join(root, 'dist-test', 'host.js');

/** The suite as one CommonJS file inside the extension's folder (VS Code resolves `vscode` for it there). */
export async function bundleHostTests(): Promise<string> {
  await build({
    entryPoints: [path.join(root, 'test', 'host', 'index.ts')],
    outfile: HOST_TESTS_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return HOST_TESTS_BUNDLE;
}

async function main(): Promise<number> {
  const timeoutMs = 240_000;
  const bundle = await bundleHostTests();
  const paths = provision();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-host-'));
  const resultsFile = path.join(runDir, 'results.json');
  const logDir = path.join(root, 'test-results', 'host');
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const codeServer = await startCodeServer({
    paths,
    port,
    userDataDir: path.join(runDir, 'user-data'),
    extensionsDir: path.join(runDir, 'extensions'),
    workspace: path.join(runDir, 'workspace'),
    logFile: path.join(logDir, 'code-server.log'),
    settings: defaultSettings,
  });
  // code-server's workbench names its server's side `remote` (its remoteAuthority).
  const remote = (p: string) => `vscode-remote://remote${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(root)],
    ['extensionTestsPath', remote(bundle)],
    ['extensionEnvironment', JSON.stringify({ SOCKET_LAB_HOST_RESULTS: resultsFile })],
  ];
  // The page is handed over by the route below: without these Chromium would take it for a
  // public page and refuse its WebSocket to 127.0.0.1.
  const browser = await chromium.launch({
    executablePath: paths.chromium,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessChecks',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // A built workbench reads the development payload only with its smoke-test driver enabled,
    // a VS Code server flag code-server's command line does not pass on: set it in the page's
    // configuration (the only change made to what code-server serves).
    await page.route(
      (u) => u.pathname === '/',
      async (route) => {
        const res = await route.fetch();
        const body = (await res.text()).replace('&quot;developmentOptions&quot;:{', '&quot;developmentOptions&quot;:{&quot;enableSmokeTestDriver&quot;:true,');
        await route.fulfill({ response: res, body });
      },
    );
    await page.goto(`${codeServer.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const deadline = Date.now() + timeoutMs;
    while (!fs.existsSync(resultsFile)) {
      if (Date.now() > deadline) {
        await page.screenshot({ path: path.join(logDir, 'timed-out.png') }).catch(() => undefined);
        console.error(`The extension-host suite wrote no results within ${timeoutMs / 1000} s; see ${path.relative(root, logDir)}/code-server.log.`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as HostResults;
    console.log('\n  Extension host (code-server), @vscode/test-electron convention');
    for (const t of results.tests) {
      console.log(`    ${t.state === 'passed' ? '✔' : '✗'} ${t.title} (${t.ms} ms)`);
      if (t.error) console.log(t.error.replace(/^/gm, '        '));
    }
    const counts = process.env.SOCKET_LAB_COUNTS;
    if (counts) fs.appendFileSync(counts, `host ${results.passed} ${results.failed} 0\n`);
    console.log(`host: ${results.passed} passed, ${results.failed} failed, 0 skipped`);
    return results.failed === 0 && results.passed > 0 ? 0 : 1;
  } finally {
    await browser.close().catch(() => undefined);
    await codeServer.stop();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
