// One build, several bundles: each runs in a different place (extension host, terminal, webview).
const esbuild = require('esbuild');

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
  // Runtime threads and processes: each worker script is its own small entry (it loads per thread).
  { ...common, entryPoints: ['src/engine/runtime/threadWorker.ts'], outfile: 'dist/thread-worker.js', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: ['src/engine/runtime/processWorker.ts'], outfile: 'dist/process-worker.js', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: ['src/engine/pool/poolWorker.ts'], outfile: 'dist/pool-worker.js', platform: 'node', format: 'cjs' },
  // A server's connection threads and child processes.
  { ...common, entryPoints: ['src/engine/server/workers/threadEntry.ts'], outfile: 'dist/connection-thread.js', platform: 'node', format: 'cjs' },
  { ...common, entryPoints: ['src/engine/server/workers/processEntry.ts'], outfile: 'dist/connection-process.js', platform: 'node', format: 'cjs' },
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
