import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('architecture', () => {
  for (const layer of ['engine', 'protocol', 'feeds', 'cli', 'webview']) {
    it(`src/${layer} never imports vscode`, () => {
      const offenders = sources(path.join(root, 'src', layer)).filter((f) => /from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/.test(fs.readFileSync(f, 'utf8')));
      assert.deepEqual(offenders, []);
    });
  }

  /** What each folder may import of the others: the vocabulary (protocol) at the bottom. */
  const allowed: Record<string, readonly string[]> = {
    protocol: [],
    engine: ['protocol'],
    feeds: ['protocol', 'engine'],
    cli: ['protocol', 'engine'],
    webview: ['protocol'],
    // The extension launches the CLI in terminals, so it builds the CLI's arguments.
    extension: ['protocol', 'engine', 'feeds', 'cli'],
  };
  for (const [layer, may] of Object.entries(allowed)) {
    it(`src/${layer} imports only ${may.length ? may.join(', ') : 'itself'}`, () => {
      const offenders: string[] = [];
      for (const f of sources(path.join(root, 'src', layer))) {
        for (const m of fs.readFileSync(f, 'utf8').matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
          const target = path.relative(path.join(root, 'src'), path.resolve(path.dirname(f), m[1]!)).split(path.sep)[0]!;
          if (target !== layer && !may.includes(target)) offenders.push(`${path.relative(root, f)} → ${m[1]}`);
        }
      }
      assert.deepEqual(offenders, []);
    });
  }

  it('the runtime, pools and servers know no lab: the labs plug their programs into the worker bundles', () => {
    const offenders = ['runtime', 'pool', 'server', 'workers']
      .flatMap((d) => sources(path.join(root, 'src', 'engine', d)))
      .filter((f) => /from\s+['"][./]*\/labs\//.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
