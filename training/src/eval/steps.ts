/**
 * Every tactic step of a tactics file as the source evaluation sees it: the tactic written (the gold), the tactic
 * state where the data knows it, and what else a candidate source may use where it does not: the goal of the
 * proof's first step (the statement rendered from its binders) and the previous tactic's first line.
 */
import { jsonLines } from '../util/jsonLines';
import { seeded } from '../util/seeded';
import { tacticOfTarget } from './firstTactics';

export interface EvalStep {
  source: string;
  path: string;
  theorem: string;
  line: number;
  /** Index of the step within its proof (0: the first tactic). */
  step: number;
  /** The tactic written there (the target as the runtime parses a completion). */
  gold: string;
  /** The tactic state before it, or null where the data does not know it. */
  goal: string | null;
  /** The goal before the proof's first tactic (from the statement), null if unknown or not read. */
  statementGoal: string | null;
  /** The first line of the previous step's tactic in the same proof; null on a first step. */
  previous: string | null;
  /** A tactic after a header's `by` on its line (tacticExamples.ts), not a step of its own. */
  inline: boolean;
}

/**
 * The rows of a tactics file, of some sources only (empty: all), in file order. Rows of one proof are consecutive
 * and numbered from 0, so a row continues the proof before it when it has the same file and theorem and a larger
 * step; a proof whose first row was skipped (too long) has no statement goal.
 */
export async function readSteps(file: string, formatName: string, sources: readonly string[]): Promise<EvalStep[]> {
  const out: EvalStep[] = [];
  let last: EvalStep | undefined;
  for await (const row of jsonLines([file])) {
    const source = String(row['source']);
    if (sources.length > 0 && !sources.includes(source)) continue;
    const goal = typeof row['goal'] === 'string' ? row['goal'] : null;
    const step: EvalStep = {
      source,
      path: String(row['path']),
      theorem: String(row['theorem']),
      line: Number(row['line']),
      step: Number(row['step']),
      gold: tacticOfTarget(String(row['target']), formatName),
      goal,
      statementGoal: null,
      previous: null,
      inline: row['inline'] === true,
    };
    const continues =
      last !== undefined && last.path === step.path && last.theorem === step.theorem && last.step < step.step;
    if (step.step === 0 && !step.inline) step.statementGoal = goal;
    else if (step.inline && last?.path === step.path && last.theorem === step.theorem) {
      step.statementGoal = last.statementGoal;
    } else if (continues && last) {
      step.statementGoal = last.statementGoal;
      step.previous = firstLine(last.gold);
    }
    out.push(step);
    // An inline tactic is not a step: the step after it continues from the step before it.
    if (!step.inline) last = step;
  }
  return out;
}

function firstLine(tactic: string): string {
  return (tactic.split('\n')[0] ?? '').trim();
}

/** A seeded sample of `max` steps in their file order; all of them when `max` is 0 or at least their number. */
export function sample(steps: readonly EvalStep[], max: number, seed: number): EvalStep[] {
  if (max <= 0 || max >= steps.length) return [...steps];
  const random = seeded((seed ^ 0x65736d70) >>> 0);
  return steps
    .map((_, i) => ({ i, key: random() }))
    .sort((a, b) => a.key - b.key)
    .slice(0, max)
    .sort((a, b) => a.i - b.i)
    .map(({ i }) => steps[i] as EvalStep);
}
