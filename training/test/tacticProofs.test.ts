// Tactic proofs cut into (proof so far, next tactic) steps, and the examples rendered from them with the serving
// prompt format (provertext/lean/tacticProofs.ts, training/src/data/tacticExamples.ts), and the goal-known pairs the
// runtime reads from a file above a proof (provertext/lean/fileExamples.ts), which must be the examples' own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getPromptFormat } from '@llemma/model/prompts';
import { fileExamples, tacticProofs } from '@llemma/prover-text/lean';
import { emptyExampleCounts, examplesOf, isHeldOut, unknownGoal } from '../src/data/tacticExamples';
import { tacticOfTarget } from '../src/eval/firstTactics';

const keywords = new Set(['theorem', 'lemma', 'example', 'problem']);

const file = `/-
Copyright (c) 2024. Released under Apache 2.0 license.
-/
import Mathlib.Tactic

open Nat

/-- A doc comment with \`by simp\` in it. -/
@[simp] theorem foo (n : ℕ) (h : 0 < n) : n ≠ 0 ∧ True := by
  -- a comment line: "by" and \`·\` here are not code
  constructor
  · intro h2 -- trailing comment
    simp at h2
    omega
  · have hq : True := by
      trivial
    exact hq

lemma bar (a b : ℝ) (hab : a = b) : b = a := by simp [hab]

theorem quoted (s : String) (h : s = "by -- not a comment") : s.length = 19 := by
  subst h
  /- a block comment
     spanning lines -/
  rfl

example : (2 : ℕ) + 2 = 4 := by
  calc (2 : ℕ) + 2 = 2 * 2 := by
        norm_num
    _ = 4 := rfl

def notATheorem (n : ℕ) : ℕ := by exact n

theorem termProof : True := trivial

theorem unfinished : 1 = 1 := by
  sorry

theorem rec (n : ℕ) : n + 0 = n := by
  induction n with
  | zero => rfl
  | succ k ih =>
    simp
termination_by n
`;

const proofs = tacticProofs(file, keywords);
const byName = (name: string) => {
  const p = proofs.find((q) => q.name === name);
  assert.ok(p, `no proof ${name}`);
  return p;
};
const pairs = (name: string) => byName(name).steps.map((s) => [s.before.join('\n'), s.tactic]);

describe('tactic proofs', () => {
  test('finds the tactic proofs of theorem/lemma/example, not defs or term proofs', () => {
    assert.deepEqual(
      proofs.map((p) => p.name),
      ['foo', 'bar', 'quoted', 'example', 'unfinished', 'rec'],
    );
    assert.equal(byName('foo').line, 9);
    assert.equal(byName('foo').statement, 'theorem foo (n : ℕ) (h : 0 < n) : n ≠ 0 ∧ True');
    assert.equal(byName('foo').goal, 'n : ℕ\nh : 0 < n\n⊢ n ≠ 0 ∧ True');
  });

  test('bullets and `have … := by` blocks: one step per tactic line, nesting kept in the prefix', () => {
    assert.deepEqual(pairs('foo'), [
      ['', 'constructor'],
      ['constructor', '· intro h2\n  simp at h2\n  omega'],
      ['constructor\n· intro h2', 'simp at h2'],
      ['constructor\n· intro h2\n  simp at h2', 'omega'],
      ['constructor\n· intro h2\n  simp at h2\n  omega', '· have hq : True := by\n    trivial\n  exact hq'],
      ['constructor\n· intro h2\n  simp at h2\n  omega\n· have hq : True := by', 'trivial'],
      ['constructor\n· intro h2\n  simp at h2\n  omega\n· have hq : True := by\n    trivial', 'exact hq'],
    ]);
    assert.deepEqual(
      byName('foo').steps.map((s) => s.line),
      [11, 12, 13, 14, 15, 16, 17],
    );
  });

  test('a proof on the `by` line, strings that look like comments, block comments between tactics', () => {
    assert.deepEqual(pairs('bar'), [['', 'simp [hab]']]);
    assert.equal(
      byName('quoted').statement,
      'theorem quoted (s : String) (h : s = "by -- not a comment") : s.length = 19',
    );
    assert.deepEqual(pairs('quoted'), [
      ['', 'subst h'],
      ['subst h', 'rfl'],
    ]);
  });

  test('calc: the whole calc is one tactic; a step proof on its own line is a step of its own', () => {
    assert.deepEqual(pairs('example'), [
      ['', 'calc (2 : ℕ) + 2 = 2 * 2 := by\n      norm_num\n  _ = 4 := rfl'],
      ['calc (2 : ℕ) + 2 = 2 * 2 := by', 'norm_num'],
    ]);
    assert.equal(byName('example').goal, '⊢ (2 : ℕ) + 2 = 4');
  });

  test('`sorry` marks a proof incomplete; `termination_by` ends the tactic block', () => {
    assert.equal(byName('unfinished').incomplete, true);
    assert.equal(byName('foo').incomplete, false);
    assert.deepEqual(pairs('rec'), [
      ['', 'induction n with\n| zero => rfl\n| succ k ih =>\n  simp'],
      ['induction n with\n| zero => rfl\n| succ k ih =>', 'simp'],
    ]);
  });

  test('CRLF line ends read like LF', () => {
    assert.deepEqual(
      tacticProofs(file.replace(/\n/g, '\r\n'), keywords).map((p) => p.steps),
      proofs.map((p) => p.steps),
    );
  });
});

