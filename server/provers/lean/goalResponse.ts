/**
 * Reads the REPL's answer to a goal query planned by `planGoalQuery` (@llemma/prover-text): the goals of the probe's
 * sorries, and Lean's errors in the declaration mapped back to the document.
 *
 * How the cases are told apart. `all_goals sorry` runs `sorry` once per open goal, and the REPL reports each run as a
 * sorry at the probe's position; with no goal open it runs nothing and raises no error (it is `all_goals`, not
 * `sorry`, that meets the empty goal list), so:
 * - sorries at the probe: the goals, in Lean's order; the first one's proof state is the one to run tactics in;
 * - none, and no error before the probe: the proof is complete at that point, `goals: []`;
 * - none, and an error before the probe: the tactic block stopped at that error before reaching the probe (or the
 *   statement did not elaborate), so there is no state to show: `leanError` naming the first such error. A failed
 *   term inside a tactic (`exact foo` with a type error) also closes its goal with a `sorry`, so "error, then no goals"
 *   reads the same way; showing the error is then the useful answer too.
 * Errors whose range starts before the probe's line and reaches it are artefacts of the cut ("unsolved goals" of the
 * blocks around the probe, whose remaining tactics were dropped): they are not reported. Errors on the probe's line
 * are about the probe itself: a "no goals" error there still means that no goal is left; any other one means the
 * probe could not be placed (e.g. the cursor is inside a term), reported as `leanError`.
 */

import { type DocPosition, type GoalPlan, type GoalQueryFailure, utf16UnitsOf } from '@llemma/prover-text/lean';
import type { CommandResponse, Message, Pos } from './repl/replSchema';

export interface DocRange {
  start: DocPosition;
  end: DocPosition;
}

export interface GoalReading {
  /** Goals open at the probe, each as Lean prints it (`x : ℕ\n⊢ x = x`); empty when the proof is complete there. */
  goals: string[];
  /** The REPL proof state of the first goal; null when there is no goal or the REPL gave none. */
  proofState: number | null;
  /** Lean's errors in the declaration before the cursor, in document coordinates. */
  errors: { range: DocRange; message: string }[];
}

export function readGoalResponse(plan: GoalPlan, response: CommandResponse): GoalReading | GoalQueryFailure {
  const probeSorries = (response.sorries ?? []).filter(
    (s) => s.pos?.line === plan.probe.line && s.pos.column === plan.probe.column,
  );
  const errors = (response.messages ?? []).filter((m) => m.severity === 'error');
  const lineStart: Pos = { line: plan.probe.line, column: 0 };
  const before = errors.filter((m) => before_(m.pos, lineStart) && before_(m.endPos ?? m.pos, lineStart, true));
  const onProbe = errors.filter((m) => !before_(m.pos, lineStart));
  const cmdLines = plan.cmd.split('\n');
  const mapped = before.map((m) => ({ range: toDocRange(plan, cmdLines, m), message: m.data }));

  if (probeSorries.length > 0) {
    return {
      goals: probeSorries.map((s) => s.goal),
      proofState: probeSorries[0]?.proofState ?? null,
      errors: mapped,
    };
  }
  const first = mapped[0];
  if (first) {
    return {
      reason: 'leanError',
      message: `Lean reports an error at line ${first.range.start.line + 1}, so there is no proof state at the cursor: ${first.message}`,
    };
  }
  const probeError = onProbe.find((m) => !/no goals/i.test(m.data));
  if (probeError) {
    return {
      reason: 'leanError',
      message: `No proof state can be shown at this line (Lean: ${probeError.data}). Put the cursor on a tactic's line.`,
    };
  }
  return { goals: [], proofState: null, errors: [] };
}

/** `a` before `b` (or, with `orEqual`, not after it). */
function before_(a: Pos, b: Pos, orEqual = false): boolean {
  return a.line < b.line || (a.line === b.line && (orEqual ? a.column <= b.column : a.column < b.column));
}

/** Maps a REPL position in `cmd` to the document: lines shift by `lineOffset`, code points become UTF-16 units. */
export function toDocPosition(plan: GoalPlan, cmdLines: readonly string[], pos: Pos): DocPosition {
  const line = Math.max(1, pos.line);
  return {
    line: plan.lineOffset + line - 1,
    character: utf16UnitsOf(cmdLines[line - 1] ?? '', pos.column),
  };
}

function toDocRange(plan: GoalPlan, cmdLines: readonly string[], m: Message): DocRange {
  return { start: toDocPosition(plan, cmdLines, m.pos), end: toDocPosition(plan, cmdLines, m.endPos ?? m.pos) };
}
