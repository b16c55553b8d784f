// The esbuild options of every bundle in dist/, shared by scripts/build.mjs and the tests that check the bundles
// (warnings, what they contain, the third-party notices).

export const commonOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // onnxruntime-node carries native binaries and is loaded by the server at run time, never bundled. tsx is a
  // development dependency: only WorkerGenerator's TypeScript-source path (tests, benchmarks) resolves it, at run
  // time, and a bundle never takes that path, so it must stay a plain `require.resolve` rather than be bundled.
  external: ['vscode', 'onnxruntime-node', 'tsx'],
};

export const bundles = [
  { entryPoints: ['extension/extension.ts'], outfile: 'dist/extension.js' },
  { entryPoints: ['server/lsp/server.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The model runs in a worker thread of its own; model/src/worker.ts finds this file beside the server bundle.
  { entryPoints: ['model/src/worker.ts'], outfile: 'dist/modelWorker.js' },
  // The miniF2F report page's charts (Chart.js), for a browser: the extension's webview loads it under the page's CSP
  // nonce, and `llemma bench report --html` inlines it into the page it writes.
  {
    entryPoints: ['extension/webview/minif2fCharts.ts'],
    outfile: 'dist/minif2fCharts.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: false,
  },
];

/**
 * Packages the .vsix carries as files rather than inside a bundle (see .vscodeignore), with the license text to use
 * where the npm package has no license file of its own.
 */
export const shippedPackages = [
  { dir: 'node_modules/onnxruntime-node', licenseFile: 'third_party/onnxruntime/LICENSE' },
  { dir: 'node_modules/onnxruntime-common', licenseFile: 'third_party/onnxruntime/LICENSE' },
];

export const noticesFile = 'dist/THIRD_PARTY_NOTICES.txt';
