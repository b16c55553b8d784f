import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decisionProcedures } from '@llemma/prover-text/isabelle';
import { screenStep } from '../../../server/provers/isabelle/stepScreen';

describe('screenStep', () => {
  it('admits the decision procedures and ordinary steps', () => {
    for (const s of [
      ...decisionProcedures,
      'apply (rule allI)',
      'apply (induct n)',
      'using assms by (auto simp: algebra_simps power2_eq_square)',
      'unfolding g_def by (rule someI)',
      'by (metis ln_gt_zero of_nat_1 of_nat_less_iff pos_add_strict)',
      'apply (simp add: \\<open>x > 0\\<close>)',
      'done',
    ]) {
      assert.deepEqual(screenStep(s), { ok: true, step: s }, s);
    }
  });
  it('refuses what runs ML, changes the theory, gives up a proof or is not one step', () => {
    for (const s of [
      'sorry',
      'oops',
      'by (tactic \\<open>all_tac\\<close>)',
      'apply (raw_tactic ‹K all_tac›)',
      'ML_val ‹OS.Process.system "rm -rf ~"›',
      'by auto\nlemma x: False sorry',
      'lemma foo: "False"',
      'apply (simp add: @{thm refl})',
      'by (simp',
      'using assms',
      'intro allI',
      'by simp \u202e',
      `by ${'simp '.repeat(200)}`,
      'declare [[show_types]]',
      'sledgehammer',
    ]) {
      assert.equal(screenStep(s).ok, false, s);
    }
  });
});
