import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { LABS } from '../../../src/engine/labs/catalog';
import { USAGE } from '../../../src/cli/usage';
import { GROUP_TITLES } from '../../../src/engine/labs/lab';
import { HANDLERS, WELCOME_TEXT } from '../../../src/engine/server/handlers';
import { MODEL_INFO, UNIX_DATAGRAM_UNAVAILABLE } from '../../../src/engine/server/options';
import { SERVED_ONE_AT_A_TIME } from '../../../src/protocol/describe';
import { LANE_STATE_INFO, THREAD_STATES } from '../../../src/protocol/states';
import { fixed } from './terms';

const root = path.join(__dirname, '..', '..', '..');
const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []));
}

/**
 * Every `vscode.l10n.t(...)` (extension) and `l10n.t(...)` (@vscode/l10n: engine, protocol,
 * webview, CLI) and `.say(...)` (a lab's thread or process: translated in the main thread) of
 * src/: its English text (the bundle's key), or null when it is not a literal.
 * src/protocol/l10n.ts is where data texts are translated (tr): those are listed by dataTexts().
 */
function calls(): { file: string; key: string | null }[] {
  const out: { file: string; key: string | null }[] = [];
  for (const file of sources(path.join(root, 'src')).filter((f) => !f.endsWith(path.join('protocol', 'l10n.ts')))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bl10n\.t|\.say)\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")?/g)) {
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

/** Texts that are data, translated where shown with tr(): the labs' own words, the states' names. */
function dataTexts(): { where: string; key: string }[] {
  const out: { where: string; key: string }[] = [];
  for (const lab of LABS) {
    out.push({ where: `lab ${lab.name} title`, key: lab.title }, { where: `lab ${lab.name} explanation`, key: lab.explanation });
    if (lab.imitation) out.push({ where: `lab ${lab.name} imitation note`, key: lab.imitation });
    for (const p of lab.params) out.push({ where: `lab ${lab.name} parameter ${p.name}`, key: p.description });
  }
  for (const g of Object.values(GROUP_TITLES)) out.push({ where: 'lab group', key: g });
  for (const [name, info] of Object.entries(THREAD_STATES)) out.push({ where: 'thread state', key: name }, { where: `thread state ${name} verb`, key: info.verb });
  for (const info of Object.values(LANE_STATE_INFO)) out.push({ where: 'timeline legend', key: info.legend });
  out.push(
    { where: 'describe', key: SERVED_ONE_AT_A_TIME },
    { where: 'CLI usage', key: USAGE },
    { where: 'welcome handler', key: WELCOME_TEXT },
    { where: 'Unix datagram', key: UNIX_DATAGRAM_UNAVAILABLE },
  );
  for (const h of Object.values(HANDLERS)) out.push({ where: `handler ${h.name}`, key: h.description });
  for (const m of Object.values(MODEL_INFO)) out.push({ where: 'model', key: m.stream.description }, { where: 'model', key: m.datagram.description });
  return out;
}

describe('l10n: the texts the extension writes at run time, in Simplified Chinese (l10n/bundle.l10n.zh-cn.json)', () => {
  it('every vscode.l10n.t() text is a literal with its Chinese text, and the bundle holds no text nothing uses', () => {
    const all = calls();
    assert.ok(all.length > 200, `${all.length} calls`);
    for (const c of all) assert.notEqual(c.key, null, `${c.file}: l10n.t() needs a literal text (placeholders {0}, {1} for what varies)`);
    const data = dataTexts();
    const keys = new Set([...all.map((c) => c.key!), ...data.map((d) => d.key)]);
    const missing = [...keys].filter((k) => !zh[k]);
    assert.deepEqual(missing, [], `l10n/bundle.l10n.zh-cn.json lacks ${missing.length} texts`);
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
      // Words left once code, terms and placeholders are taken out must be translated.
      const words = fixed(en)
        .reduce((rest, term) => rest.replace(term, ''), en)
        .replace(/\{\d+\}|Socket Lab|HOST:PORT|\w+\([^)]*\)|[a-z_]+\.[A-Za-z_.]+|\w+ = /g, '');
      if (/[a-z]{3}/.test(words)) assert.match(text, /[\u4e00-\u9fff]/, `"${en}" is not in Chinese: ${text}`);
      assert.deepEqual(fixed(text), fixed(en), `"${en}" changes what must stay as written`);
    }
  });
});
