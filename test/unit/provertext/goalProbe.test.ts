// Where the goal probe goes for a cursor (provertext/lean/goalProbe.ts, tacticBlocks.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type GoalPlan, planGoalQuery, proofContextOf } from '@llemma/prover-text/lean';

const cursorMark = '⸨⸩';

/** Plans the query for a document written with `⸨⸩` at the cursor. */
function planAt(marked: string) {
  const offset = marked.indexOf(cursorMark);
  assert.ok(offset >= 0, 'no cursor mark');
  const text = marked.replace(cursorMark, '');
  const before = text.slice(0, offset).split('\n');
  const position = { line: before.length - 1, character: before[before.length - 1]?.length ?? 0 };
  return { text, result: planGoalQuery(text, position) };
}

function planOf(marked: string): GoalPlan {
  const { result } = planAt(marked);
  assert.ok(!('reason' in result), `expected a plan, got ${JSON.stringify(result)}`);
  return result;
}

/** The probe's line of `cmd`, and the `sorry` found at the probe's column on it. */
function probeLine(plan: GoalPlan): string {
  const line = plan.cmd.split('\n')[plan.probe.line - 1] ?? '';
  assert.equal([...line].slice(plan.probe.column).join(''), 'sorry');
  return line;
}

const proof = `import Mathlib

open Real

theorem earlier : True := trivial

/-- doc -/
@[simp] theorem foo (x : ℕ) (h : 0 < x) :
    x ≠ 0 := by
  have h2 : x > 0 := by
    simp
    exact h
  constructor
  · intro y
    simp [foo,
      bar]
  · case inr =>
      ring
  exact h
`;

/** `proof` with the cursor put on `line` (0-based) at `character`. */
function planInProof(line: number, character: number): GoalPlan {
  const lines = proof.split('\n');
  lines[line] = (lines[line] ?? '').slice(0, character) + cursorMark + (lines[line] ?? '').slice(character);
  return planOf(lines.join('\n'));
}

describe('planGoalQuery: the parts of the plan', () => {
  test('header, preamble, the declaration cut at the cursor line, the probe and the line offset', () => {
    const plan = planInProof(12, 5); // `  constructor`
    assert.equal(plan.header, 'import Mathlib\n');
    assert.equal(plan.preamble, '\nopen Real\n\ntheorem earlier : True := trivial\n\n');
    assert.equal(plan.lineOffset, 6);
    assert.equal(plan.declName, 'foo');
    assert.equal(plan.declKeyword, 'theorem');
    assert.equal(
      plan.cmd,
      '/-- doc -/\n@[simp] theorem foo (x : ℕ) (h : 0 < x) :\n    x ≠ 0 := by\n  have h2 : x > 0 := by\n' +
        '    simp\n    exact h\n  all_goals sorry',
    );
    assert.deepEqual(plan.probe, { line: 7, column: 12 });
    assert.equal(probeLine(plan), '  all_goals sorry');
  });

  test('lines after the cursor are dropped', () => {
    const plan = planInProof(10, 4); // `    simp` in the have
    assert.ok(!plan.cmd.includes('exact h'));
    assert.ok(!plan.cmd.includes('constructor'));
  });
});

