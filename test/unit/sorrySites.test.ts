// The targets of `llemma prove`: the first `sorry` of each declaration (provertext/lean/sorrySites.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sorrySites } from '@llemma/prover-text/lean';

test('finds the first sorry of each declaration, skipping comments, strings and lookalikes', () => {
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
  ].join('\n');
  assert.deepEqual(sorrySites(text), [
    { declaration: 'a', position: { line: 2, character: 32 } },
    { declaration: 'b', position: { line: 5, character: 4 } },
    { declaration: 'example', position: { line: 11, character: 2 } },
  ]);
});

test('positions count UTF-16 units and survive CRLF line ends', () => {
  const text = 'theorem α₁ : (1 : ℕ) = 1 := by\r\n  sorry\r\n';
  assert.deepEqual(sorrySites(text), [{ declaration: 'α₁', position: { line: 1, character: 2 } }]);
});
