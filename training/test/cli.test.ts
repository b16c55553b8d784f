// The command line and the config files (training/src/cli.ts, run/commands.ts, run/loadConfig.ts), including the
// real `llemma-train` bin.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseArgs } from '../src/cli';
import { defaultConfig } from '../src/run/defaults';
import { resolveDataDir, workspaceDir } from '../src/run/layout';
import { loadConfig, mergeConfig } from '../src/run/loadConfig';
import { mathlibLike, tempDir, writeJsonl } from './helpers';

const run = promisify(execFile);
const bin = path.join(workspaceDir, 'bin', 'llemma-train.mjs');

describe('config files', () => {
  test('an override changes only what it names; objects merge, arrays replace', () => {
    const merged = mergeConfig(defaultConfig, {
      run: 'small',
      data: { dedup: { threshold: 0.9 }, tactics: { keywords: ['theorem'] } },
    });
    assert.equal(merged.run, 'small');
    assert.equal(merged.data.dedup.threshold, 0.9);
    assert.equal(merged.data.dedup.numPerm, defaultConfig.data.dedup.numPerm);
    assert.deepEqual(merged.data.tactics.keywords, ['theorem']);
    assert.deepEqual(merged.data.sources, defaultConfig.data.sources);
    assert.equal(defaultConfig.run, 'default', 'the defaults are not modified');
  });

  test('unknown keys and wrong types are errors that name the key', () => {
    assert.throws(
      () => mergeConfig(defaultConfig, { data: { dedup: { treshold: 0.9 } } }),
      /data\.dedup\.treshold: unknown key/,
    );
    assert.throws(() => mergeConfig(defaultConfig, { seed: '7' }), /config seed: expected number/);
    assert.throws(() => mergeConfig(defaultConfig, { data: { sources: {} } }), /data\.sources: expected an array/);
    assert.throws(() => mergeConfig(defaultConfig, { data: { workers: -1 } }), /data\.workers: expected "auto"/);
    assert.equal(mergeConfig(defaultConfig, { data: { workers: 3 } }).data.workers, 3);
    assert.deepEqual(
      mergeConfig(defaultConfig, { data: { decontamination: { problemIdAliases: { hmmt: 'hmmt-feb' } } } }).data
        .decontamination.problemIdAliases,
      { usa: 'usamo', hmmt: 'hmmt-feb' },
    );
  });

  test('files are checked after merging, and a relative dataDir is relative to the file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'c.json');
    writeFileSync(file, JSON.stringify({ dataDir: 'corpora', data: { dedup: { bands: 7 } } }));
    assert.throws(() => loadConfig(file), /numPerm must be a multiple of bands/);
    writeFileSync(file, JSON.stringify({ dataDir: 'corpora' }));
    assert.equal(loadConfig(file).dataDir, path.join(dir, 'corpora'));
    writeFileSync(file, '{ "run": "x", }');
    assert.throws(() => loadConfig(file), /c\.json: not JSON/);
    writeFileSync(file, JSON.stringify({ run: '../escape' }));
    assert.throws(() => loadConfig(file), /must be a plain folder name/);
  });

  test('the data folder: the config, else $LLEMMA_DATA_DIR, else ../shared/data; missing is an error', () => {
    const dir = tempDir();
    assert.equal(resolveDataDir({ ...defaultConfig, dataDir: dir }), dir);
    assert.equal(resolveDataDir(defaultConfig, { LLEMMA_DATA_DIR: dir }), dir);
    assert.throws(
      () => resolveDataDir({ ...defaultConfig, dataDir: path.join(dir, 'nope') }),
      /no data folder: tried .*nope/,
    );
  });
});

describe('command line', () => {
  test('arguments', () => {
    assert.deepEqual(parseArgs(['data']), { command: 'data' });
    assert.deepEqual(parseArgs(['data', '--config', 'a.json']), { command: 'data', config: 'a.json' });
    assert.deepEqual(parseArgs(['--config=a.json', 'data']), { command: 'data', config: 'a.json' });
    assert.equal(parseArgs(['--help']), 'help');
    assert.throws(() => parseArgs([]), /no command/);
    assert.throws(() => parseArgs(['data', '--config']), /--config needs a file/);
    assert.throws(() => parseArgs(['data', '--fast']), /unknown option --fast/);
    assert.throws(() => parseArgs(['data', 'extra']), /unexpected argument extra/);
  });

  test('the bin runs `data` on a corpus given by a config file and prints the summary', async () => {
    const dir = tempDir();
    writeJsonl(path.join(dir, 'm.jsonl'), [{ path: 'Mathlib/A.lean', text: mathlibLike('A', 3, 1) }]);
    writeJsonl(path.join(dir, 'b.jsonl'), [{ name: 'x_1', formal_statement: 'theorem x_1 : 1 + 1 = 2' }]);
    const config = path.join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        run: 'cli',
        outDir: path.join(dir, 'out'),
        dataDir: '.',
        data: {
          sources: [{ name: 'm', kind: 'jsonl', path: 'm.jsonl', weight: 1, tactics: true }],
          decontamination: { benchmarks: [{ name: 'b', kind: 'jsonl', path: 'b.jsonl' }] },
        },
      }),
    );
    const { stdout } = await run(process.execPath, [bin, 'data', '--config', config]);
    assert.match(stdout, /^m: read 1, exact dups 0, near dups 0, contaminated 0, kept 1; tactic examples \d+ train/m);
    assert.ok(existsSync(path.join(dir, 'out', 'cli', 'report.md')));
  });

  test('exit codes: 2 for a wrong command line, 1 for a failing run', async () => {
    const code = async (args: string[]) =>
      run(process.execPath, [bin, ...args]).then(
        () => 0,
        (e: { code: number; stderr: string }) => e.code,
      );
    assert.equal(await code(['nosuch']), 2);
    assert.equal(await code(['data', '--config', path.join(tempDir(), 'missing.json')]), 1);
    assert.equal(await code(['tokenizer', '--config', path.join(tempDir(), 'missing.json')]), 1);
  });
});
