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
    const offenders = ['runtime', 'pool', 'server', 'workers'].flatMap((d) => sources(path.join(root, 'src', 'engine', d))).filter((f) => /from\s+['"][./]*\/labs\//.test(fs.readFileSync(f, 'utf8')));
    assert.deepEqual(offenders, []);
  });

  it('no import circle anywhere in src/ (type-only imports count: they tie the files together too)', () => {
    const files = sources(path.join(root, 'src'));
    const known = new Set(files);
    const deps = new Map<string, string[]>();
    for (const f of files) {
      const out: string[] = [];
      for (const m of fs.readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const base = path.resolve(path.dirname(f), m[1]!);
        const target = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => known.has(c));
        if (target) out.push(target);
      }
      deps.set(f, out);
    }
    // Depth-first search; a file met again while still on the path closes a circle.
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (f: string, trail: string[]): void => {
      state.set(f, 'open');
      for (const d of deps.get(f) ?? []) {
        if (state.get(d) === 'open') circles.push([...trail.slice(trail.indexOf(d)), d].map((x) => path.relative(root, x)).join(' → '));
        else if (!state.has(d)) visit(d, [...trail, d]);
      }
      state.set(f, 'done');
    };
    for (const f of files) if (!state.has(f)) visit(f, [f]);
    assert.deepEqual(circles, []);
  });
});
