// Where a tactic is written (provertext/lean/tacticInsertion.ts): the edit Suggest Tactics applies and the one ghost
// text shows, both from the plan of the goal query the tactic was checked against.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  cursorInsertion,
  type DocPosition,
  type GoalPlan,
  insertionEdit,
  mayBeginTactic,
  planGoalQuery,
  proofEdit,
  type TacticEdit,
  tacticInsertion,
} from '@llemma/prover-text/lean';

const cursorMark = '⸨⸩';

/** The text without the `⸨⸩` mark, the cursor's position there, and the plan of the goal query at it. */
function at(marked: string): { text: string; position: DocPosition; plan: GoalPlan } {
  const offset = marked.indexOf(cursorMark);
  assert.ok(offset >= 0, 'no cursor mark');
  const text = marked.replace(cursorMark, '');
  const before = text.slice(0, offset).split('\n');
  const position = { line: before.length - 1, character: before[before.length - 1]?.length ?? 0 };
  const plan = planGoalQuery(text, position);
  assert.ok(!('reason' in plan), `expected a plan, got ${JSON.stringify(plan)}`);
  return { text, position, plan };
}

/** The text with an edit applied (LSP positions, `\n` line ends). */
function applied(text: string, edit: TacticEdit): string {
  const lines = text.split('\n');
  const offset = (p: DocPosition) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
}

/** The document after Suggest Tactics writes `tactic` for the cursor of `marked`. */
function suggested(marked: string, tactic: string): string {
  const { text, plan } = at(marked);
  return applied(text, insertionEdit(tacticInsertion(text, plan), tactic));
}

describe('tacticInsertion: where Suggest Tactics writes a tactic', () => {
  test('a blank line is replaced, at the indentation of the state it was checked against', () => {
    assert.equal(suggested('theorem t : P := by\n  ⸨⸩\n', 'simp'), 'theorem t : P := by\n  simp\n');
    // An empty line after `by`: one step deeper than the `by` line.
    assert.equal(suggested('theorem t : P := by\n⸨⸩\n', 'simp'), 'theorem t : P := by\n  simp\n');
    // A blank line among the tactics of a block: the block's column.
    assert.equal(
      suggested('theorem t : P := by\n  intro x\n  ⸨⸩\n  exact x\n', 'simp'),
      'theorem t : P := by\n  intro x\n  simp\n  exact x\n',
    );
  });

  test('on the `by` line: a new line below it, at the column of the tactic that follows, else one step deeper', () => {
    assert.equal(suggested('theorem t : P := by⸨⸩\n  exact x\n', 'intro'), 'theorem t : P := by\n  intro\n  exact x\n');
    assert.equal(
      suggested('theorem t : P := by⸨⸩\n    exact x\n', 'intro'),
      'theorem t : P := by\n    intro\n    exact x\n',
    );
    assert.equal(suggested('theorem t : P := by⸨⸩\n', 'intro'), 'theorem t : P := by\n  intro\n');
    // A comment after `by` stays on its line.
    assert.equal(
      suggested('theorem t : P := by -- note⸨⸩\n  exact x\n', 'intro'),
      'theorem t : P := by -- note\n  intro\n  exact x\n',
    );
  });

  test('on a `by` line with code after `by`: the tactic goes in its place, the code to the next line, same column', () => {
    assert.equal(
      suggested('theorem t (α : ℕ) : P := by⸨⸩ simp', 'intro'),
      'theorem t (α : ℕ) : P := by intro\n                            simp',
    );
  });

  test('on a tactic line: a new line above it at its indentation; on a line that continues one, above where it starts', () => {
    assert.equal(
      suggested('theorem t : P := by\n  intro x\n  ⸨⸩exact x\n', 'simp'),
      'theorem t : P := by\n  intro x\n  simp\n  exact x\n',
    );
    assert.equal(
      suggested('theorem t : P := by\n  · intro x\n    exact f x\n      (g ⸨⸩x)\n', 'simp'),
      'theorem t : P := by\n  · intro x\n    simp\n    exact f x\n      (g x)\n',
    );
    // A comment line: above it.
    assert.equal(
      suggested('theorem t : P := by\n  intro x\n  -- then⸨⸩\n', 'simp'),
      'theorem t : P := by\n  intro x\n  simp\n  -- then\n',
    );
  });

  test('the later lines of a multi-line tactic keep their indentation relative to its first, at its column', () => {
    assert.equal(
      suggested('theorem t : P := by\n  constructor\n  ⸨⸩\n', 'constructor\n· simp\n· ring'),
      'theorem t : P := by\n  constructor\n  constructor\n  · simp\n  · ring\n',
    );
    assert.equal(
      suggested('theorem t : P := by⸨⸩\n    exact x\n', 'induction n with\n| zero => rfl\n\n| succ => simp'),
      'theorem t : P := by\n    induction n with\n    | zero => rfl\n\n    | succ => simp\n    exact x\n',
    );
  });

  test('positions are LSP positions: UTF-16 units, lines the same with `\\r\\n` line ends', () => {
    const text = 'theorem t (𝓝 : ℕ) : P := by\r\n  exact 𝓝\r\n';
    const plan = planGoalQuery(text, { line: 1, character: 4 });
    assert.ok(!('reason' in plan));
    assert.deepEqual(insertionEdit(tacticInsertion(text, plan), 'simp'), {
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
      newText: '  simp\n',
    });
    // `𝓝` is two UTF-16 units: the `by` line ends at character 28.
    const byLine = planGoalQuery(text, { line: 0, character: 28 });
    assert.ok(!('reason' in byLine));
    assert.deepEqual(tacticInsertion(text, byLine).range.start, { line: 0, character: 28 });
  });
});

