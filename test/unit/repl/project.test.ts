// Finding a file's Lean project and deciding how to start its REPL (server/provers/lean/project.ts), in temp folders.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  dependsOnRepl,
  findProject,
  noReplMessage,
  type ReplLaunchOptions,
  resolveReplLaunch,
  whichOnPath,
} from '../../../server/provers/lean/project';
import { renderRemedies, vscodeWords } from '../../../server/remedies';

const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'llemma-project-')));
after(() => rmSync(base, { recursive: true, force: true }));

let counter = 0;
/** A fresh folder under the test's temp folder holding `files` (path → contents; a trailing `/` makes a folder). */
function tree(files: Record<string, string>): string {
  const root = path.join(base, `t${counter++}`);
  mkdirSync(root, { recursive: true });
  for (const [rel, contents] of Object.entries(files)) {
    const p = path.join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(p, { recursive: true });
    } else {
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, contents);
    }
  }
  return root;
}

describe('findProject', () => {
  test('walks up from a nested file to the lakefile; the toolchain is trimmed', () => {
    const root = tree({ 'lakefile.toml': 'name = "demo"\n', 'lean-toolchain': '  leanprover/lean4:v4.9.0-rc1\n\n' });
    assert.deepEqual(findProject(path.join(root, 'Demo', 'Sub', 'Deep.lean')), {
      root,
      toolchain: 'leanprover/lean4:v4.9.0-rc1',
    });
  });

  test('the nearest project wins over an enclosing one', () => {
    const outer = tree({
      'lakefile.lean': 'import Lake\n',
      'inner/lakefile.toml': '',
      'inner/lean-toolchain': 'v4.33',
    });
    assert.deepEqual(findProject(path.join(outer, 'inner', 'A', 'B.lean')), {
      root: path.join(outer, 'inner'),
      toolchain: 'v4.33',
    });
    assert.equal(findProject(path.join(outer, 'C.lean'))?.root, outer);
  });

  test('a lean-toolchain alone marks a project; a lakefile alone has no toolchain', () => {
    const onlyToolchain = tree({ 'lean-toolchain': 'leanprover/lean4:stable' });
    assert.deepEqual(findProject(path.join(onlyToolchain, 'X.lean')), {
      root: onlyToolchain,
      toolchain: 'leanprover/lean4:stable',
    });
    const onlyLakefile = tree({ 'lakefile.lean': '' });
    assert.deepEqual(findProject(path.join(onlyLakefile, 'X.lean')), { root: onlyLakefile, toolchain: null });
  });

  test('a folder named like a marker does not count', () => {
    const root = tree({ 'lakefile.lean/': '', 'lean-toolchain/': '' });
    assert.equal(findProject(path.join(root, 'X.lean')), undefined);
  });

  test('a file outside any project', () => {
    const root = tree({ 'notes/': '' });
    assert.equal(findProject(path.join(root, 'notes', 'Scratch.lean')), undefined);
  });
});

describe('dependsOnRepl', () => {
  const manifest = (name: string) => JSON.stringify({ version: 7, packages: [{ name: 'mathlib' }, { name }] });
  const cases: [string, Record<string, string>, boolean][] = [
    ['the manifest lists REPL', { 'lake-manifest.json': manifest('REPL') }, true],
    ['the manifest lists repl', { 'lake-manifest.json': manifest('repl') }, true],
    ['the manifest lists others only', { 'lake-manifest.json': manifest('aesop') }, false],
    ['a broken manifest', { 'lake-manifest.json': '{oops' }, false],
    ['.lake/packages/repl exists', { '.lake/packages/repl/': '' }, true],
    ['lakefile.lean requires REPL', { 'lakefile.lean': 'import Lake\nrequire REPL from git\n  "https://x"\n' }, true],
    ['lakefile.lean requires «repl»', { 'lakefile.lean': 'require «repl» from git "u" @ "main"\n' }, true],
    ['lakefile.lean requires a scoped "repl"', { 'lakefile.lean': 'require "leanprover-community" / "repl"\n' }, true],
    ['lakefile.lean mentions it in a comment only', { 'lakefile.lean': '-- require REPL from git\n' }, false],
    ['lakefile.lean requires a package named replica', { 'lakefile.lean': 'require replica from git "u"\n' }, false],
    ['lakefile.toml requires REPL', { 'lakefile.toml': '[[require]]\nname = "REPL"\ngit = "https://x"\n' }, true],
    ['lakefile.toml requires mathlib', { 'lakefile.toml': '[[require]]\nname = "mathlib"\n' }, false],
  ];
  for (const [what, files, expected] of cases) {
    test(what, () => assert.equal(dependsOnRepl(tree(files)), expected));
  }
});

