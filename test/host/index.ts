// The extension-host suite's entry, in the convention every VS Code extension uses: VS Code loads
// this module in the extension host (extensionTestsPath) and calls `run()`. It runs the suites
// with mocha, prints mocha's report, and writes the outcome where the launcher waits for it
// (SOCKET_LAB_HOST_RESULTS): in code-server the launcher cannot read an exit code.
import fs from 'node:fs';
import Mocha from 'mocha';

export interface HostResults {
  readonly passed: number;
  readonly failed: number;
  readonly tests: readonly { readonly title: string; readonly state: 'passed' | 'failed'; readonly ms: number; readonly error?: string }[];
}

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // The suites are bundled with this file: they declare their tests once mocha's globals exist.
  mocha.suite.emit('pre-require', globalThis, 'host', mocha);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./extension.test');
  const tests: HostResults['tests'][number][] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const results: HostResults = { passed: tests.length - failures, failed: failures, tests };
      const out = process.env.SOCKET_LAB_HOST_RESULTS;
      if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', ms: t.duration ?? 0 }));
    runner.on('fail', (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', ms: t.duration ?? 0, error: err.stack ?? err.message }));
  });
}
