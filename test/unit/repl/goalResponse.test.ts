// Reading the REPL's answer to a goal query (server/provers/lean/goalResponse.ts), on answers recorded from the real
// REPL (test/golden/transcripts, Lean v4.33.0-rc2) and on answers shaped like them for planned queries.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { type GoalPlan, planGoalQuery } from '@llemma/prover-text/lean';
import { readGoalResponse } from '../../../server/provers/lean/goalResponse';
import type { CommandResponse } from '../../../server/provers/lean/repl/replSchema';

const transcripts = path.join(import.meta.dirname, '..', '..', 'golden', 'transcripts');

/** The REPL's recorded answers of a transcript, in order (pretty-printed JSON objects separated by blank lines). */
function answers(name: string): CommandResponse[] {
  const text = readFileSync(path.join(transcripts, `${name}.expected.out`), 'utf8');
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((chunk) => JSON.parse(chunk) as CommandResponse);
}

/** The first command of a transcript's input. */
function firstCmd(name: string): string {
  const text = readFileSync(path.join(transcripts, `${name}.in`), 'utf8');
  return (JSON.parse(text.trim().split(/\n\s*\n/)[0] ?? '{}') as { cmd: string }).cmd;
}

/** A plan for a recorded command, taking the `sorry` at `probe` as our probe and the command at document line 10. */
function planFor(cmd: string, probe: { line: number; column: number }): GoalPlan {
  return {
    header: '',
    preamble: '',
    cmd,
    probe,
    lineOffset: 10,
    declName: 'foo',
    declKeyword: 'theorem',
    // Not read by readGoalResponse.
    completion: { prefix: '', suffix: '', replaceFrom: 0, replaceTo: 0, indent: 2, byLine: false },
  };
}

/** All commands of a transcript's input. */
function cmds(name: string): string[] {
  const text = readFileSync(path.join(transcripts, `${name}.in`), 'utf8');
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((chunk) => (JSON.parse(chunk) as { cmd?: string }).cmd ?? '');
}

test('the REPL counts columns in code points, not bytes (recorded commands with ◾, ∧ and →)', () => {
  for (const [name, index] of [
    ['pickle_open_scoped', 2],
    ['proof_branching', 0],
  ] as const) {
    const cmd = cmds(name)[index]!;
    const before = cmd.slice(0, cmd.indexOf('sorry'));
    const column = answers(name)[index]?.sorries?.[0]?.pos?.column;
    assert.equal(column, [...before].length, name);
    assert.notEqual(column, Buffer.byteLength(before), name);
  }
});

describe('readGoalResponse on recorded REPL answers', () => {
  test('a sorry inside `have … := by`: its goal; the outer "unsolved goals" is an artefact of the cut', () => {
    const cmd = firstCmd('have_by_sorry');
    assert.equal(cmd, 'theorem foo (x : Int) : x = x := by\n  have h : x = 1 := by sorry');
    const [first] = answers('have_by_sorry');
    assert.ok(first?.messages?.some((m) => m.data.startsWith('unsolved goals')));
    const reading = readGoalResponse(planFor(cmd, { line: 2, column: 23 }), first!);
    assert.deepEqual(reading, { goals: ['x : Int\n⊢ x = 1'], proofState: 0, errors: [] });
  });

  test('the goal of a sorry after a multi-line statement (variables in scope)', () => {
    const answer = answers('variables')[2]!;
    const reading = readGoalResponse(planFor(firstCmd('variables'), { line: 3, column: 2 }), answer);
    assert.ok(!('reason' in reading));
    assert.equal(reading.goals.length, 1);
    assert.match(reading.goals[0]!, /^x y : Nat\nf : Nat → Nat\n.*\n⊢ ∃ k, f 2015 = k$/s);
    assert.equal(reading.proofState, 0);
  });

  test('no sorry at the probe and "No goals to be solved" there: no goal is left', () => {
    // `example : True := by\n  sorry\n  sorry`: the second line closes the goal, the third finds none.
    const answer = answers('no_goal_sorry_2')[0]!;
    const reading = readGoalResponse(planFor(firstCmd('no_goal_sorry_2'), { line: 3, column: 2 }), answer);
    assert.deepEqual(reading, { goals: [], proofState: null, errors: [] });
  });

  test('no sorry at the probe and errors before it: leanError naming the first, at its document line', () => {
    const cmd = 'def f (x : Bool) : Nat := by\n  by_cases x\n  { apply Nat.succ }\n  all_goals sorry';
    const answer = answers('incomplete')[1]!;
    const reading = readGoalResponse(planFor(cmd, { line: 4, column: 12 }), answer);
    assert.ok('reason' in reading);
    assert.equal(reading.reason, 'leanError');
    assert.match(reading.message, /at line 13, .*unsolved goals\ncase pos/s);
  });

  test('a sorry elsewhere (the user`s own) is not the probe`s', () => {
    const answer = answers('no_goal_sorry_2')[0]!;
    assert.equal(answer.sorries?.[0]?.goal, '⊢ True');
    const reading = readGoalResponse(planFor(firstCmd('no_goal_sorry_2'), { line: 2, column: 9 }), answer);
    assert.deepEqual(reading, { goals: [], proofState: null, errors: [] });
  });
});