describe('resolveReplLaunch', () => {
  const lakeAt = '/opt/elan/bin/lake';
  const withLake: Pick<ReplLaunchOptions, 'which' | 'elanHome'> = {
    which: (c) => (c === 'lake' ? lakeAt : undefined),
  };
  const noLake: Pick<ReplLaunchOptions, 'which' | 'elanHome'> = {
    which: () => undefined,
    elanHome: path.join(base, 'no-elan'),
  };

  test('an override is parsed and run in the root as written', () => {
    const root = tree({ 'lakefile.toml': '' });
    const override = `'/opt/my repl/repl' --flag "a b"`;
    assert.deepEqual(resolveReplLaunch({ root, override, ...noLake }), {
      command: '/opt/my repl/repl',
      args: ['--flag', 'a b'],
      cwd: root,
      display: override,
    });
  });

  test('an override starting with lake finds lake like the rest does', () => {
    const root = tree({ 'lakefile.toml': '' });
    const launch = resolveReplLaunch({ root, override: 'lake env /r/repl', ...withLake });
    assert.ok(!('reason' in launch));
    assert.equal(launch.command, lakeAt);
    assert.deepEqual(launch.args, ['env', '/r/repl']);
  });

  test('an override with an unclosed quote is a failure that quotes it', () => {
    const launch = resolveReplLaunch({ root: tree({}), override: 'repl "oops', ...withLake });
    assert.ok('reason' in launch);
    assert.equal(launch.reason, 'replNotFound');
    assert.match(launch.message, /`repl "oops` cannot be read/);
  });

  test('a blank override is no override', () => {
    const root = tree({ 'lake-manifest.json': JSON.stringify({ packages: [{ name: 'REPL' }] }) });
    const launch = resolveReplLaunch({ root, override: '   ', ...withLake });
    assert.ok(!('reason' in launch));
    assert.deepEqual(launch.args, ['exe', 'repl']);
  });

  test('a project that depends on the REPL: lake exe repl, even with replPath set', () => {
    const root = tree({ 'lakefile.toml': '[[require]]\nname = "REPL"\n' });
    assert.deepEqual(resolveReplLaunch({ root, replPath: '/r/repl', ...withLake }), {
      command: lakeAt,
      args: ['exe', 'repl'],
      cwd: root,
      display: 'lake exe repl',
    });
  });

  test('replPath: lake env <path>, a relative path taken from the root', () => {
    const root = tree({ 'lakefile.toml': '' });
    assert.deepEqual(resolveReplLaunch({ root, replPath: '/r/repl', ...withLake }), {
      command: lakeAt,
      args: ['env', '/r/repl'],
      cwd: root,
      display: 'lake env /r/repl',
    });
    const relative = resolveReplLaunch({ root, replPath: 'tools/repl', ...withLake });
    assert.ok(!('reason' in relative));
    assert.deepEqual(relative.args, ['env', path.join(root, 'tools', 'repl')]);
  });

  test('nothing configured: replNotFound telling how to add the REPL', () => {
    const launch = resolveReplLaunch({ root: tree({ 'lakefile.toml': '' }), ...withLake });
    assert.deepEqual(launch, { reason: 'replNotFound', message: noReplMessage });
    assert.match(noReplMessage, /require REPL from git "https:\/\/github\.com\/leanprover-community\/repl"/);
    assert.match(renderRemedies(noReplMessage, vscodeWords), /the setting `llemma\.lean\.replPath`/);
  });

  test('lake needed but missing: leanNotFound with the elan hint', () => {
    const root = tree({ '.lake/packages/repl/': '' });
    const launch = resolveReplLaunch({ root, ...noLake });
    assert.ok('reason' in launch);
    assert.equal(launch.reason, 'leanNotFound');
    assert.match(launch.message, /https:\/\/github\.com\/leanprover\/elan/);
  });

  test('lake in elan`s bin folder when the PATH lacks it', () => {
    const elanHome = tree({ 'bin/lake': '#!/bin/sh\n' });
    chmodSync(path.join(elanHome, 'bin', 'lake'), 0o755);
    const root = tree({ '.lake/packages/repl/': '' });
    const launch = resolveReplLaunch({ root, which: () => undefined, elanHome });
    assert.ok(!('reason' in launch));
    assert.equal(launch.command, path.join(elanHome, 'bin', 'lake'));
  });
});

describe('whichOnPath', { skip: process.platform === 'win32' ? 'POSIX permissions' : false }, () => {
  test('the first executable of that name on the PATH; plain files are skipped', () => {
    const first = tree({ lake: 'not executable' });
    const second = tree({ lake: '#!/bin/sh\n' });
    chmodSync(path.join(second, 'lake'), 0o755);
    const pathVar = [path.join(base, 'missing'), first, second].join(path.delimiter);
    assert.equal(whichOnPath('lake', pathVar), path.join(second, 'lake'));
    assert.equal(whichOnPath('lean', pathVar), undefined);
  });
});
