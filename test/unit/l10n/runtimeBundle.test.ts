import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixed } from './terms';

const root = path.join(__dirname, '..', '..', '..');
const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []));
}

/** Every `vscode.l10n.t(...)` of src/: its English text (the bundle's key), or why it cannot be one. */
function calls(): { file: string; key: string | null }[] {
  const out: { file: string; key: string | null }[] = [];
  for (const file of sources(path.join(root, 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/vscode\.l10n\.t\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")?/g)) {
      const literal = m[1];
      // A text built at run time (a template, a variable) has no key a bundle could hold.
      out.push({
        file: path.relative(root, file),
        key: literal ? (JSON.parse(literal.startsWith("'") ? `"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : literal) as string) : null,
      });
    }
  }
  return out;
}

describe('l10n: the texts the extension writes at run time, in Simplified Chinese (l10n/bundle.l10n.zh-cn.json)', () => {
  it('every vscode.l10n.t() text is a literal with its Chinese text, and the bundle holds no text nothing uses', () => {
    const all = calls();
    assert.ok(all.length > 40, `${all.length} calls`);
    for (const c of all) assert.notEqual(c.key, null, `${c.file}: vscode.l10n.t() needs a literal text (placeholders {0}, {1} for what varies)`);
    const keys = new Set(all.map((c) => c.key!));
    for (const k of keys) assert.ok(zh[k], `l10n/bundle.l10n.zh-cn.json lacks "${k}"`);
    assert.deepEqual(
      Object.keys(zh).filter((k) => !keys.has(k)),
      [],
      'texts no call uses',
    );
  });

  it('each Chinese text is Chinese and keeps the placeholders, code and terms of its English one', () => {
    for (const [en, text] of Object.entries(zh)) {
      const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort();
      assert.deepEqual(placeholders(text), placeholders(en), `"${en}" changes its placeholders`);
      if (/[a-z]{3}/.test(en.replace(/\{\d+\}|Socket Lab|HOST:PORT|socket\([^)]*\)|[a-z]+\.[A-Za-z.]+/g, ''))) assert.match(text, /[\u4e00-\u9fff]/, `"${en}" is not in Chinese: ${text}`);
      assert.deepEqual(fixed(text), fixed(en), `"${en}" changes what must stay as written`);
    }
  });
});
