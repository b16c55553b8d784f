// The bundles of scripts/bundles.mjs build without warnings, and the third-party notices cover every package in them.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { bundles, commonOptions, shippedPackages } from '../../../scripts/bundles.mjs';
import { bundledPackageDirs, packageDirOf, thirdPartyNotices } from '../../../scripts/thirdPartyNotices.mjs';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

const built = Promise.all(
  bundles.map((b) =>
    esbuild.build({ ...commonOptions, ...b, absWorkingDir: root, write: false, metafile: true, logLevel: 'silent' }),
  ),
);

test('every bundle builds without an esbuild warning', async () => {
  for (const [i, result] of (await built).entries()) {
    const warnings = result.warnings.map((w) => `${w.location?.file}:${w.location?.line}: ${w.text}`);
    assert.deepEqual(warnings, [], bundles[i]!.outfile);
  }
});

test('the notices name every bundled and shipped package with its license text', async () => {
  const metafiles = (await built).map((r) => r.metafile!);
  const notices = thirdPartyNotices(root, metafiles, shippedPackages);
  const dirs = bundledPackageDirs(metafiles);
  for (const expected of ['vscode-languageclient', 'execa', 'lru-cache', '@huggingface/tokenizers']) {
    assert.ok(
      dirs.some((d) => d.endsWith(`node_modules/${expected}`)),
      `${expected} is bundled`,
    );
  }
  for (const name of [
    ...dirs.map((d) => d.replace(/^.*node_modules\//, '')),
    'onnxruntime-node',
    'onnxruntime-common',
  ]) {
    assert.match(notices, new RegExp(`^  ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\S+ \\(`, 'm'), name);
  }
  assert.match(notices, /Copyright \(c\) 2018 - present Microsoft Corporation/);
  assert.match(notices, /Apache License/);
});

test('packageDirOf finds the innermost package of a bundle input', () => {
  assert.equal(packageDirOf('node_modules/execa/lib/x.js'), 'node_modules/execa');
  assert.equal(packageDirOf('node_modules/@scope/pkg/index.js'), 'node_modules/@scope/pkg');
  assert.equal(
    packageDirOf('node_modules/npm-run-path/node_modules/path-key/index.js'),
    'node_modules/npm-run-path/node_modules/path-key',
  );
  assert.equal(packageDirOf('server/lsp/server.ts'), undefined);
});
