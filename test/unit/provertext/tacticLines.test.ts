// `placeEveryLine` (one walk over a whole proof) must say, for every line with code, exactly what `placeProbe` says
// for a cursor there: the training examples are cut where the server probes goals. Both are built on the same block
// walk; this guards what `placeProbe` adds on top of it for one cursor (moving cuts out of multi-line comments).
// Checked on the server's fixture and, where the data folder is present ($LLEMMA_DATA_DIR, ./data or ../shared/data),
// on real Mathlib and compfiles proofs.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import {
  lineOf,
  lineStarts,
  placeEveryLine,
  placeProbe,
  proofBy,
  scanLean,
  topLevelCommands,
} from '@llemma/prover-text/lean';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');

/** Compares the two on every line of every tactic proof in `text`; returns the number of lines compared. */
function compareAll(text: string, where: string): number {
  const src = text.replace(/\r\n?/g, '\n');
  const mask = scanLean(src);
  const starts = lineStarts(src);
  let lines = 0;
  for (const decl of topLevelCommands(src, mask)) {
    const by = proofBy(src, mask, decl);
    if (by === undefined) continue;
    const lastLine = lineOf(starts, Math.max(by, decl.end - 1));
    const all = placeEveryLine(src, mask, starts, by, lastLine);
    for (let line = lineOf(starts, by) + 1; line <= lastLine; line++) {
      if (all[line] === 'blank') continue;
      const one = placeProbe({ src, mask, starts, by, cursor: { line, offset: starts[line] ?? 0 } });
      assert.deepEqual(all[line], one, `${where}: ${decl.name}, line ${line + 1}`);
      lines++;
    }
  }
  return lines;
}

describe('every line at once = placeProbe line by line', () => {
  test('the server fixture with tricky Lean (comments, strings, nested blocks)', () => {
    const fixture = path.join(repo, 'test', 'fixtures', 'lean', 'Tricky.lean');
    assert.ok(compareAll(readFileSync(fixture, 'utf8'), 'Tricky.lean') >= 4);
  });

  test('hand-written shapes: bullets, case arms, conv, brackets across lines, comments inside strings', () => {
    const text = [
      'theorem a (p q : Prop) (hp : p) (hq : q) : p ∧ q := by',
      '  constructor',
      '  · exact hp',
      '  · refine (fun h =>',
      '      h) ?_',
      '    /- a comment',
      '       spanning lines -/',
      '    exact hq',
      '',
      'theorem b (n : ℕ) : n = n := by',
      '  cases n with',
      '  | zero => rfl',
      '  | succ m =>',
      '    conv =>',
      '      lhs',
      '    have : "-- not a comment" = "-- not a comment" := by',
      '      rfl',
      '    rfl',
    ].join('\n');
    assert.ok(compareAll(text, 'inline') >= 12);
  });
});

const dataDir = [process.env.LLEMMA_DATA_DIR, path.join(repo, 'data'), path.join(repo, '..', 'shared', 'data')].find(
  (d) => d !== undefined && existsSync(path.join(d, 'minif2f-lean4')),
);
const skip = dataDir ? false : 'no Lean corpus (set LLEMMA_DATA_DIR to the data folder)';

describe('every line at once = placeProbe line by line, on real proofs', { skip }, () => {
  test('every proof line of a spread of Mathlib files and of compfiles', () => {
    let lines = 0;
    let files = 0;
    for (const [file, every] of [
      ['mathlib4/mathlib4_lean_files.jsonl', 40],
      ['compfiles/compfiles_lean_files.jsonl', 8],
    ] as const) {
      const rows = readFileSync(path.join(dataDir ?? '', file), 'utf8')
        .trim()
        .split('\n');
      // A fixed spread (every k-th file) keeps the quadratic placeProbe side of the comparison to seconds.
      for (let i = 0; i < rows.length; i += every) {
        const r = JSON.parse((rows[i] ?? '').replace(/: NaN\b/g, ': null')) as Record<string, unknown>;
        if (typeof r['text'] !== 'string' || r['text'].length > 60_000) continue;
        lines += compareAll(r['text'], String(r['path']));
        files++;
      }
    }
    assert.ok(files > 150 && lines > 15_000, `${lines} lines of ${files} files`);
  });
});
