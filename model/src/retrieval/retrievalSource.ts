// Retrieval as a tactic source: the first goal of the proof state is looked up in the model folder's index
// (loaded on the first query), and the tactics of the most similar known goals come back with their calibrated
// scores. A folder without retrieval.bin answers with none.

import type { ProofContext } from '../prompts';
import { stepKind } from '../sourceTables';
import type { ProposedTactic, TacticBudget, TacticSource, TacticSourceDescription } from '../tacticSource';
import type { LazyRetrieval } from './loadRetrieval';

export class RetrievalSource implements TacticSource {
  constructor(private readonly retrieval: LazyRetrieval) {}

  /** Whether the folder has an index (loads it). */
  async available(): Promise<boolean> {
    return (await this.retrieval.index()) !== undefined;
  }

  async proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]> {
    budget.signal?.throwIfAborted();
    const goal = context.goals[0];
    if (goal === undefined) return [];
    const found = await this.retrieval.query(goal, budget.candidates, { step: stepKind(context) });
    return found.map((t, rank) => ({ tactic: t.tactic, score: t.score, rank, source: 'retrieval' }));
  }

  async describe(): Promise<TacticSourceDescription> {
    return { source: this.retrieval.folder, provider: 'cpu', promptFormat: 'none', sources: ['retrieval'] };
  }
}
