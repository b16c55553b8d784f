/**
 * Published miniF2F results shown beside a run, each with the setup that produced it: a number means little without
 * its search, budget and data, and these differ from one row to the next and from a run here.
 */
import type { PublishedResult } from '../../protocol';

const llemmaSetup =
  'Llemma paper (Azerbayev et al., 2023), Lean 4 formal-to-formal: best-first search, 32 candidates × 100 ' +
  'expansions by beam search, 600 s per problem; miniF2F test as ported to Lean 4 by LeanDojo in 2023 ' +
  '(rah4927/lean-dojo-mew @ d00c776), the Lean and Mathlib of that port';

export const publishedResults: readonly PublishedResult[] = [
  { system: 'Llemma 7B', percent: 26.23, split: 'test', setup: llemmaSetup },
  { system: 'Llemma 34B', percent: 25.82, split: 'test', setup: llemmaSetup },
  { system: 'Code Llama 7B', percent: 20.49, split: 'test', setup: llemmaSetup },
  { system: 'Code Llama 34B', percent: 22.13, split: 'test', setup: llemmaSetup },
  {
    system: 'ReProver',
    percent: 26.5,
    split: 'test',
    setup:
      'as quoted by the Llemma paper: ReProver (LeanDojo, Yang et al., 2023), retrieval-augmented tactic generator, ' +
      'its own best-first search and budget; not the 32 × 100 search',
  },
  {
    system: 'COPRA (GPT-4)',
    percent: 23.36,
    split: 'test',
    setup:
      'as quoted by the Llemma paper: COPRA (Thakur et al., 2023), a GPT-4 agent with in-context learning and ' +
      'backtracking; a different search and budget',
  },
];
