// Where the screen finds tactics (server/search/tacticStructure.ts): an unlisted tactic is refused at every place
// Lean starts one, real multi-line tactics pass, brackets must balance and configurations must be plain data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedTactics } from '../../../server/search/tacticAllowList';
import { screenTactic } from '../../../server/search/tacticFilter';
import { tacticPlaces } from './tacticPlaces';

const strict = { allowNativeDecide: false };

function reason(raw: string): string {
  const result = screenTactic(raw, strict);
  assert.equal(result.ok, false, `expected ${JSON.stringify(raw)} to be rejected`);
  return result.ok ? '' : result.reason;
}

function accepted(raw: string): void {
  const result = screenTactic(raw, strict);
  assert.ok(result.ok, `expected ${JSON.stringify(raw)} to pass, got: ${result.ok ? '' : result.reason}`);
}

describe('tactic structure', () => {
  it('refuses an unlisted tactic wherever Lean would start one', () => {
    for (const place of tacticPlaces) {
      for (const tactic of ['polyrith', 'slim_check', 'run_elab_x', 'bv_decide']) {
        const raw = place.replace('P', tactic);
        assert.match(reason(raw), new RegExp(`\`${tactic}\`, which is not a tactic the screen allows`), raw);
      }
      accepted(place.replace('P', 'ring'));
    }
  });

  it('keeps to tactics that run no code and reach nothing outside Lean', () => {
    for (const name of ['run_tac', 'polyrith', 'slim_check', 'plausible', 'bv_decide', 'sleep_heartbeats', 'sorry'])
      assert.equal(allowedTactics.has(name), false, name);
    for (const name of allowedTactics.keys()) assert.match(name, /^[A-Za-z_][\w'!?]*$/, name);
  });

  it('reads terms as terms: a tactic name there is only a name', () => {
    for (const raw of [
      'exact polyrith',
      'exact fun x => polyrith x',
      'exact match h with | 0 => polyrith | _ => h',
      'exact fun\n| 0 => polyrith\n| _ => h',
      'exact\n  polyrith',
      'have h : a = b :=\n  polyrith',
      'calc a = b := polyrith\n  _ = c := rfl',
      'exact (haveI := P; polyrith)',
    ])
      accepted(raw);
  });

  it('accepts the shapes real proofs have', () => {
    for (const raw of [
      'constructor\n· intro h\n  simp at h ⊢\n  omega\n· rintro ⟨x, rfl⟩\n  exact le_refl _',
      'induction n with\n| zero => simp\n| succ n ih =>\n  rw [pow_succ]\n  nlinarith [ih]',
      'calc a = b := by ring\n  _ ≤ c := by\n    gcongr\n    exact h',
      '· calc\n  a = b := by simp\n  _ = c := rfl',
      'rcases h with ⟨x, hx⟩ | h\n· exact hx\n· simpa using h',
      'simpa only [foo, bar]\n  using h',
      'conv =>\n  lhs\n  rw [add_comm]',
      'obtain ⟨x, hx⟩ :\n    ∃ x, p x := by\n  exact ⟨0, h⟩',
      'filter_upwards [h] with x hx using hx.le',
      "rw [show (2 : ℝ) = 1 + 1 by norm_num, ← f ⁻¹' s, f '' t]",
      "exact tsum_le_tsum (fun i => h i) hf (∑' i, g i).le",
      'if h : p then ?_ else simp',
      'induction p using foo with | _ a => _',
    ])
      accepted(raw);
  });

  it('refuses unbalanced brackets, which would change the file around the proof', () => {
    assert.equal(reason('simp)'), 'has an unmatched `)`');
    assert.equal(reason('exact ⟨a, b'), 'has an unclosed bracket (`⟩` missing)');
    assert.equal(reason('exact (a]'), 'has `]` where `)` should close a bracket');
  });

  it('admits only plain data as a configuration, which Lean evaluates', () => {
    for (const raw of [
      'simp (config := { contextual := true }) [foo]',
      'congr! (config := .unfoldSameFun) 2',
      'simp (config := {}) at h',
      'simp (config := { Simp.neutralConfig with proj := true, maxSteps := 100 })',
      'norm_num (config := { randomSeed := some 257, decide := true })',
      'rw (occs := .pos [1, 2]) [h]',
      'aesop (rule_sets := [Sym2])',
      'simp +contextual -zeta [foo]',
    ])
      accepted(raw);
    assert.match(reason('simp (config := { discharger := do pure () })'), /`do`/);
    assert.match(reason('linarith (config := { discharger := writeFile a b })'), /not plain data \(an application\)/);
    assert.match(reason('simp (config := (fun _ => {}) ())'), /not plain data/);
    assert.match(reason('simp (config := { x := "a" })'), /not plain data/);
    assert.equal(reason('aesop (add safe tactic foo)'), 'names a metaprogram to run (`tactic`)');
  });

  it('refuses a pattern bar that Lean would read as part of the pattern before it', () => {
    assert.equal(
      reason('induction n with\n| zero =>\n  obtain a\n| b := h\n  polyrith'),
      'has a line starting with `|` after a pattern',
    );
  });
});
