import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cursorInsertion,
  type IsabelleGoalPlan,
  lineInsertion,
  mayBeginStep,
  planIsabelleGoal,
  sorrySites,
  statementSorries,
  stepEdit,
} from '@llemma/prover-text/isabelle';

const text = [
  'theory Demo imports Main begin', // 0
  '',
  'lemma demo: "\\<forall>x. \\<exists>y. x = y"', // 2
  '  apply (rule allI)',
  '  ',
  '  by bl',
  '  (* a comment *)',
  '',
  'lemma two: "(1::nat) + 1 = 2" sorry', // 8
  '',
  'text \\<open>sorry is fine in a text\\<close>',
  'end',
  '',
].join('\n');

function plan(line: number, character: number): IsabelleGoalPlan {
  const p = planIsabelleGoal(text, { line, character });
  assert.ok(!('reason' in p), `a plan at ${line}:${character}`);
  return p;
}

describe('where a suggested Isabelle step is written', () => {
  it('ghost text on a blank proof line replaces the line up to the cursor, at the proof indentation', () => {
    const at = cursorInsertion(text, plan(4, 2), { line: 4, character: 2 });
    assert.ok(at);
    assert.deepEqual(stepEdit(at, 'by auto'), {
      range: { start: { line: 4, character: 0 }, end: { line: 4, character: 2 } },
      newText: '  by auto',
    });
  });

  it('ghost text completes a step being typed, only at the end of the line', () => {
    const at = cursorInsertion(text, plan(5, 7), { line: 5, character: 7 });
    assert.deepEqual(at && stepEdit(at, 'by blast'), {
      range: { start: { line: 5, character: 0 }, end: { line: 5, character: 7 } },
      newText: '  by blast',
    });
    assert.equal(cursorInsertion(text, plan(5, 4), { line: 5, character: 4 }), undefined);
  });

  it('no ghost text in a comment, nor on the line the statement and its proof share', () => {
    assert.equal(cursorInsertion(text, plan(6, 17), { line: 6, character: 17 }), undefined);
    assert.equal(cursorInsertion(text, plan(8, 35), { line: 8, character: 35 }), undefined);
  });

  it('typed text that begins no step: comments, strings, cartouches, theory commands', () => {
    for (const typed of ['(* x', '"x', '\\<open>', '‹', 'lemma', 'end', 'definition', 'qed']) {
      assert.equal(mayBeginStep(typed), false, typed);
    }
    for (const typed of ['', 'ap', 'apply (simp', 'by', 'using assms', 'done', 'endo']) {
      assert.equal(mayBeginStep(typed), true, typed);
    }
  });

  it('Suggest Tactics writes a line of its own before the rest of the proof', () => {
    assert.deepEqual(stepEdit(lineInsertion(text, plan(4, 2)), 'by auto'), {
      range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } },
      newText: '  by auto\n',
    });
  });

  it("the lenses' sorries: in code and in a proof, not in a text block", () => {
    const character = text.split('\n')[8]?.indexOf('sorry') ?? -1;
    assert.deepEqual(sorrySites(text), [{ declaration: 'two', position: { line: 8, character } }]);
    const two = text.replace('"(1::nat) + 1 = 2" sorry', '"(1::nat) + 1 = 2"\n  apply simp\n  sorry\n  sorry');
    assert.deepEqual(statementSorries(two), [
      {
        declaration: 'two',
        first: { line: 10, character: 2 },
        sites: [
          { line: 10, character: 2 },
          { line: 11, character: 2 },
        ],
      },
    ]);
  });
});
