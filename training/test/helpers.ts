// Shared by the training workspace's tests: temporary corpora and the project's data folder when it is present.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import type { EvalStep } from '../src/eval/steps';
import { repoDir } from '../src/run/layout';

/** The data folder as the CLI finds it ($LLEMMA_DATA_DIR, ../shared/data), or undefined. */
export function dataDirForTests(): string | undefined {
  return [process.env['LLEMMA_DATA_DIR'], path.join(repoDir, '..', 'shared', 'data')].find(
    (d): d is string => typeof d === 'string' && d !== '' && existsSync(path.join(d, 'minif2f-lean4')),
  );
}

/** A fresh temporary folder, removed when the test file is done. */
export function tempDir(prefix = 'llemma-training-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `{path, text}` rows as a JSONL corpus file. */
export function writeJsonl(file: string, rows: readonly object[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/** Writes files under `root` from a `{relative path: text}` table. */
export function writeTree(root: string, files: Readonly<Record<string, string>>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
}

/** A Mathlib-looking file: header, namespace and `count` small lemmas with tactic proofs, varied by `seed`. */
export function mathlibLike(name: string, count: number, seed: number): string {
  const lemmas = Array.from({ length: count }, (_, i) => {
    const k = seed * 100 + i;
    return [
      `/-- The ${k}th fact about ${name}: adding ${k} twice is adding ${2 * k}. -/`,
      `theorem ${name}_add_${k} (n : ℕ) (h : ${k} ≤ n + ${k}) : n + ${k} + ${k} = n + ${2 * k} := by`,
      '  have h2 : 0 ≤ n := Nat.zero_le n',
      `  omega`,
    ].join('\n');
  });
  return [
    '/-',
    'Copyright (c) 2024 Someone. All rights reserved.',
    'Released under Apache 2.0 license as described in the file LICENSE.',
    '-/',
    'import Mathlib.Tactic',
    '',
    `namespace ${name}`,
    '',
    ...lemmas.flatMap((l) => [l, '']),
    `end ${name}`,
    '',
  ].join('\n');
}

/** A step of the evaluation's shape: a first step of A.lean whose tactic is `simp`, with `over` changed. */
export const evalStep = (over: Partial<EvalStep>): EvalStep => ({
  source: 'mathlib4',
  path: 'A.lean',
  theorem: 't',
  line: 1,
  step: 0,
  gold: 'simp',
  goal: null,
  statementGoal: null,
  previous: null,
  inline: false,
  ...over,
});
