// The whole `data` stage on small corpora written to a temporary folder (training/src/data/pipeline.ts): what is
// dropped and why, what is kept, the outputs, and that a run is a pure function of its inputs and seed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { runDataStage } from '../src/data/pipeline';
import type { DataReport } from '../src/data/report';
import type { TrainingConfig } from '../src/run/config';
import { loadConfig, mergeConfig } from '../src/run/loadConfig';
import { mathlibLike, tempDir, writeJsonl, writeTree } from './helpers';

const imo1959 = 'theorem imo_1959_p1 (n : ℕ) (h₀ : 0 < n) : Nat.gcd (21 * n + 4) (14 * n + 3) = 1 := by\n';

/** Corpora: mathlib-like JSONL (with an exact copy, a near copy and a planted benchmark statement), compfiles-like
 * JSONL (with a file named after a benchmark problem), and a folder of notes. */
function writeCorpus(dir: string): void {
  const a = mathlibLike('Alpha', 10, 1);
  const planted = mathlibLike('Delta', 6, 4).replace(
    'end Delta',
    'theorem copied (n : ℕ) (h₀ : 0 < n) : Nat.gcd (21 * n + 4) (14 * n + 3) = 1 := by\n  sorry\n\nend Delta',
  );
  writeJsonl(path.join(dir, 'lean', 'mathlib.jsonl'), [
    { path: 'Mathlib/Alpha.lean', text: a },
    { path: 'Mathlib/Beta.lean', text: mathlibLike('Beta', 8, 2) },
    // Only case and whitespace differ: an exact duplicate.
    { path: 'Mathlib/AlphaCopy.lean', text: a.toUpperCase().replace(/\n\n/g, '\n\n\n') },
    // One lemma renamed: a near duplicate.
    { path: 'Mathlib/AlphaEdit.lean', text: a.replace('Alpha_add_105', 'Alpha_add_one_hundred_five') },
    { path: 'Mathlib/Delta.lean', text: planted },
    // A near copy of the contaminated file whose copy of the statement was edited: no overlap of its own.
    { path: 'Mathlib/DeltaEdit.lean', text: planted.replace('(21 * n + 4)', '(22 * n + 4)') },
  ]);
  writeJsonl(path.join(dir, 'lean', 'compfiles.jsonl'), [
    { path: 'Compfiles/Imo1959P1.lean', text: mathlibLike('Imo1959P1', 3, 5) },
    { path: 'Compfiles/Usa2001P1.lean', text: mathlibLike('Usa2001P1', 4, 6) },
  ]);
  writeTree(path.join(dir, 'notes'), {
    'algebra.md': '# Notes\n\nThe sum of the first n odd numbers is n squared, proved by induction on n.\n',
    'sub/analysis.tex':
      '\\section{Limits} Every convergent sequence of reals is bounded, by the triangle inequality.\n',
    'skip.txt': 'not read',
  });
  writeJsonl(path.join(dir, 'bench', 'minif2f.jsonl'), [
    { name: 'imo_1959_p1', split: 'test', formal_statement: imo1959 },
    {
      name: 'mathd_algebra_10',
      split: 'valid',
      formal_statement: 'theorem mathd_algebra_10 : abs ((120 : ℝ) / 100 * 30 - 130 / 100 * 20) = 10 := by\n',
    },
  ]);
}

function configFor(dir: string, overrides: object = {}): TrainingConfig {
  const base = mergeConfig(loadConfig(), {
    run: 'test',
    outDir: path.join(dir, 'out'),
    dataDir: dir,
    seed: 7,
    data: {
      sources: [
        { name: 'mathlib4', kind: 'jsonl', path: 'lean/mathlib.jsonl', weight: 1, tactics: true },
        { name: 'compfiles', kind: 'jsonl', path: 'lean/compfiles.jsonl', weight: 2, tactics: true },
        { name: 'notes', kind: 'folder', path: 'notes', extensions: ['.md', '.tex'], weight: 0.5, tactics: false },
      ],
      decontamination: {
        benchmarks: [{ name: 'minif2f', kind: 'jsonl', path: 'bench/minif2f.jsonl', splitField: 'split' }],
      },
      workers: 0,
    },
  });
  return mergeConfig(base, overrides);
}

/** Every output file of a run by name, with what may differ between equivalent runs (name, timings, workers) blanked. */
function outputsOf(report: DataReport): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(report.runDir).sort()) {
    let text = readFileSync(path.join(report.runDir, name), 'utf8');
    if (name === 'report.json') {
      const r = JSON.parse(text) as DataReport;
      text = JSON.stringify({
        ...r,
        run: '',
        runDir: '',
        timingsMs: {},
        workers: 0,
        config: { ...r.config, workers: 0 },
      });
    }
    if (name === 'report.md')
      text = text
        .split('\n')
        .slice(1)
        .join('\n')
        .replace(/[\d.]+ s\./, '')
        .replace(/- timings.*/, '');
    files.set(name, text);
  }
  return files;
}

/** Compares two runs file by file (a whole-map diff of 100 kB strings would be unreadable). */
function assertSameOutputs(actual: Map<string, string>, expected: Map<string, string>, what: string): void {
  assert.deepEqual([...actual.keys()], [...expected.keys()], what);
  for (const [name, text] of expected) assert.ok(actual.get(name) === text, `${what}: ${name} differs`);
}

