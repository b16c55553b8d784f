// Bundles the extension, the language server, the CLI and the model worker with esbuild (options in bundles.mjs),
// then writes the third-party notices for what the bundles contain. `--watch` rebuilds on change.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { bundles, commonOptions, noticesFile, shippedPackages } from './bundles.mjs';
import { thirdPartyNotices } from './thirdPartyNotices.mjs';

const root = path.resolve(import.meta.dirname, '..');
const watch = process.argv.includes('--watch');

const contexts = await Promise.all(
  bundles.map((b) => esbuild.context({ ...commonOptions, ...b, absWorkingDir: root, metafile: true })),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  const results = await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  const notices = thirdPartyNotices(
    root,
    results.map((r) => r.metafile),
    shippedPackages,
  );
  mkdirSync(path.join(root, path.dirname(noticesFile)), { recursive: true });
  writeFileSync(path.join(root, noticesFile), notices);
}
