// Bundles the extension, the language server and the CLI with esbuild. `--watch` rebuilds on change.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // onnxruntime-node carries native binaries and is loaded by the server at run time, never bundled.
  external: ['vscode', 'onnxruntime-node'],
};

const entries = [
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['server/server.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The model runs in a worker thread of its own; model/src/worker.ts finds this file beside the server bundle.
  { entryPoints: ['model/src/worker.ts'], outfile: 'dist/modelWorker.js' },
];

const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
