// Goals the proof text states (training/src/data/blockGoals.ts) and the examples they add (tacticProofs.ts,
// tacticExamples.ts): `have`/`obtain` blocks, `show`, `suffices`, `calc` steps and tactics after `by` on a header's
// line, each rendered with the theorem's binders.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getPromptFormat } from '@llemma/model/prompts';
import {
  calcStep,
  haveGoal,
  inlineTactic,
  renderBlockGoal,
  showGoal,
  sufficesGoal,
  tacticProofs,
} from '@llemma/prover-text/lean';
import { emptyExampleCounts, examplesOf } from '../src/data/tacticExamples';

describe('headers that state a goal', () => {
  test('have, haveI, replace and obtain: binders and the type up to `:=`', () => {
    assert.deepEqual(haveGoal('have h2 : 0 ≤ n := by'), { from: 'have', binders: '', conclusion: '0 ≤ n' });
    assert.deepEqual(haveGoal('· have h (x : ℕ) {y : ℕ} : x + y = y + x := by omega'), {
      from: 'have',
      binders: '(x : ℕ) {y : ℕ}',
      conclusion: 'x + y = y + x',
    });
    assert.equal(haveGoal('haveI : Fact p.Prime := ⟨hp⟩')?.conclusion, 'Fact p.Prime');
    assert.equal(haveGoal('obtain ⟨k, hk⟩ : ∃ k, n = 2 * k := by')?.conclusion, '∃ k, n = 2 * k');
    assert.equal(haveGoal('replace h : a ≤ b := by')?.conclusion, 'a ≤ b');
    assert.equal(haveGoal('have := h.le'), undefined);
    assert.equal(haveGoal('have h := by'), undefined);
    assert.equal(haveGoal('haveOther : P := by'), undefined);
  });

  test('show with and without a proof, suffices with by or from', () => {
    assert.deepEqual(showGoal('show a ≤ b'), { from: 'show', binders: '', conclusion: 'a ≤ b', closes: false });
    assert.equal(showGoal('show a ≤ b by simp')?.closes, true);
    assert.equal(showGoal('show a ≤ b from h')?.conclusion, 'a ≤ b');
    assert.equal(showGoal('show a ≤ b; simp'), undefined);
    assert.equal(sufficesGoal('suffices h : 0 < n by omega')?.conclusion, '0 < n');
    assert.equal(sufficesGoal("suffices 0 < n from this.ne'")?.conclusion, undefined);
    assert.equal(sufficesGoal("suffices : 0 < n from this.ne'")?.conclusion, '0 < n');
    assert.equal(sufficesGoal('suffices h : 0 < n'), undefined);
  });

  test('calc: the first relation, a step from the previous right-hand side, and the bare first term', () => {
    const first = calcStep('calc a + 0 = a := by', undefined);
    assert.deepEqual(first, { goal: { from: 'calc', binders: '', conclusion: 'a + 0 = a' }, rhs: 'a' });
    assert.deepEqual(calcStep('_ ≤ f (x, y) := by gcongr', 'a')?.goal?.conclusion, 'a ≤ f (x, y)');
    assert.deepEqual(calcStep('calc a + b', undefined), { goal: undefined, rhs: 'a + b' });
    assert.equal(calcStep('exact h', 'a'), undefined);
    // ASCII arrows are not relations.
    assert.equal(calcStep('_ = (fun x => x) a := by rfl', 'b')?.goal?.conclusion, 'b = (fun x => x) a');
  });

  test('a tactic after a top-level `by`, not one inside brackets', () => {
    assert.deepEqual(inlineTactic('have h : P := by simp [h]'), { header: 'have h : P := by', tactic: 'simp [h]' });
    assert.equal(inlineTactic('exact foo (by simp)'), undefined);
    assert.equal(inlineTactic('have h : P := by'), undefined);
  });

  test('a block goal has the theorem binders, then the block’s own, which shadow them', () => {
    const statement = 'theorem t (x : ℕ) (h : 0 < x) : x ≠ 0';
    assert.equal(renderBlockGoal(statement, 'theorem', 't', '', '0 ≤ x'), 'x : ℕ\nh : 0 < x\n⊢ 0 ≤ x');
    assert.equal(
      renderBlockGoal(statement, 'theorem', 't', '(x : ℤ)', 'x ≤ x'),
      // Lean would also print the shadowed name inside `h`'s type; the text alone does not rename types.
      'x✝ : ℕ\nh : 0 < x\nx : ℤ\n⊢ x ≤ x',
    );
  });
});