describe('readGoalResponse on planned queries', () => {
  const doc =
    'import Mathlib\n\ntheorem t (𝓝 : ℕ) (h : 𝓝 = 1) : 𝓝 + 𝓝 = 2 ∧ True := by\n  rw [𝓝oops] at h\n  constructor\n  ⸨⸩\n';
  const text = doc.replace('⸨⸩', '');
  const plan = planGoalQuery(text, { line: 5, character: 2 });
  assert.ok(!('reason' in plan));

  test('the plan the answers below are for', () => {
    assert.equal(plan.cmd.split('\n').pop(), '  all_goals sorry');
    assert.deepEqual(plan.probe, { line: 4, column: 12 });
    assert.equal(plan.lineOffset, 2);
  });

  const sorryAt = (goal: string, proofState: number) => ({
    goal,
    proofState,
    pos: { ...plan.probe },
    endPos: { line: plan.probe.line, column: plan.probe.column + 5 },
  });
  // `rw [𝓝oops]` fails: Lean's columns count code points, so `𝓝oops` starts at column 6 and ends at 11.
  const rwError = {
    severity: 'error' as const,
    pos: { line: 2, column: 6 },
    endPos: { line: 2, column: 11 },
    data: 'Unknown identifier `𝓝oops`',
  };

  test('two goals at the probe, in order; the first proof state; the error mapped to UTF-16', () => {
    const answer: CommandResponse = {
      env: 3,
      sorries: [sorryAt('case left\n𝓝 : ℕ\n⊢ 𝓝 + 𝓝 = 2', 7), sorryAt('case right\n𝓝 : ℕ\n⊢ True', 8)],
      messages: [
        rwError,
        {
          severity: 'warning',
          pos: { line: 1, column: 8 },
          endPos: { line: 1, column: 9 },
          data: 'declaration uses `sorry`',
        },
      ],
    };
    const reading = readGoalResponse(plan, answer);
    assert.ok(!('reason' in reading));
    assert.deepEqual(reading.goals, ['case left\n𝓝 : ℕ\n⊢ 𝓝 + 𝓝 = 2', 'case right\n𝓝 : ℕ\n⊢ True']);
    assert.equal(reading.proofState, 7);
    assert.deepEqual(reading.errors, [
      {
        range: { start: { line: 3, character: 6 }, end: { line: 3, character: 12 } },
        message: 'Unknown identifier `𝓝oops`',
      },
    ]);
    // The mapped range really covers `𝓝oops` in the document.
    const docLine = text.split('\n')[3]!;
    assert.equal(docLine.slice(6, 12), '𝓝oops');
  });

  test('a column after an astral character moves one more UTF-16 unit', () => {
    const oops = { ...rwError, pos: { line: 2, column: 7 }, data: 'at oops' };
    const reading = readGoalResponse(plan, { env: 2, sorries: [sorryAt('⊢ True', 1)], messages: [oops] });
    assert.ok(!('reason' in reading));
    assert.deepEqual(reading.errors[0]?.range.start, { line: 3, character: 8 });
    assert.equal(text.split('\n')[3]!.slice(8, 12), 'oops');
  });

  test('a sorry without a proof state gives proofState null', () => {
    const answer: CommandResponse = { env: 1, sorries: [{ goal: '⊢ True', pos: { ...plan.probe } }] };
    assert.deepEqual(readGoalResponse(plan, answer), { goals: ['⊢ True'], proofState: null, errors: [] });
  });

  test('nothing at the probe and no error: the proof is complete there', () => {
    const answer: CommandResponse = {
      env: 4,
      messages: [{ severity: 'warning', pos: { line: 1, column: 8 }, endPos: { line: 1, column: 9 }, data: 'unused' }],
    };
    assert.deepEqual(readGoalResponse(plan, answer), { goals: [], proofState: null, errors: [] });
  });

  test('nothing at the probe and an error on the probe line: the probe could not be placed', () => {
    const answer: CommandResponse = {
      env: 5,
      messages: [{ severity: 'error', pos: { ...plan.probe }, data: "unexpected token 'all_goals'; expected term" }],
    };
    const reading = readGoalResponse(plan, answer);
    assert.ok('reason' in reading && reading.reason === 'leanError');
    assert.match(reading.message, /No proof state can be shown at this line .*expected term/);
  });

  test('an error before the probe and no sorry: leanError with the document line (1-based)', () => {
    const reading = readGoalResponse(plan, { env: 6, messages: [rwError] });
    assert.ok('reason' in reading && reading.reason === 'leanError');
    assert.match(reading.message, /line 4, .*Unknown identifier `𝓝oops`/);
  });

  test('an "unsolved goals" that spans the probe line is dropped, one that ends before it is kept', () => {
    const spanning = {
      severity: 'error' as const,
      pos: { line: 1, column: 45 },
      endPos: { line: 4, column: 17 },
      data: 'unsolved goals\n⊢ True',
    };
    const before = { ...spanning, endPos: { line: 3, column: 13 }, data: 'unsolved goals\n⊢ False' };
    const answer: CommandResponse = { env: 7, sorries: [sorryAt('⊢ True', 9)], messages: [spanning, before] };
    const reading = readGoalResponse(plan, answer);
    assert.ok(!('reason' in reading));
    assert.deepEqual(
      reading.errors.map((e) => e.message),
      ['unsolved goals\n⊢ False'],
    );
    assert.deepEqual(reading.errors[0]?.range.end, { line: 4, character: 13 });
  });
});
