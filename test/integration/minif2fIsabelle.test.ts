// `llemma bench minif2f --variant isabelle` as a user runs it: a real CLI process, miniF2F's Isabelle theories with
// their proofs stripped, and the Isabelle server double (test/doubles/isabelleServerDouble.mjs) as `--isabelle`. In
// the double's world `by simp` closes any goal, every other step fails, and the statement of aime_1983_p3 does not
// parse, so of the first three test problems two are proved and one ends in a prover error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { BenchmarkRecord } from '../../protocol';

const root = path.resolve(import.meta.dirname, '..', '..');
const double = path.join(root, 'test', 'doubles', 'isabelleServerDouble.mjs');
const world = {
  root: 'proof (prove)\ngoal (1 subgoal):\n 1. P',
  unknownStepsFail: true,
  steps: {
    'by simp': {},
    'shows "(\\<Prod> (f -` {0})) = 20"': { error: 'Inner syntax error\\<^here>' },
  },
};
const dir = mkdtempSync(path.join(tmpdir(), 'llemma-minif2f-isabelle-'));
const out = path.join(dir, 'results.jsonl');

function llemma(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LLEMMA_REPL: '', ISABELLE_DOUBLE: JSON.stringify({ world, exitWithParent: true }) },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const run = [
  'bench',
  'minif2f',
  '--variant',
  'isabelle',
  '--split',
  'test',
  '--limit',
  '3',
  '--expansions',
  '2',
  '--time',
  '60',
  '--out',
  out,
  '--isabelle',
  double,
];

test('the isabelle variant: stripped theories searched by Isabelle, each record naming its prover', () => {
  const r = llemma(run);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /miniF2F isabelle test: 2 of 3 proved/);
  const records: BenchmarkRecord[] = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const byName = new Map(records.map((x) => [x.problem, x]));
  assert.deepEqual([...byName.keys()].sort(), ['aime_1983_p1', 'aime_1983_p2', 'aime_1983_p3']);
  for (const name of ['aime_1983_p1', 'aime_1983_p2']) {
    const x = byName.get(name)!;
    assert.equal(x.status, 'proved', name);
    // aime_1983_p2 ships `using assms by auto`; the run searched the stripped theory, and found its own proof.
    assert.deepEqual(x.proof, ['by simp'], name);
    assert.deepEqual(x.sources, ['procedures'], name);
    // The embedded default's sources are Lean's: the record says Isabelle's procedures were what was asked.
    assert.deepEqual(x.model.sources, ['procedures'], name);
    assert.ok(
      x.model.skippedSources?.some((s) => s.startsWith('retrieval:')),
      JSON.stringify(x.model),
    );
    assert.equal(x.variant, 'isabelle');
    assert.deepEqual([x.prover.lean, x.prover.mathlib, x.prover.isabelle], [null, null, 'Isabelle2025-2']);
    assert.match(x.prover.replCommand, /isabelleServerDouble\.mjs server -n llemma$/);
  }
  const failed = byName.get('aime_1983_p3')!;
  assert.equal(failed.status, 'proverError');
  assert.match(failed.error ?? '', /Inner syntax error/);

  // Run again: every problem is in the file, none runs twice.
  const again = llemma(run);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 3);

  const report = llemma(['bench', 'report', out, '--markdown']);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /Isabelle2025-2/);
  assert.match(report.stdout, /Isabelle server started as/);
  assert.match(report.stdout, /facebookresearch\/miniF2F Isabelle theories/);
  // The published numbers are Lean 4 runs; they are not set beside an Isabelle run.
  assert.doesNotMatch(report.stdout, /Llemma 7B/);
});

test('bench init writes Lean projects only', () => {
  const r = llemma(['bench', 'init', path.join(dir, 'p'), '--variant', 'isabelle']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bench init writes a Lean project/);
});