const file = `import Mathlib

theorem t (n : ℕ) (h : 0 < n) : n ≠ 0 ∧ 0 ≤ n := by
  have h2 (m : ℕ) : m ≤ m + n := by omega
  obtain ⟨k, hk⟩ : ∃ k, n = k + 1 := by
    exact ⟨n - 1, by omega⟩
  refine ⟨?_, fun x => by
    simp⟩
  · suffices hh : 0 < n by
      omega
    show 0 < n
    exact h

theorem c (a b : ℕ) : a + b = b + a := by
  calc a + b = b + a + 0 := by
        simp [Nat.add_comm]
    _ = b + a := by rfl

theorem term (x : ℝ) (hx : 0 < x) : x / x = 1 :=
  have h : x ≠ 0 := by positivity
  calc x / x = x * x⁻¹ := by
        rw [div_eq_mul_inv]
    _ = 1 := mul_inv_cancel₀ h

theorem plainTerm : True := trivial
`;

describe('examples with stated goals', () => {
  const proofs = tacticProofs(file, new Set(['theorem']));
  const format = getPromptFormat('proof-prefix');
  const counts = emptyExampleCounts();
  const examples = examplesOf(
    { source: 's', path: 'T.lean' },
    proofs,
    format,
    { maxPromptChars: 8e3, maxTargetChars: 2e3 },
    counts,
  );
  const tactic = (target: string) => target.slice(1, -4);
  const known = examples.filter((e) => e.goalKnown).map((e) => [tactic(e.target), e.goalFrom, e.inline, e.goal]);

  test('each form gives its block’s first tactic (or the next one) the goal, with the theorem’s binders', () => {
    assert.deepEqual(known, [
      ['have h2 (m : ℕ) : m ≤ m + n := by omega', 'statement', false, 'n : ℕ\nh : 0 < n\n⊢ n ≠ 0 ∧ 0 ≤ n'],
      ['exact ⟨n - 1, by omega⟩', 'have', false, 'n : ℕ\nh : 0 < n\n⊢ ∃ k, n = k + 1'],
      // After `suffices hh : 0 < n by …` (whose block proves the original goal), the goal is `0 < n`.
      ['show 0 < n', 'suffices', false, 'n : ℕ\nh : 0 < n\n⊢ 0 < n'],
      ['exact h', 'show', false, 'n : ℕ\nh : 0 < n\n⊢ 0 < n'],
      // A proof's inline tactics come after its steps.
      ['omega', 'have', true, 'n : ℕ\nh : 0 < n\nm : ℕ\n⊢ m ≤ m + n'],
      [
        'calc a + b = b + a + 0 := by\n      simp [Nat.add_comm]\n  _ = b + a := by rfl',
        'statement',
        false,
        'a b : ℕ\n⊢ a + b = b + a',
      ],
      ['simp [Nat.add_comm]', 'calc', false, 'a b : ℕ\n⊢ a + b = b + a + 0'],
      ['rfl', 'calc', true, 'a b : ℕ\n⊢ b + a + 0 = b + a'],
      // A term-mode proof has no steps, only its `by` blocks with stated goals.
      ['positivity', 'have', true, 'x : ℝ\nhx : 0 < x\n⊢ x ≠ 0'],
      ['rw [div_eq_mul_inv]', 'calc', true, 'x : ℝ\nhx : 0 < x\n⊢ x / x = x * x⁻¹'],
    ]);
    // Not in the list: the block of `suffices … by` (it proves the original goal, unknown there) and the `by` of
    // `refine ⟨?_, fun x => by` (a term inside `refine`, whose goal the text does not state).
    assert.ok(examples.some((e) => tactic(e.target) === 'omega' && !e.inline && !e.goalKnown));
    assert.deepEqual(
      { statedGoals: counts.statedGoals, inline: counts.inline, termProofs: counts.termProofs },
      { statedGoals: 4, inline: 4, termProofs: 1 },
    );
  });

  test('an inline tactic’s prompt shows the proof so far up to its header’s `by`', () => {
    const omega = examples.find((e) => e.inline && tactic(e.target) === 'omega');
    assert.equal(
      omega?.prompt,
      format.render({
        theorem: 'theorem t (n : ℕ) (h : 0 < n) : n ≠ 0 ∧ 0 ≤ n',
        tactics: ['have h2 (m : ℕ) : m ≤ m + n := by'],
        goals: ['n : ℕ\nh : 0 < n\nm : ℕ\n⊢ m ≤ m + n'],
      }),
    );
    assert.deepEqual([omega?.step, omega?.line], [0, 4]);
    const positivity = examples.find((e) => tactic(e.target) === 'positivity');
    assert.equal(
      positivity?.prompt,
      format.render({
        theorem: 'theorem term (x : ℝ) (hx : 0 < x) : x / x = 1',
        tactics: [],
        goals: ['x : ℝ\nhx : 0 < x\n⊢ x ≠ 0'],
      }),
    );
    assert.deepEqual(
      proofs.map((p) => [p.name, p.termMode]),
      [
        ['t', false],
        ['c', false],
        ['term', true],
      ],
    );
  });
});
