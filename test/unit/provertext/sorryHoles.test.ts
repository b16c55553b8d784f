import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillHoles, holeCommand, holeNames, isHoleAxiom } from '@llemma/prover-text/lean';

const nonce = '0123456789abcdef';
const token = `llemma_hole_${nonce}`;
const nothingKept = { from: 0, to: 0 };

describe('fillHoles', () => {
  it("writes the user's `sorry` and `admit` in code as the hole, in term and tactic position", () => {
    const text = [
      'theorem t (n : ℕ) : n = n ∧ True := by',
      '  refine ⟨?_, sorry⟩',
      '  have h : n = n := by admit',
      '  exact (sorry : n = n)',
    ].join('\n');
    const filled = fillHoles(text, nothingKept, nonce);
    assert.equal(filled.holes, 3);
    assert.equal(
      filled.text,
      [
        'theorem t (n : ℕ) : n = n ∧ True := by',
        `  refine ⟨?_, ${token}⟩`,
        `  have h : n = n := by ${token}`,
        `  exact (${token} : n = n)`,
      ].join('\n'),
    );
  });

  it('leaves comments, strings, longer names and quoted names alone', () => {
    const text = [
      '  simp -- sorry, later',
      '  /- sorry -/ trivial /-- admit -/',
      '  exact "sorry"',
      '  exact sorry_lemma h.sorry sorryAx admitted',
      '  exact «sorry»',
    ].join('\n');
    assert.deepEqual(fillHoles(text, nothingKept, nonce), { text, holes: 0 });
  });

  it("never touches the proof's own range, and keeps every line where it was", () => {
    const prefix = 'theorem t : p ∧ q := by\n  refine ⟨sorry, ?_⟩\n';
    const proof = '  exact sorry';
    const suffix = '\n  -- done\n  all_goals sorry';
    const filled = fillHoles(prefix + proof + suffix, { from: prefix.length, to: prefix.length + proof.length }, nonce);
    assert.equal(filled.holes, 2);
    const lines = filled.text.split('\n');
    assert.equal(lines.length, 5);
    assert.deepEqual(lines.slice(1), [`  refine ⟨${token}, ?_⟩`, '  exact sorry', '  -- done', `  all_goals ${token}`]);
  });
});

describe('the hole', () => {
  it('is declared at the root as three axioms and two macros, term and tactic', () => {
    const cmd = holeCommand(nonce);
    const axiom = `llemmaHole_${nonce}`;
    assert.deepEqual(cmd.split('\n'), [
      `axiom _root_.${axiom} : Prop`,
      `axiom _root_.${axiom}.key : ${axiom}`,
      `axiom _root_.${axiom}.fill.{u_llemma} {T_llemma : Sort u_llemma} : ${axiom} → T_llemma`,
      `macro "${token}" : term => \`(${axiom}.fill ${axiom}.key)`,
      `macro "${token}" : tactic => \`(tactic| exact ${axiom}.fill ${axiom}.key)`,
      'noncomputable section',
    ]);
  });

  it('names only its own axioms, and takes only a hex nonce', () => {
    assert.ok(isHoleAxiom(`llemmaHole_${nonce}`, nonce));
    assert.ok(isHoleAxiom(`llemmaHole_${nonce}.fill`, nonce));
    assert.ok(!isHoleAxiom('sorryAx', nonce));
    assert.ok(!isHoleAxiom(`llemmaHole_${nonce}x`, nonce));
    assert.ok(!isHoleAxiom('llemmaHole_ffff.fill', nonce));
    assert.throws(() => holeNames('x y'), /lowercase hex/);
  });
});
