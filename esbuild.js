// One build, several bundles: each runs in a different place (extension host, terminal, webview).
const esbuild = require('esbuild');
const workerEntries = require('./src/engine/workers/entries.json');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'es2022',
};

const builds = [
  // The extension host loads this; `vscode` is provided by the host at run time.
  { ...common, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  // The CLI runs in integrated terminals and plain shells: `node dist/cli.js …`.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' } },
  // Worker threads and child processes (lab threads and processes, pool workers, a server's
  // connection threads and children): one small bundle each, as src/engine/workers/entries.json lists.
  ...Object.entries(workerEntries).map(([name, entry]) => ({ ...common, entryPoints: [entry], outfile: `dist/${name}.js`, platform: 'node', format: 'cjs' })),
  // The dashboard's browser code, loaded by the webview under a strict CSP.
  { ...common, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife' },
];

async function main() {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
