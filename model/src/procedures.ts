// Decision procedures as a tactic source: the tactics that most often close a goal on their own in the training
// data (chosen by `llemma-train calibrate`, listed in the model folder's sources.json), proposed for every goal,
// each with its calibrated score for a first or a later step. Lean checks them cheaply; the merged generator
// appends the ones that do not rank among its candidates, so every goal gets them all (docs/search.md).

import type { ProofContext } from './prompts';
import { type Procedure, stepKind } from './sourceTables';
import type { ProposedTactic, TacticBudget, TacticSource, TacticSourceDescription } from './tacticSource';

export class ProcedureSource implements TacticSource {
  constructor(private readonly procedures: () => Promise<readonly Procedure[]>) {}

  /** Every procedure, best calibrated score first (`budget.candidates` does not cut them: see the merged generator). */
  async proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]> {
    budget.signal?.throwIfAborted();
    const step = stepKind(context);
    return [...(await this.procedures())]
      .map((p) => ({ tactic: p.tactic, score: p.logProbability[step] }))
      .sort((a, b) => b.score - a.score)
      .map((p, rank) => ({ ...p, rank, source: 'procedures' }));
  }

  async describe(): Promise<TacticSourceDescription> {
    return { source: 'decision procedures', provider: 'lean', promptFormat: 'none', sources: ['procedures'] };
  }
}