describe('the data stage on a small corpus', () => {
  const dir = tempDir();
  let report: DataReport;
  before(async () => {
    writeCorpus(dir);
    report = await runDataStage(configFor(dir));
  });
  const source = (name: string) => report.sources.find((s) => s.name === name);

  test('counts per source: read, exact and near duplicates, contaminated, kept', () => {
    assert.deepEqual(
      report.sources.map((s) => [s.name, s.read, s.exactDuplicates, s.nearDuplicates, s.contaminated, s.kept]),
      [
        ['mathlib4', 6, 1, 2, 1, 2],
        ['compfiles', 2, 0, 0, 1, 1],
        ['notes', 2, 0, 0, 0, 2],
      ],
    );
    assert.deepEqual(report.exactDuplicates, [
      { source: 'mathlib4', path: 'Mathlib/AlphaCopy.lean', of: { source: 'mathlib4', path: 'Mathlib/Alpha.lean' } },
    ]);
    assert.deepEqual(
      report.nearDuplicates.map((d) => [d.path, d.of.path]),
      [
        ['Mathlib/AlphaEdit.lean', 'Mathlib/Alpha.lean'],
        // Contaminated documents stay in the near-duplicate index, so their near copies go too.
        ['Mathlib/DeltaEdit.lean', 'Mathlib/Delta.lean'],
      ],
    );
  });

  test('the planted statement and the problem-named file are dropped and reported with the benchmark item', () => {
    const planted = report.overlaps.filter((o) => o.path === 'Mathlib/Delta.lean');
    assert.deepEqual(
      planted.map((o) => [o.kind, o.n, o.item, o.split, o.dropped]),
      [['ngram', 13, 'imo_1959_p1', 'test', true]],
    );
    assert.match(planted[0]?.ngram ?? '', /nat\.gcd 21 \* n \+ 4 14 \* n \+ 3/);
    const named = report.overlaps.filter((o) => o.path === 'Compfiles/Imo1959P1.lean');
    assert.deepEqual(
      named.map((o) => [o.kind, o.item, o.ngram]),
      [['problem-id', 'imo_1959_p1', 'Imo1959P1 ~ imo_1959_p1 (imo-1959-1)']],
    );
    const md = readFileSync(path.join(report.runDir, 'report.md'), 'utf8');
    assert.match(
      md,
      /\| mathlib4: `Mathlib\/Delta\.lean` \| \d+ \| imo_1959_p1 \(minif2f, formal_statement\) \| test \| 13-gram \|/,
    );
    assert.match(md, /Imo1959P1 ~ imo_1959_p1/);
  });

  test('tactic examples come only from kept Lean files, split by file, in the serving prompt format', () => {
    const lines = (name: string) =>
      readFileSync(path.join(report.runDir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { path: string; prompt: string; target: string; step: number });
    const all = [...lines('tactics-train.jsonl'), ...lines('tactics-heldout.jsonl')];
    assert.deepEqual([...new Set(all.map((e) => e.path))].sort(), [
      'Compfiles/Usa2001P1.lean',
      'Mathlib/Alpha.lean',
      'Mathlib/Beta.lean',
    ]);
    // Each mathlibLike lemma has two tactic lines: `have …` and `omega`.
    assert.equal(all.length, 2 * (10 + 8 + 4));
    assert.ok(all.every((e) => e.prompt.startsWith('Complete the Lean 4 proof with its next tactic.')));
    assert.ok(all.filter((e) => e.step === 1).every((e) => e.target === '\nomega\n---'));
    const m = source('mathlib4');
    assert.equal((m?.tactics.train ?? 0) + (m?.tactics.heldOut ?? 0), 36);
  });

  test('the mixture holds kept documents times their weights, shuffled, as {text, meta} lines', () => {
    const shards = report.outputs.mixture;
    const rows = shards.flatMap((f) =>
      readFileSync(path.join(report.runDir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { text: string; meta: { source: string; path: string } }),
    );
    const count = (s: string) => rows.filter((r) => r.meta.source === s).length;
    assert.equal(count('mathlib4'), 2);
    assert.equal(count('compfiles'), 2);
    assert.ok(count('notes') <= 2);
    assert.equal(source('compfiles')?.mixtureCopies, 2);
    assert.equal(
      rows.length,
      report.sources.reduce((n, s) => n + s.mixtureCopies, 0),
    );
  });

  test('the same inputs and seed give byte-identical outputs, with or without worker threads', async () => {
    const first = outputsOf(report);
    assertSameOutputs(outputsOf(await runDataStage(configFor(dir, { run: 'again' }))), first, 'second run');
    const threads = { run: 'threads', data: { workers: 2 } };
    assertSameOutputs(outputsOf(await runDataStage(configFor(dir, threads))), first, 'two workers');
  });

  test('small shards split the mixture; a different seed shuffles differently', async () => {
    const sharded = await runDataStage(configFor(dir, { run: 'sharded', data: { mixture: { shardBytes: 2000 } } }));
    assert.ok(sharded.outputs.mixture.length > 2);
    assert.deepEqual(sharded.outputs.mixture.slice(0, 2), ['mixture-00000.jsonl', 'mixture-00001.jsonl']);
    const reseeded = await runDataStage(configFor(dir, { run: 'reseeded', seed: 8 }));
    const order = (r: DataReport) =>
      readFileSync(path.join(r.runDir, 'mixture-00000.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { meta: { path: string } }).meta.path);
    assert.notDeepEqual(order(reseeded), order(report));
  });
});
