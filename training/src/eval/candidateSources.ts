/**
 * Candidate sources as the evaluation compares them: anything that ranks tactics for a step. The frequency list and
 * retrieval are here; a neural model, decision procedures or a merged generator join as more sources with the same
 * one method, and every source is scored on the same steps with the same rules (compare.ts).
 */
import type { RetrievalIndex, RetrievalParams } from '@llemma/model';
import type { UnknownGoalQuery } from '../run/config';
import { mostFrequent, normalizeTactic } from './firstTactics';
import type { EvalStep } from './steps';

export interface CandidateSource {
  /** Short name, used as the row label and as the key in eval-sources.json. */
  name: string;
  /** One sentence: what the source proposes and from what. */
  description: string;
  /** At most `n` distinct tactics for the step, best first. */
  candidates(step: EvalStep, n: number): string[];
}

/**
 * The most frequent tactics of the training split, one list for first steps and one for later steps (a later step
 * is another distribution: `rfl`, `· simp` and `rw [this]` are common there, `ext` and `classical` at the start).
 */
export function frequencySource(training: readonly EvalStep[], n: number): CandidateSource {
  const first = mostFrequent(
    training.filter((s) => s.step === 0).map((s) => s.gold),
    n,
  ).map((t) => t.tactic);
  const later = mostFrequent(
    training.filter((s) => s.step > 0).map((s) => s.gold),
    n,
  ).map((t) => t.tactic);
  return {
    name: 'frequency',
    description: `the ${n} most frequent training tactics, of first steps for a first step and of later steps otherwise`,
    candidates: (step, k) => (step.step === 0 ? first : later).slice(0, k),
  };
}

/**
 * The text a context index is keyed on for a step whose state is unknown: the previous tactic's first line as the
 * target, after the statement's hypotheses (so that names in the next tactic can be renamed to the query's).
 */
export function contextGoal(step: EvalStep, query: UnknownGoalQuery): string | undefined {
  if (query === 'none') return undefined;
  if (query === 'statement') return step.statementGoal ?? undefined;
  if (step.previous === null) return undefined;
  const target = `⊢ ${step.previous}`;
  if (query === 'previous') return target;
  const hyps = step.statementGoal?.split('\n⊢')[0];
  return hyps && !hyps.startsWith('⊢') ? `${hyps}\n${target}` : target;
}

/**
 * Retrieval: the goal index for steps whose state is known. For the others, `unknown.query` says what to query
 * with: the statement's goal (in the goal index), or a context key (contextGoal) in `unknown.index`, an index of
 * training steps keyed the same way. `overrides` change the ranking parameters for this source only.
 */
export function retrievalSource(
  goals: RetrievalIndex,
  unknown: { query: UnknownGoalQuery; index: RetrievalIndex | undefined },
  overrides: Partial<RetrievalParams> = {},
): CandidateSource {
  const ask = (index: RetrievalIndex, goal: string | null | undefined, n: number, step?: 'first' | 'later') =>
    goal ? index.query(goal, n, step ? { ...overrides, step } : overrides).map((c) => c.tactic) : [];
  return {
    name: 'retrieval',
    description:
      'tactics of the nearest known goals (BM25), renamed to the query' +
      (unknown.query === 'none' ? '' : `; where the state is unknown, queried by ${unknown.query}`),
    candidates: (step, n) => {
      if (step.goal !== null) return ask(goals, step.goal, n, step.step === 0 ? 'first' : 'later');
      if (unknown.query === 'statement') return ask(goals, step.statementGoal, n);
      return unknown.index ? ask(unknown.index, contextGoal(step, unknown.query), n) : [];
    },
  };
}

/** `primary`'s candidates, then `filler`'s that are new (whitespace-normalised), up to n. */
export function filledSource(primary: CandidateSource, filler: CandidateSource, name: string): CandidateSource {
  return {
    name,
    description: `${primary.name}, filled up to n with ${filler.name}`,
    candidates: (step, n) => {
      const out = primary.candidates(step, n);
      const seen = new Set(out.map(normalizeTactic));
      for (const t of filler.candidates(step, n)) {
        if (out.length >= n) break;
        const k = normalizeTactic(t);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(t);
        }
      }
      return out;
    },
  };
}