describe('planGoalQuery: where the probe goes', () => {
  const cases: [string, number, number, string, number][] = [
    // [what, line, character, the line before the probe, probe indent]
    ['on the `by` line after `by`: a new line right after `by`', 8, 15, '    x ≠ 0 := by', 6],
    ['on the first tactic line', 9, 0, '    x ≠ 0 := by', 2],
    ['at the end of the first tactic line (same rule: before its tactic)', 9, 23, '    x ≠ 0 := by', 2],
    ['inside `have … := by`, first nested tactic', 10, 6, '  have h2 : x > 0 := by', 4],
    ['inside `have … := by`, second nested tactic', 11, 11, '    simp', 4],
    ['back in the outer block after the have', 12, 2, '    exact h', 2],
    ['on a bullet line: before the bullet, in the outer block', 13, 5, '  constructor', 2],
    ['inside a bullet', 14, 4, '  · intro y', 4],
    ['on a continuation line: the tactic started on the line above', 15, 8, '  · intro y', 4],
    ['inside `case … =>`', 17, 8, '  · case inr =>', 6],
    ['after the bullets, the outer block', 18, 3, '      ring', 2],
    ['a blank last line at column 0: below the previous tactic', 19, 0, '  exact h', 2],
  ];
  for (const [what, line, character, before, indent] of cases) {
    test(what, () => {
      const plan = planInProof(line, character);
      const lines = plan.cmd.split('\n');
      assert.equal(lines[plan.probe.line - 2], before);
      assert.equal(probeLine(plan), `${' '.repeat(indent)}all_goals sorry`);
      assert.equal(plan.probe.column, indent + 'all_goals '.length);
      assert.equal(lines.length, plan.probe.line);
    });
  }

  test('`:= by simp` with the cursor after `by`: cut right after `by`', () => {
    const plan = planOf('theorem t : 1 = 1 := by⸨⸩ simp\n');
    assert.equal(plan.cmd, 'theorem t : 1 = 1 := by\n  all_goals sorry');
    assert.deepEqual(plan.probe, { line: 2, column: 12 });
  });

  test('a blank line right after a nested `:= by` goes into the nested block', () => {
    const plan = planOf('example : True := by\n  have h : True := by\n⸨⸩\n  exact h\n');
    assert.equal(plan.cmd, 'example : True := by\n  have h : True := by\n    all_goals sorry');
    assert.equal(plan.declName, 'example');
  });

  test('a blank line with the cursor at a column snaps to the open block at or left of it', () => {
    const doc = (col: number) => `example : True := by\n  have h : True := by\n    trivial\n${' '.repeat(col)}⸨⸩\n`;
    assert.equal(probeLine(planOf(doc(4))), '    all_goals sorry');
    assert.equal(probeLine(planOf(doc(3))), '  all_goals sorry');
    assert.equal(probeLine(planOf(doc(7))), '    all_goals sorry');
  });

  test('a blank line after a one-line proof goes at the column of its first tactic', () => {
    const plan = planOf('theorem t : True := by trivial\n⸨⸩');
    assert.equal(plan.cmd, `theorem t : True := by trivial\n${' '.repeat(23)}all_goals sorry`);
  });

  test('calc steps: inside a step`s `by`, and on a step line (before the whole calc)', () => {
    const doc =
      'example (a b c : ℕ) (h1 : a = b) (h2 : b = c) : a = c := by\n  calc a = b := by\n      exact h1\n    _ = c := by\n      ⸨⸩\n';
    assert.equal(planOf(doc).cmd.split('\n').slice(-2).join('\n'), '    _ = c := by\n      all_goals sorry');
    const onStep = planOf(doc.replace('    _ = c', '    _ ⸨⸩= c').replace('      ⸨⸩', '      exact h2'));
    assert.equal(
      onStep.cmd.split('\n').slice(-2).join('\n'),
      'example (a b c : ℕ) (h1 : a = b) (h2 : b = c) : a = c := by\n  all_goals sorry',
    );
  });

  test('induction alternatives: inside `| succ n ih =>`; on the `|` line, before the induction', () => {
    const doc =
      'theorem t (n : ℕ) : 0 + n = n := by\n  induction n with\n  | zero => rfl\n  | succ n ih =>\n    ⸨⸩omega\n';
    assert.equal(planOf(doc).cmd.split('\n').pop(), '    all_goals sorry');
    const onBar = planOf(doc.replace('⸨⸩', '').replace('  | succ', '  | ⸨⸩succ'));
    assert.equal(onBar.cmd, 'theorem t (n : ℕ) : 0 + n = n := by\n  all_goals sorry');
  });

  test('a comment line takes the comment`s indentation; a line inside a block comment moves above it', () => {
    const doc = 'example : True := by\n  have h : True := by\n    trivial\n  -- note⸨⸩\n  exact h\n';
    assert.equal(planOf(doc).cmd.split('\n').pop(), '  all_goals sorry');
    const inBlock = planOf('example : True := by\n  skip\n  /- a long\n  comment ⸨⸩here -/\n  trivial\n');
    assert.equal(inBlock.cmd, 'example : True := by\n  skip\n  all_goals sorry');
  });

  test('a blank line after `· have … := by` goes deeper than the bullet`s block', () => {
    const plan = planOf('example : True ∧ True := by\n  constructor\n  · have h : True := by\n⸨⸩\n');
    assert.equal(probeLine(plan), '      all_goals sorry');
  });

  test('a bracket left open on the `by` line: its continuation cuts after `by`', () => {
    const plan = planOf('theorem t (a b : ℕ) (h : a = b) : b = a := by rw [h,\n    eq_comm⸨⸩]\n');
    assert.equal(plan.cmd, 'theorem t (a b : ℕ) (h : a = b) : b = a := by\n  all_goals sorry');
  });

  test('inside a comment that follows code: before that line`s tactic', () => {
    const plan = planOf('example : True := by\n  skip\n  trivial /- a long\n  comment ⸨⸩here -/\n');
    assert.equal(plan.cmd, 'example : True := by\n  skip\n  all_goals sorry');
  });

  test('CRLF line ends give the same plan as LF', () => {
    const lf = planInProof(11, 4);
    const crlf = planGoalQuery(proof.replace(/\n/g, '\r\n'), { line: 11, character: 4 });
    assert.deepEqual(crlf, lf);
  });
});

