// Where a proof search can start (provertext/lean/sorrySites.ts): the `sorry`s the editor puts a "Complete Proof"
// lens on, and per declaration the first of them, where `llemma prove` searches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declarationSorries, planGoalQuery, sorrySites } from '@llemma/prover-text/lean';

const text = [
  'import Mathlib',
  '-- sorry in a comment',
  'theorem a (n : ℕ) : n = n := by sorry',
  'theorem b : True := by',
  '  have h : 1 = 1 := by',
  '    sorry',
  '  sorry',
  'def s := "sorry"',
  'theorem c : True := by exact sorry_lemma',
  'example : 2 = 2 := by',
  '  /- sorry -/',
  '  sorry',
  'theorem d : P := sorry',
  'theorem e : P :=',
  '  sorry',
  'theorem f : P ∧ Q := by',
  '  constructor',
  '  · sorry',
  '  · exact foo',
  '      sorry',
  '  have h : p := by sorry',
  '  exact h',
  'theorem g : P := by simp; sorry',
  'theorem h : P := by /- first -/ sorry -- later',
  'instance : Foo where',
  '  bar := by sorry',
  'theorem i (n : ℕ) : P n := by',
  '  induction n',
  '  sorry',
  '  sorry',
  'decreasing_by sorry',
].join('\n');

test('a search starts at a sorry alone at the start of its line in a tactic proof, or right after the proof’s by', () => {
  assert.deepEqual(sorrySites(text), [
    { declaration: 'a', position: { line: 2, character: 32 } },
    { declaration: 'b', position: { line: 5, character: 4 } },
    { declaration: 'b', position: { line: 6, character: 2 } },
    { declaration: 'example', position: { line: 11, character: 2 } },
    { declaration: 'h', position: { line: 23, character: 32 } },
    { declaration: 'i', position: { line: 28, character: 2 } },
    { declaration: 'i', position: { line: 29, character: 2 } },
  ]);
});

test('per declaration: the first sorry, wherever it is, and those a search can start from', () => {
  const found = declarationSorries(text).map((d) => [d.declaration, d.first.line, d.sites.map((p) => p.line)]);
  assert.deepEqual(found, [
    ['a', 2, [2]],
    ['b', 5, [5, 6]],
    ['example', 11, [11]],
    // Term mode: there is no tactic block to search in.
    ['d', 12, []],
    ['e', 14, []],
    // Inside a tactic (a bullet, a continuation line, a `have`'s `by`), the search would replace the whole tactic.
    ['f', 17, []],
    ['g', 22, []],
    ['h', 23, [23]],
    ['instance', 25, []],
    // `decreasing_by` is not part of the tactic proof.
    ['i', 28, [28, 29]],
  ]);
});

test('the rule is the goal query’s: at each sorry of a proof, the replaced text begins at it exactly for the sites', () => {
  const sites = new Set(sorrySites(text).map((s) => `${s.position.line}:${s.position.character}`));
  const lines = text.split('\n');
  let checked = 0;
  for (const [line, content] of lines.entries()) {
    for (const m of content.matchAll(/\bsorry\b/g)) {
      const position = { line, character: m.index };
      const plan = planGoalQuery(text, position);
      const offset = lines.slice(0, line).reduce((n, l) => n + l.length + 1, 0) + m.index;
      const startsHere =
        !('reason' in plan) &&
        text
          .slice(plan.completion.replaceFrom, offset)
          .replace(/\/-.*?-\//g, '')
          .trim() === '';
      assert.equal(sites.has(`${line}:${m.index}`), startsHere, `line ${line}: ${content}`);
      checked++;
    }
  }
  assert.ok(checked >= 15, `only ${checked} sorries checked`);
});

test('positions count UTF-16 units and survive CRLF line ends', () => {
  const crlf = 'theorem α₁ (𝓝 : ℕ) : (1 : ℕ) = 1 := by sorry\r\ntheorem β : True := by\r\n  sorry\r\n';
  assert.deepEqual(sorrySites(crlf), [
    { declaration: 'α₁', position: { line: 0, character: 40 } },
    { declaration: 'β', position: { line: 2, character: 2 } },
  ]);
});
