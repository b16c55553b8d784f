/**
 * Tactic proofs become supervised examples: a prompt rendered by the SAME prompt module the extension serves with
 * (model/src/prompts.ts; "the prompt is a contract") and the target text the model should continue it with. Nothing
 * here writes prompt text of its own.
 */
import type { PromptFormat, ProofContext } from '@llemma/model/prompts';
import type { GoalSource, TacticProof } from '@llemma/prover-text/lean';
import { unitInterval } from './hashing';

/**
 * The goal slot of steps after the first. Only the first goal can be read from the statement; after that the state
 * is whatever Lean made of the tactics so far, which needs Lean. The placeholder follows prompts.ts's own marker for a
 * missing theorem, `(unknown)`; a model trained on it learns to lean on the statement and the tactics so far there.
 */
export const unknownGoal = '(unknown)';

export interface TacticExample {
  prompt: string;
  target: string;
  source: string;
  path: string;
  /** The declaration's name. */
  theorem: string;
  /** 1-based line of the tactic in the file. */
  line: number;
  /** Index of the step within its proof (0 is the first tactic). */
  step: number;
  /**
   * Whether the prompt's tactic state is real rather than `(unknown)`: the first step's goal from the binders, or a
   * goal the proof text states (`have … : P := by`, `show`, `suffices`, `calc`) with the theorem's binders.
   */
  goalKnown: boolean;
  /** That tactic state (hypotheses, then `⊢ target`), so that readers need not parse the prompt; null if unknown. */
  goal: string | null;
  /** Where the goal was read: `statement` (the first step) or the construct that states it; null if unknown. */
  goalFrom: 'statement' | GoalSource | null;
  /**
   * A tactic written after `by` on its header's line (`have h : P := by simp`), which is not a step of its own:
   * `step` is then the step whose line holds it. Such examples add goal-known pairs; the steps are the others.
   */
  inline: boolean;
}

export interface ExampleLimits {
  maxPromptChars: number;
  maxTargetChars: number;
}

export interface ExampleCounts {
  proofs: number;
  /** Proofs with `sorry`/`admit`, not used. */
  incomplete: number;
  /** Proofs whose first goal was rendered from the binders. */
  withGoal: number;
  /** Steps after the first whose goal the proof text states (blockGoals.ts), among the examples. */
  statedGoals: number;
  /** Examples of tactics after a header's `by` on its line or in a term-mode proof (not steps), among the examples. */
  inline: number;
  /** Term-mode proofs with `by` blocks whose goal the text states (their blocks are inline examples). */
  termProofs: number;
  examples: number;
  /** Steps dropped because the prompt or the target was too long. */
  tooLong: number;
}

export function emptyExampleCounts(): ExampleCounts {
  return { proofs: 0, incomplete: 0, withGoal: 0, statedGoals: 0, inline: 0, termProofs: 0, examples: 0, tooLong: 0 };
}

/** The examples of one file's proofs; `counts` is added to. */
export function examplesOf(
  doc: { source: string; path: string },
  proofs: readonly TacticProof[],
  format: PromptFormat,
  limits: ExampleLimits,
  counts: ExampleCounts,
): TacticExample[] {
  const out: TacticExample[] = [];
  for (const proof of proofs) {
    if (proof.termMode) counts.termProofs++;
    else counts.proofs++;
    if (proof.incomplete) {
      counts.incomplete++;
      continue;
    }
    if (proof.goal !== undefined && !proof.termMode) counts.withGoal++;
    const add = (
      at: { line: number; step: number; before: string[]; tactic: string },
      goal: string | undefined,
      goalFrom: TacticExample['goalFrom'],
      inline: boolean,
    ) => {
      const ctx: ProofContext = { theorem: proof.statement, tactics: at.before, goals: [goal ?? unknownGoal] };
      const prompt = format.render(ctx);
      const target = format.target(at.tactic);
      if (prompt.length > limits.maxPromptChars || target.length > limits.maxTargetChars) {
        counts.tooLong++;
        return;
      }
      counts.examples++;
      if (inline) counts.inline++;
      else if (at.step > 0 && goal !== undefined) counts.statedGoals++;
      out.push({
        prompt,
        target,
        source: doc.source,
        path: doc.path,
        theorem: proof.name,
        line: at.line,
        step: at.step,
        goalKnown: goal !== undefined,
        goal: goal ?? null,
        goalFrom: goal === undefined ? null : goalFrom,
        inline,
      });
    };
    proof.steps.forEach((step, index) => {
      const stated = index === 0 ? undefined : step.stated;
      const goal = index === 0 ? proof.goal : stated?.goal;
      add({ ...step, step: index }, goal, index === 0 ? 'statement' : (stated?.from ?? null), false);
    });
    for (const t of proof.inline) add(t, t.goal, t.from, true);
  }
  return out;
}

/**
 * Whether a file's examples are held out. The split is by file (every theorem of a file on the same side, so that
 * neighbouring lemmas that share proof text cannot straddle it), from a hash of source and path: stable across runs,
 * machines and corpus changes elsewhere.
 */
export function isHeldOut(doc: { source: string; path: string }, fraction: number, seed: number): boolean {
  return unitInterval(`${doc.source}/${doc.path}`, seed) < fraction;
}

/**
 * Whether a training file is held aside: a part of the training split, chosen by file like the held-out split but
 * with a hash of its own, on which retrieval is calibrated and every variant is chosen, so that the held-out split
 * is looked at only to report the result.
 */
export function isHeldAside(doc: { source: string; path: string }, fraction: number, seed: number): boolean {
  return unitInterval(`${doc.source}/${doc.path}`, (seed ^ 0x61736964) >>> 0) < fraction;
}