describe('planGoalQuery: no proof state here', () => {
  const notInProof = (marked: string) => {
    const { result } = planAt(marked);
    assert.ok('reason' in result, `expected a failure, got ${JSON.stringify(result)}`);
    assert.equal(result.reason, 'notInProof');
    return result.message;
  };

  test('the cursor in the statement, before `by`', () => {
    assert.match(notInProof('theorem foo (x : ℕ)⸨⸩ : x = x := by\n  rfl\n'), /statement of `foo`/);
    assert.match(notInProof('theorem foo (x : ℕ) : x = x := ⸨⸩by\n  rfl\n'), /statement of `foo`/);
  });

  test('a term-mode proof, a `fun … => by`, a structure instance with `where`', () => {
    assert.match(notInProof('theorem foo : True :=\n  trivial⸨⸩\n'), /`foo` has no tactic proof/);
    assert.match(notInProof('theorem foo : ∀ n : ℕ, n = n := fun n => by\n  rfl⸨⸩\n'), /no tactic proof/);
    assert.match(notInProof('instance : Inhabited ℕ where\n  default := by\n    exact 0⸨⸩\n'), /no tactic proof/);
  });

  test('outside any declaration: the header, an open, a namespace', () => {
    assert.match(notInProof('import Mathlib⸨⸩\ntheorem t : True := by\n  trivial\n'), /not inside a declaration/);
    assert.match(notInProof('open Real⸨⸩\n'), /not inside a declaration/);
  });

  test('below the proof at column 0 (`termination_by`)', () => {
    const doc = 'def f : ℕ → ℕ := by\n  exact fun n => n\ntermination_by⸨⸩ n => n\n';
    assert.match(notInProof(doc), /after the tactic proof of `f`/);
  });

  test('keywords in comments and strings do not make a proof', () => {
    assert.match(notInProof('def s : String := "x := by"⸨⸩\n'), /no tactic proof/);
    assert.match(notInProof('theorem t : True := -- := by\n  trivial⸨⸩\n'), /no tactic proof/);
  });
});

describe('planGoalQuery: Unicode', () => {
  test('astral characters before the cursor and in the statement', () => {
    const plan = planOf('theorem t (𝓝 : ℕ) (h : 𝓝 = 1) : 𝓝 + 0 = 1 := by⸨⸩\n  simp [h]\n');
    assert.equal(plan.cmd, 'theorem t (𝓝 : ℕ) (h : 𝓝 = 1) : 𝓝 + 0 = 1 := by\n  all_goals sorry');
    assert.equal(plan.declName, 't');
  });

  test('a cursor inside the statement after astral characters is still in the statement', () => {
    const { result } = planAt('theorem t (𝓝 : ℕ) : 𝓝⸨⸩ = 𝓝 := by\n  rfl\n');
    assert.ok('reason' in result && result.reason === 'notInProof');
  });
});

