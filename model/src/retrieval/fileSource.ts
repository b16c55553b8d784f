// The `file` source: the tactics of the goals most like this one among the goal-known pairs of the file above the
// proof (`ProofContext.fileExamples`: earlier theorems' first tactics, `have`/`show`/`calc` blocks), found and
// renamed to the query's binders as retrieval does over its shipped index, each scored by its rank with the file
// table of sources.json. Proofs in one file resemble each other more than proofs anywhere else: this source alone
// puts the written first tactic in its first 8 about as often as retrieval over the whole training split, on mostly
// other steps, so the two together gain the most (docs/search.md, model/default/MODEL_CARD.md). The index of a file's pairs is built
// on the first question (a few milliseconds for hundreds of pairs) and kept while the same pairs are asked again
// (every expansion of a search, every check of a suggestion).

import type { ProofContext } from '../prompts';
import { type ModelScoreTable, modelScore, stepKind } from '../sourceTables';
import type { ProposedTactic, TacticBudget, TacticSource, TacticSourceDescription } from '../tacticSource';
import { buildRetrievalIndex, type RetrievalExample } from './buildIndex';
import { defaultRetrievalParams, type RetrievalIndex } from './retrievalIndex';

export class FileSource implements TacticSource {
  private built: { examples: readonly RetrievalExample[]; index: RetrievalIndex } | undefined;

  constructor(private readonly table: () => Promise<ModelScoreTable>) {}

  async proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]> {
    budget.signal?.throwIfAborted();
    const examples = context.fileExamples;
    const goal = context.goals[0];
    if (goal === undefined || !examples || examples.length === 0) return [];
    const table = await this.table();
    const step = stepKind(context);
    return this.indexOf(examples)
      .query(goal, budget.candidates, { step })
      .map((t, rank) => ({ tactic: t.tactic, score: modelScore(table, rank, step), rank, source: 'file' }));
  }

  /** The index of `examples`, kept for the same list (a session's pairs are one list for all its questions). */
  private indexOf(examples: readonly RetrievalExample[]): RetrievalIndex {
    if (this.built?.examples !== examples) {
      this.built = { examples, index: buildRetrievalIndex(examples, defaultRetrievalParams) };
    }
    return this.built.index;
  }

  async describe(): Promise<TacticSourceDescription> {
    return { source: 'the file above the proof', provider: 'cpu', promptFormat: 'none', sources: ['file'] };
  }
}
