// The fixed generator that serves tests: a table from a proof state's goals to the tactics "the model" proposes for
// it, behind the same TacticSource contract as a real model. Every call is recorded.

import type { ProofContext } from '../src/prompts';
import type { ProposedTactic, TacticBudget, TacticSource, TacticSourceDescription } from '../src/tacticSource';

/** Goals (joined with a blank line, as Lean prints a tactic state) → [tactic, mean log-prob], in any order. */
export type FixedTable = Record<string, readonly (readonly [string, number])[]>;

export class FixedTactics implements TacticSource {
  readonly calls: { context: ProofContext; budget: TacticBudget }[] = [];

  constructor(
    private readonly table: FixedTable,
    private readonly description: TacticSourceDescription = {
      source: 'fixed table',
      provider: 'fixed',
      promptFormat: 'none',
    },
  ) {}

  async proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]> {
    budget.signal?.throwIfAborted();
    this.calls.push({ context, budget });
    return [...(this.table[context.goals.join('\n\n')] ?? [])]
      .sort((a, b) => b[1] - a[1])
      .slice(0, budget.candidates)
      .map(([tactic, meanLogprob], rank) => ({ tactic, score: meanLogprob, rank, source: 'model', meanLogprob }));
  }

  async describe(): Promise<TacticSourceDescription> {
    return this.description;
  }
}
