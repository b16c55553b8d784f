/**
 * The (goal, tactic) pairs a Lean file states without Lean: the first tactic of each complete tactic proof with the
 * goal rendered from its statement's binders, and each tactic whose goal the proof text states (`have … : P := by`,
 * `show`, `suffices`, `calc`, term-mode `by` blocks), rendered with the theorem's binders. They are the pairs the
 * training workspace reads from its corpus (training/src/data/tacticExamples.ts, over the same `tacticProofs`), so
 * the merged generator's `file` source, which looks up the pairs of the file above a proof, sees what the
 * evaluation measured it on.
 */
import { type TacticProof, tacticProofs } from './tacticProofs';

export interface GoalExample {
  /** The tactic state (hypotheses, then `⊢ target`). */
  goal: string;
  /** The tactic written for it, dedented, with what is nested under it. */
  tactic: string;
  /** A proof's first tactic (`first`) or a tactic further in (`later`). */
  step: 'first' | 'later';
  /** 1-based line of the tactic. */
  line: number;
}

/** The declarations read: the training workspace's default (training/src/run/defaults.ts). */
export const exampleKeywords: ReadonlySet<string> = new Set(['theorem', 'lemma', 'example', 'problem']);

/** Every goal-known pair of `text`'s proofs, in file order; proofs with `sorry` or `admit` give none. */
export function fileExamples(text: string, keywords: ReadonlySet<string> = exampleKeywords): GoalExample[] {
  return tacticProofs(text, keywords).flatMap(examplesOfProof);
}

function examplesOfProof(proof: TacticProof): GoalExample[] {
  if (proof.incomplete) return [];
  const out: GoalExample[] = [];
  proof.steps.forEach((step, index) => {
    const goal = index === 0 ? proof.goal : step.stated?.goal;
    if (goal !== undefined)
      out.push({ goal, tactic: step.tactic, step: index === 0 ? 'first' : 'later', line: step.line });
  });
  for (const t of proof.inline) out.push({ goal: t.goal, tactic: t.tactic, step: 'later', line: t.line });
  return out.sort((a, b) => a.line - b.line);
}
