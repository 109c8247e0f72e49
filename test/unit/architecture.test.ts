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
  for (const layer of ['engine', 'protocol', 'cli', 'webview']) {
    it(`src/${layer} never imports vscode`, () => {
      const offenders = sources(path.join(root, 'src', layer)).filter((f) => /from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\)/.test(fs.readFileSync(f, 'utf8')));
      assert.deepEqual(offenders, []);
    });
  }

  it('src/engine never imports the extension, CLI or webview', () => {
    const offenders = sources(path.join(root, 'src', 'engine')).filter((f) => /from\s+['"]\.\.\/+(\.\.\/)*(extension|cli|webview)\//.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });
});