describe('what a completed proof replaces', () => {
  test('from the start of the cursor line to the end of the declaration, at the block indentation', () => {
    const doc = `theorem t (a : ℕ) : a + 0 = a := by\n  intro\n  ⸨⸩sorry\n  done\n\ntheorem next : True := trivial\n`;
    const { text } = planAt(doc);
    const plan = planOf(doc);
    const { prefix, replaceFrom, replaceTo, indent, byLine } = plan.completion;
    assert.equal(prefix, 'theorem t (a : ℕ) : a + 0 = a := by\n  intro\n');
    assert.equal(text.slice(replaceFrom, replaceTo), '  sorry\n  done');
    assert.equal(indent, 2);
    assert.equal(byLine, false);
  });

  test("up to the last code of the block: the user's comments after it stay", () => {
    const doc = `theorem t (a : ℕ) : a + 0 = a := by\n  ⸨⸩sorry -- note\n  -- more\n\ntheorem next : True := trivial\n`;
    const { text } = planAt(doc);
    const { replaceFrom, replaceTo, suffix } = planOf(doc).completion;
    assert.equal(text.slice(replaceFrom, replaceTo), '  sorry');
    assert.equal(suffix, ' -- note\n  -- more');
  });

  test('comments between the replaced tactics go with them; block and doc comments after the code stay', () => {
    const doc = [
      'theorem t (a : ℕ) : a + 0 = a := by',
      '  ⸨⸩sorry',
      '  -- between',
      '  simp [foo] /- last -/',
      '  /-- after -/',
      '/-- The next one. -/',
      'theorem next : True := trivial',
      '',
    ].join('\n');
    const { text } = planAt(doc);
    const { replaceFrom, replaceTo, suffix } = planOf(doc).completion;
    assert.equal(text.slice(replaceFrom, replaceTo), '  sorry\n  -- between\n  simp [foo]');
    assert.equal(suffix, ' /- last -/\n  /-- after -/');
  });

  test('a string literal is code, a comment that looks like code is not', () => {
    const doc = 'example : True := by\n  ⸨⸩exact (by simp : "--" = "--") -- `exact trivial`\n';
    const { text } = planAt(doc);
    const { replaceFrom, replaceTo } = planOf(doc).completion;
    assert.equal(text.slice(replaceFrom, replaceTo), '  exact (by simp : "--" = "--")');
  });

  test('after `by` for a one-line `:= by sorry`', () => {
    const doc = `example : 1 + 1 = 2 := by ⸨⸩sorry\n`;
    const { text } = planAt(doc);
    const plan = planOf(doc);
    assert.equal(plan.completion.byLine, true);
    assert.equal(plan.completion.prefix, 'example : 1 + 1 = 2 := by');
    assert.equal(text.slice(plan.completion.replaceFrom, plan.completion.replaceTo), ' sorry');
    assert.equal(plan.completion.indent, 2);
  });

  test('after `by`, only to the end of the code: a comment after it, and a comment line below, stay', () => {
    const doc = `theorem t : True := by ⸨⸩sorry -- later\n-- TODO: generalise\n\ntheorem next : True := trivial\n`;
    const { text } = planAt(doc);
    const { replaceFrom, replaceTo, suffix } = planOf(doc).completion;
    assert.equal(text.slice(replaceFrom, replaceTo), ' sorry');
    assert.equal(suffix.trimEnd(), ' -- later\n-- TODO: generalise');
  });
});

describe('the proof so far, for proof-prefix prompts', () => {
  test('statement without `:= by`, earlier tactics dedented, comments dropped', () => {
    const doc = [
      '/-- doc -/',
      '@[simp] theorem foo (x : ℕ) -- the number',
      '    (h : 0 < x) : x ≠ 0 := by',
      '  -- first the positivity',
      '  have h2 : x > 0 := by',
      '    exact h',
      '',
      '  ⸨⸩omega',
    ].join('\n');
    assert.deepEqual(proofContextOf(planOf(doc)), {
      theorem: 'theorem foo (x : ℕ)\n    (h : 0 < x) : x ≠ 0',
      tactics: ['have h2 : x > 0 := by', '  exact h'],
    });
  });
});
