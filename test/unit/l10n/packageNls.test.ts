import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixed } from './terms';

const root = path.join(__dirname, '..', '..', '..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');
const en = JSON.parse(read('package.nls.json')) as Record<string, string>;
const zh = JSON.parse(read('package.nls.zh-cn.json')) as Record<string, string>;

describe('l10n: package.json in English and Simplified Chinese', () => {
  it('every %key% of package.json has its English and Chinese text, and no text is left unused', () => {
    const used = new Set([...read('package.json').matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!));
    assert.ok(used.size > 50, `${used.size} keys`);
    for (const k of used) {
      assert.ok(en[k], `package.nls.json lacks ${k}`);
      assert.ok(zh[k], `package.nls.zh-cn.json lacks ${k}`);
    }
    assert.deepEqual(
      Object.keys(en).filter((k) => !used.has(k)),
      [],
      'English texts no contribution uses',
    );
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort(), 'the Chinese file has exactly the English keys');
  });

  it('each Chinese text is Chinese (product names aside) and keeps the code, links and terms of its English one', () => {
    for (const [k, text] of Object.entries(en)) {
      const t = zh[k]!;
      if (t !== text) assert.match(t, /[\u4e00-\u9fff]/, `${k} is not in Chinese: ${t}`);
      else assert.match(text, /^Socket Lab$/, `${k} is left in English: ${t}`);
      assert.deepEqual(fixed(t), fixed(text), `${k} changes what must stay as written`);
    }
  });
});
