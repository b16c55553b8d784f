// The one-pass tactic-line walk (training/src/data/tacticLines.ts) must say, for every line of a proof, exactly what
// the language server's `placeProbe` says for a cursor there: the examples are cut where the server probes goals.
// Checked on the server's own test fixture and, where the data folder is present, on real Mathlib and compfiles proofs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { proofBy } from '../../server/provers/lean/source/goalProbe';
import { scanLean, topLevelCommands } from '../../server/provers/lean/source/leanSource';
import { lineOf, lineStarts } from '../../server/provers/lean/source/sourcePosition';
import { placeProbe } from '../../server/provers/lean/source/tacticBlocks';
import { repoDir } from '../src/config';
import { jsonlRows } from '../src/data/documents';
import { placeEveryLine } from '../src/data/tacticLines';
import { dataDirForTests } from './helpers';

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
    const fixture = path.join(repoDir, 'test', 'fixtures', 'lean', 'Tricky.lean');
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

const dataDir = dataDirForTests();
const skip = dataDir ? false : 'no corpus (set LLEMMA_DATA_DIR to the data folder)';

describe('every line at once = placeProbe line by line, on real proofs', { skip }, () => {
  test('every proof line of a spread of Mathlib files and of compfiles', async () => {
    let lines = 0;
    let files = 0;
    for (const [file, every] of [
      ['mathlib4/mathlib4_lean_files.jsonl', 40],
      ['compfiles/compfiles_lean_files.jsonl', 8],
    ] as const) {
      let row = 0;
      for await (const r of jsonlRows(path.join(dataDir as string, file))) {
        // A fixed spread (every k-th file) keeps the quadratic placeProbe side of the comparison to seconds.
        if (row++ % every !== 0 || typeof r['text'] !== 'string') continue;
        if ((r['text'] as string).length > 60_000) continue;
        lines += compareAll(r['text'] as string, String(r['path']));
        files++;
      }
    }
    assert.ok(files > 150 && lines > 15_000, `${lines} lines of ${files} files`);
  });
});
