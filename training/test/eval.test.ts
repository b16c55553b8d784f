import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getPromptFormat } from '../../model/src/index';
import { mostFrequent, normalizeTactic, score, tacticOfTarget } from '../src/eval/firstTactics';

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
});
