/**
 * The data stage's examples whose goal is known, as (goal, tactic) pairs: what retrieval indexes and what its
 * calibration and evaluation query with. The goal is the row's `goal` field (the tactic state the prompt shows), the
 * tactic its target parsed as the runtime parses a completion.
 */
import type { RetrievalExample } from '@llemma/model';
import { tacticOfTarget } from '../eval/firstTactics';
import { jsonLines } from '../util/jsonLines';

export interface GoalExample {
  goal: string;
  tactic: string;
  source: string;
  path: string;
  theorem: string;
  step: number;
  /** A tactic after a header's `by` on its line, not a step of its own. */
  inline: boolean;
}

/** What the index stores of an example: its goal, its tactic, and whether the goal is its proof's first. */
export function retrievalExample(e: GoalExample): RetrievalExample {
  return { goal: e.goal, tactic: e.tactic, step: e.step === 0 && !e.inline ? 'first' : 'later' };
}

/** The goal-known rows of a tactics file, of some sources only (empty: all), in file order. */
export async function readGoalExamples(
  file: string,
  formatName: string,
  sources: readonly string[],
): Promise<GoalExample[]> {
  const out: GoalExample[] = [];
  for await (const row of jsonLines([file])) {
    const goal = row['goal'];
    if (typeof goal !== 'string') continue;
    const doc = { source: String(row['source']), path: String(row['path']) };
    if (sources.length > 0 && !sources.includes(doc.source)) continue;
    out.push({
      goal,
      tactic: tacticOfTarget(String(row['target']), formatName),
      ...doc,
      theorem: String(row['theorem']),
      step: Number(row['step']),
      inline: row['inline'] === true,
    });
  }
  return out;
}