describe('tactic examples', () => {
  const format = getPromptFormat('proof-prefix');
  const limits = { maxPromptChars: 8000, maxTargetChars: 2000 };

  test('prompt and target come from the serving prompt module; the first step and stated blocks know their goal', () => {
    const counts = emptyExampleCounts();
    const doc = { source: 'test', path: 'Foo.lean' };
    const examples = examplesOf(doc, proofs, format, limits, counts);
    const foo = examples.filter((e) => e.theorem === 'foo');
    assert.equal(foo.length, 7);
    const statement = 'theorem foo (n : ℕ) (h : 0 < n) : n ≠ 0 ∧ True';
    assert.equal(
      foo[0]?.prompt,
      format.render({ theorem: statement, tactics: [], goals: ['n : ℕ\nh : 0 < n\n⊢ n ≠ 0 ∧ True'] }),
    );
    assert.equal(foo[0]?.target, format.target('constructor'));
    assert.equal(
      foo[2]?.prompt,
      format.render({ theorem: statement, tactics: ['constructor', '· intro h2'], goals: [unknownGoal] }),
    );
    // The first tactic of `have hq : True := by` knows its goal from the header, with the theorem's binders.
    assert.deepEqual(
      foo.map((e) => [e.step, e.goalKnown, e.line]),
      [0, 1, 2, 3, 4, 5, 6].map((k) => [k, k === 0 || k === 5, 11 + k]),
    );
    assert.deepEqual(
      foo.map((e) => e.goalFrom),
      ['statement', null, null, null, null, 'have', null],
    );
    assert.equal(foo[5]?.goal, 'n : ℕ\nh : 0 < n\n⊢ True');
    assert.equal(foo[5]?.prompt.includes('Tactic state:\n---\nn : ℕ\nh : 0 < n\n⊢ True\n---'), true);
    // `unfinished` is skipped as incomplete; every other step is an example; `hq` and the calc step state goals.
    assert.deepEqual(counts, {
      proofs: 6,
      incomplete: 1,
      withGoal: 5,
      statedGoals: 2,
      inline: 0,
      termProofs: 0,
      examples: 14,
      tooLong: 0,
    });
  });

  test('too long prompts or targets are skipped and counted', () => {
    const counts = emptyExampleCounts();
    const examples = examplesOf(
      { source: 't', path: 'F.lean' },
      proofs,
      format,
      { ...limits, maxTargetChars: 20 },
      counts,
    );
    assert.ok(examples.every((e) => e.target.length <= 20));
    assert.equal(counts.tooLong, 4);
    assert.equal(counts.examples + counts.tooLong, 14);
  });

  test('the held-out split is by file, stable, and near the asked fraction', () => {
    const paths = Array.from({ length: 4000 }, (_, i) => `Mathlib/File${i}.lean`);
    const held = paths.filter((p) => isHeldOut({ source: 'mathlib4', path: p }, 0.1, 7));
    assert.ok(held.length > 320 && held.length < 480, `${held.length} of 4000 held out`);
    assert.deepEqual(
      held,
      paths.filter((p) => isHeldOut({ source: 'mathlib4', path: p }, 0.1, 7)),
    );
    assert.notDeepEqual(
      held,
      paths.filter((p) => isHeldOut({ source: 'mathlib4', path: p }, 0.1, 8)),
    );
  });
});

describe("the runtime's goal-known pairs of a file", () => {
  test('are the goal-known examples the training data holds for the same text, in file order', () => {
    const format = getPromptFormat('proof-prefix');
    const examples = examplesOf(
      { source: 'fixture', path: 'Fixture.lean' },
      proofs,
      format,
      { maxPromptChars: 100_000, maxTargetChars: 100_000 },
      emptyExampleCounts(),
    );
    const known = examples
      .filter((e) => e.goal !== null)
      .map((e) => ({
        goal: e.goal,
        tactic: tacticOfTarget(e.target, 'proof-prefix'),
        step: e.step === 0 && !e.inline ? 'first' : 'later',
        line: e.line,
      }))
      .sort((a, b) => a.line - b.line);
    const runtime = fileExamples(file);
    assert.ok(runtime.length >= 5, JSON.stringify(runtime));
    assert.deepEqual(runtime, known);
    // The first step of foo, with its goal from the binders; nothing of the proof with `sorry`.
    assert.deepEqual(runtime[0], {
      goal: 'n : ℕ\nh : 0 < n\n⊢ n ≠ 0 ∧ True',
      tactic: 'constructor',
      step: 'first',
      line: 11,
    });
    assert.ok(!runtime.some((e) => e.tactic.includes('sorry')));
  });
});
