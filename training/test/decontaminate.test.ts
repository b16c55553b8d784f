// Benchmark overlap detection (training/src/data/decontaminate.ts, benchmarks.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type BenchmarkItem, problemId, readBenchmark } from '../src/data/benchmarks';
import { ContaminationIndex } from '../src/data/decontaminate';
import { tokenHashes } from '../src/data/tokens';
import { mathlibLike, tempDir, writeTree } from './helpers';

// miniF2F's imo_1959_p1 as the DeepSeek-Prover file has it.
const imo1959 = 'theorem imo_1959_p1 (n : ℕ) (h₀ : 0 < n) : Nat.gcd (21 * n + 4) (14 * n + 3) = 1 := by\n';
const items: BenchmarkItem[] = [
  { name: 'imo_1959_p1', split: 'test', benchmark: 'minif2f-lean4/test', field: 'formal_statement', text: imo1959 },
  {
    name: 'imo_1964_p2',
    split: 'test',
    benchmark: 'minif2f-lean4/test',
    field: 'formal_statement',
    text:
      'theorem imo_1964_p2 (a b c : ℝ) (h₀ : 0 < a ∧ 0 < b ∧ 0 < c) (h₁ : c < a + b) (h₂ : b < a + c)\n' +
      '    (h₃ : a < b + c) :\n    a ^ 2 * (b + c - a) + b ^ 2 * (c + a - b) + c ^ 2 * (a + b - c) ≤ 3 * a * b * c := by\n',
  },
];
const index = new ContaminationIndex(items, [13, 30], { usa: 'usamo' });
const scan = (p: string, text: string) => index.scan({ source: 'mathlib4', path: p, text }, tokenHashes(text));

describe('decontamination', () => {
  test('a miniF2F statement planted in a Mathlib-like file is found, with the item name and the n-gram', () => {
    const clean = mathlibLike('Widget', 5, 1);
    assert.deepEqual(scan('Mathlib/Widget.lean', clean), []);
    const planted = clean.replace(
      'end Widget',
      // Re-wrapped, re-spaced and re-bracketed, as a copy pasted into another file would be.
      'theorem  my_gcd (n : ℕ) (h₀ : 0 < n) :\n    Nat.gcd ((21*n) + 4) (14*n + 3) = 1 := by\n  sorry\n\nend Widget',
    );
    const found = scan('Mathlib/Widget.lean', planted);
    const at13 = found.find((o) => o.n === 13);
    assert.ok(at13, JSON.stringify(found));
    assert.equal(at13.item, 'imo_1959_p1');
    assert.equal(at13.split, 'test');
    assert.equal(at13.kind, 'ngram');
    // Thirteen words, each with the symbols after it, lowercased, evenly spaced, without brackets.
    assert.equal(at13.ngram, 'n : ℕ h₀ : 0 < n : nat.gcd 21 * n + 4 14 * n + 3 = 1 : =');
    assert.equal(at13.line, planted.split('\n').findIndex((l) => l.includes('my_gcd')) + 1);
    // The statement is shorter than 30 words: no 30-gram overlap.
    assert.equal(
      found.some((o) => o.n === 30),
      false,
    );
  });

  test('a long statement copied whole overlaps at 30 words too; one record per item and size', () => {
    const text = `-- a test file\n${items[1]?.text}  nlinarith [sq_nonneg (a - b), sq_nonneg (b - c)]\n`;
    const found = scan('test/Algebra.lean', text);
    assert.deepEqual(
      found.map((o) => [o.item, o.n]),
      [
        ['imo_1964_p2', 13],
        ['imo_1964_p2', 30],
      ],
    );
    assert.ok((found[0]?.windows ?? 0) > (found[1]?.windows ?? 0));
    assert.match(found[1]?.span ?? '', /^theorem imo_1964_p2 a b c : ℝ h₀ :/);
  });

  test('a shared stretch shorter than 13 words is not an overlap', () => {
    assert.deepEqual(scan('Mathlib/Gcd.lean', 'example : Nat.gcd (21 * n + 4) (14 * n + 3) = 1 := by'), []);
  });

  test('olympiad file names are matched to benchmark problems by contest, year and problem', () => {
    assert.equal(problemId('Compfiles/Imo1959P1.lean'), 'imo-1959-1');
    assert.equal(problemId('Archive/Imo/Imo1959Q1.lean'), 'imo-1959-1');
    assert.equal(problemId('imo_1964_p1_2'), 'imo-1964-1');
    assert.equal(problemId('amc12a_2019_p21'), 'amc12a-2019-21');
    assert.equal(problemId('Compfiles/Usa2020P3.lean', { usa: 'usamo' }), 'usamo-2020-3');
    assert.equal(problemId('mathd_algebra_107'), undefined);
    assert.equal(problemId('Mathlib/Order/Basic.lean'), undefined);
    const match = index.problemMatch({ source: 'compfiles', path: 'Compfiles/Imo1959P1.lean' });
    assert.equal(match?.item, 'imo_1959_p1');
    assert.equal(match?.kind, 'problem-id');
    assert.equal(match?.ngram, 'Imo1959P1 ~ imo_1959_p1 (imo-1959-1)');
    assert.equal(index.problemMatch({ source: 'compfiles', path: 'Compfiles/Imo1960P1.lean' }), undefined);
  });

  test('benchmarks are read from JSONL fields and from folders, filtered by split', async () => {
    const dir = tempDir();
    // Python's json writes NaN for a missing value; the reader takes it as null.
    writeTree(dir, {
      'b.jsonl':
        '{"name": "a_1", "split": "valid", "formal_statement": "theorem a_1 : True", "informal": "Show it."}\n' +
        '{"name": "a_2", "split": "test", "formal_statement": "theorem a_2 : False", "informal": NaN}\n',
    });
    writeTree(dir, { 'thy/test/b_1.thy': 'theory b_1 imports Main begin end', 'thy/notes.txt': 'skip me' });
    const jsonl = await readBenchmark(
      { name: 'b', kind: 'jsonl', path: 'b.jsonl', splitField: 'split', textFields: ['formal_statement', 'informal'] },
      dir,
    );
    assert.deepEqual(
      jsonl.map((i) => [i.name, i.split, i.field]),
      [
        ['a_1', 'valid', 'formal_statement'],
        ['a_1', 'valid', 'informal'],
        ['a_2', 'test', 'formal_statement'],
      ],
    );
    const tests = await readBenchmark(
      { name: 'b', kind: 'jsonl', path: 'b.jsonl', splitField: 'split', splits: ['test'] },
      dir,
    );
    assert.deepEqual(
      tests.map((i) => i.name),
      ['a_2'],
    );
    const folder = await readBenchmark({ name: 't', kind: 'folder', path: 'thy', extensions: ['.thy'] }, dir);
    assert.deepEqual(
      folder.map((i) => [i.name, i.split, i.field]),
      [['b_1', 'test', 'file']],
    );
    await assert.rejects(readBenchmark({ name: 'x', kind: 'jsonl', path: 'missing.jsonl' }, dir), /ENOENT/);
  });
});
