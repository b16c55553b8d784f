import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getPromptFormat } from '@llemma/model';
import { mostFrequent, normalizeTactic, pairedTopN, score, signTestP, tacticOfTarget } from '../src/eval/firstTactics';

describe('first-tactic evaluation', () => {
  it('reads the tactic of a target the way the runtime parses a completion', () => {
    const format = getPromptFormat('proof-prefix');
    for (const tactic of ['simp', 'rw [h] at h₁ ⊢', 'induction n with\n  | zero => rfl\n  | succ k ih => simp']) {
      assert.equal(tacticOfTarget(format.target(tactic), 'proof-prefix'), tactic);
    }
  });

  it('compares tactics with whitespace normalised', () => {
    assert.equal(normalizeTactic('  simp  only [a,  b]\n  at h '), 'simp only [a, b] at h');
    assert.deepEqual(score('simp only [a]', ['rfl', 'simp  only [a]'], 8), { top1: 0, topN: 1 });
    assert.deepEqual(score('rfl', [' rfl'], 8), { top1: 1, topN: 1 });
    assert.deepEqual(score('ring', ['a', 'b', 'ring'], 2), { top1: 0, topN: 0 });
  });

  it('ranks the baseline by frequency, ties alphabetically', () => {
    assert.deepEqual(mostFrequent(['simp', 'ext', 'simp ', 'rfl', 'ext', 'aesop'], 3), [
      { tactic: 'ext', count: 2 },
      { tactic: 'simp', count: 2 },
      { tactic: 'aesop', count: 1 },
    ]);
  });

  it('gives the exact two-sided sign test of a paired comparison', () => {
    assert.equal(signTestP(0, 0), 1);
    assert.equal(signTestP(3, 3), 1);
    assert.equal(signTestP(1, 0), 1); // one flip: either way is as likely
    assert.equal(signTestP(5, 0), 2 / 32);
    assert.equal(signTestP(0, 5), 2 / 32);
    assert.ok(Math.abs(signTestP(8, 2) - (2 * (1 + 10 + 45)) / 1024) < 1e-15);
    // Large counts stay finite and symmetric.
    const p = signTestP(150, 110);
    assert.ok(p > 0.01 && p < 0.02, String(p));
    assert.equal(signTestP(110, 150), p);
    // Thousands of disagreements (the whole held-out split): an even split is not significant, an uneven one is.
    assert.ok(Math.abs(signTestP(3000, 3000) - 1) < 1e-9);
    const q = signTestP(3100, 2900);
    assert.ok(q > 0.009 && q < 0.012, String(q));
    assert.ok(signTestP(4000, 2000) > 0 && signTestP(4000, 2000) < 1e-100);
  });

  it('counts the theorems only one side gets right at top-n', () => {
    const gold = ['simp', 'rfl', 'ring', 'intro x'];
    const model = [['simp'], ['ring', 'rfl'], ['omega'], ['intro  x']];
    const baseline = [['simp'], ['simp'], ['ring'], ['simp']];
    assert.deepEqual(pairedTopN(gold, model, baseline, 2), { modelOnly: 2, baselineOnly: 1, p: 1 });
    // At top-1 the model's 'rfl' (second) no longer counts.
    assert.deepEqual(pairedTopN(gold, model, baseline, 1).modelOnly, 1);
  });
});
