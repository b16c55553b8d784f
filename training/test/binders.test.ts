// The first goal rendered from a statement's binders (training/src/data/binders.ts), against hand-written cases and,
// where the data folder is present, against the goals Lean itself printed for miniF2F (DeepSeek-Prover's `goal`).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { renderGoal } from '@llemma/prover-text/lean';
import { dataDirForTests } from './helpers';

describe('goal from binders', () => {
  test('explicit binders become hypotheses, the type after the colon the target', () => {
    assert.equal(renderGoal('theorem t (n : ℕ) (h : 0 < n) : P n', 'theorem', 't'), 'n : ℕ\nh : 0 < n\n⊢ P n');
  });

  test('consecutive hypotheses of one type share a line, as Lean prints them', () => {
    assert.equal(
      renderGoal('lemma t (x y : ℝ) (z : ℝ) (h₀ : x < y) : x + z < y + z', 'lemma', 't'),
      'x y z : ℝ\nh₀ : x < y\n⊢ x + z < y + z',
    );
  });

  test('implicit, strict-implicit and instance binders; Type* gets a universe per name', () => {
    assert.equal(
      renderGoal(
        'theorem Finset.foo {α β : Type*} ⦃s : Finset α⦄ {{t : Finset β}} [DecidableEq α] [inst : Fintype β] [Nonempty α] :\n    s.card ≤ s.card',
        'theorem',
        'Finset.foo',
      ),
      [
        'α : Type u_1',
        'β : Type u_2',
        's : Finset α',
        't : Finset β',
        'inst✝¹ : DecidableEq α',
        'inst : Fintype β',
        'inst✝ : Nonempty α',
        '⊢ s.card ≤ s.card',
      ].join('\n'),
    );
  });

  test('shadowed names get ✝, anonymous binders are inaccessible, defaults and comments are dropped', () => {
    assert.equal(
      renderGoal(
        'example (h₀ : 0 < a) (h₀ : a = 1) /- note -/ (_ : b = 2) (k : ℕ := 5) -- end\n  : a = 1',
        'example',
        'example',
      ),
      'h₀✝ : 0 < a\nh₀ : a = 1\nx✝ : b = 2\nk : ℕ\n⊢ a = 1',
    );
  });

  test('types with colons, brackets and functions; multi-line statements collapse to one line', () => {
    assert.equal(
      renderGoal(
        'theorem t (f : ℕ → ℕ) (h : ∀ x : ℕ, f (f x) = x)\n    (g : (n : ℕ) → Fin (n + 1)) :\n    f (f 0) =\n      0',
        'theorem',
        't',
      ),
      'f : ℕ → ℕ\nh : ∀ x : ℕ, f (f x) = x\ng : (n : ℕ) → Fin (n + 1)\n⊢ f (f 0) = 0',
    );
  });

  test('what the text cannot say is undefined, not guessed', () => {
    assert.equal(renderGoal('theorem t (n) : n = n', 'theorem', 't'), undefined);
    assert.equal(renderGoal('theorem t : ', 'theorem', 't'), undefined);
    assert.equal(renderGoal('theorem t.{u} (α : Sort u) : True', 'theorem', 't'), 'α : Sort u\n⊢ True');
  });
});

const dataDir = dataDirForTests();
const file = dataDir && path.join(dataDir, 'minif2f-lean4', 'deepseek_prover_v1.5_minif2f.jsonl');
const skip = file && existsSync(file) ? false : 'no miniF2F data (set LLEMMA_DATA_DIR)';

describe('goal from binders against Lean (miniF2F, 488 goals printed by Lean)', { skip }, () => {
  test('the hypotheses (names, order, shadowing) match Lean for at least 98 % of the statements', () => {
    const rows = readFileSync(file as string, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; formal_statement: string; goal: string });
    // Lean's own goal wraps long lines (continuations are indented); compare the hypothesis names and the `⊢`.
    const shape = (goal: string) =>
      goal
        .split('\n')
        .filter((l) => !l.startsWith(' '))
        .map((l) => (l.startsWith('⊢') ? '⊢' : l.split(' : ')[0]))
        .join('|');
    let same = 0;
    let exact = 0;
    for (const r of rows) {
      const goal = renderGoal(r.formal_statement.replace(/:=\s*by\s*$/, ''), 'theorem', r.name);
      if (goal !== undefined && shape(goal) === shape(r.goal)) same++;
      if (goal === r.goal) exact++;
    }
    assert.equal(rows.length, 488);
    assert.ok(same >= 0.98 * rows.length, `${same} of 488`);
    // Whole goals differ where Lean elaborates (casts ↑, `√`, `∑ x ∈`); still, many are exactly Lean's text.
    assert.ok(exact >= 200, `${exact} exactly equal`);
  });
});