describe('cursorInsertion: where ghost text writes a tactic', () => {
  const ghost = (marked: string, tactic: string) => {
    const { text, position, plan } = at(marked);
    const place = cursorInsertion(text, plan, position);
    return place && insertionEdit(place, tactic);
  };

  test('on a blank line and on a tactic being typed: the line up to the cursor, written at the block column', () => {
    assert.deepEqual(ghost('theorem t : P := by\n  ⸨⸩\n', 'simp'), {
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 2 } },
      newText: '  simp',
    });
    assert.deepEqual(ghost('theorem t : P := by\n⸨⸩', 'simp'), {
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
      newText: '  simp',
    });
    assert.deepEqual(ghost('theorem t : P := by\n  intro x\n  si⸨⸩\n', 'simp [h]\n  exact x'), {
      range: { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } },
      newText: '  simp [h]\n    exact x',
    });
  });

  test('none where no tactic starts at the cursor', () => {
    for (const marked of [
      'theorem t : P := by⸨⸩\n  simp\n', // the `by` line
      'theorem t : P := by\n  si⸨⸩mp\n', // text after the cursor
      'theorem t : P := by\n  exact f\n    (g⸨⸩\n', // a line that continues the tactic above
      'theorem t : P := by\n  -- a comment⸨⸩\n', // a comment
      'theorem t : P := by\n  have h : x := ⸨⸩\n', // a header
      'theorem t : P := by\n  open Real in⸨⸩\n', // a command word
      'theorem t : P := by\n  /- a\n  comment⸨⸩\n  -/\n  simp\n', // inside a block comment
    ]) {
      assert.equal(ghost(marked, 'simp'), undefined, marked);
    }
  });

  test('mayBeginTactic: the shared command vocabulary, comments, attributes, `#` commands and headers are not tactics', () => {
    for (const typed of ['', 'simp', 'rw [h]', 'exact theorem_foo', 'endsWith', 'calc a']) {
      assert.equal(mayBeginTactic(typed), true, typed);
    }
    for (const typed of [
      'theorem foo',
      'lemma',
      'end',
      'namespace Foo',
      'private def',
      'set_option x',
      '-- c',
      '/- c',
    ]) {
      assert.equal(mayBeginTactic(typed), false, typed);
    }
    for (const typed of ['#check x', '@[simp]', 'have h : a = b :=', 'proof_wanted foo', 'problem p']) {
      assert.equal(mayBeginTactic(typed), false, typed);
    }
  });
});

describe('proofEdit: where a found proof is written', () => {
  test('replaces the rest of the block from the line, one tactic per line at the proof column', () => {
    const { text, plan } = at('theorem t : P := by\n  intro x\n  ⸨⸩sorry -- later\n');
    assert.equal(
      applied(text, proofEdit(text, plan, ['simp', 'cases x with\n| a => rfl'])),
      'theorem t : P := by\n  intro x\n  simp\n  cases x with\n  | a => rfl -- later\n',
    );
    const one = at('theorem t : P := by ⸨⸩sorry\n');
    assert.equal(applied(one.text, proofEdit(one.text, one.plan, ['rfl'])), 'theorem t : P := by\n  rfl\n');
  });
});
