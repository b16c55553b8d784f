// The tactic-level contract the proof search programs against: a proof state in, ranked distinct tactics out. A model
// is one such source (tacticModel.ts: it renders its own prompt and reads its own completions), the retrieval index
// and the decision procedures are others, the merged generator (mergedTacticSource.ts) is all of them at once, and a
// fixed table serves tests (model/testing/fixedTactics.ts). Plain data only: no prompt, no token, no ONNX Runtime type.

import type { TacticSourceName } from './modelChoices';
import type { ProofContext } from './prompts';
import type { FinishReason } from './types';

/** How much to propose and how hard to look. */
export interface TacticBudget {
  /** Distinct tactics to return at most. */
  candidates: number;
  /** Beam width of a beam search; at least `candidates`. */
  beamWidth: number;
  /** New tokens per tactic at most (`defaultMaxNewTokens`: 256). */
  maxNewTokens: number;
  /** 0 (default): beam search. Above 0: independent samples at this temperature. */
  temperature?: number;
  signal?: AbortSignal;
}

export interface ProposedTactic {
  /** The tactic, trimmed; still untrusted text. */
  tactic: string;
  /**
   * What the tactics are ranked by and what best-first search adds up along a path: a log-probability (at most 0;
   * higher is better). A model on its own: the mean log-probability of its tokens (the Llemma search's score). The
   * merged generator: the calibrated log-probability that this is the tactic a person would write next, on one scale
   * for every source (docs/search.md).
   */
  score: number;
  /** Rank among this answer's tactics, 0 = best. */
  rank: number;
  /** The source that proposed it; when several did, the one whose calibrated score is best. */
  source: TacticSourceName;
  /** Every source that proposed it, best calibrated score first; present only when more than one did. */
  sources?: readonly TacticSourceName[];
  /** The model's own mean log-probability of its tokens, where the model proposed it. */
  meanLogprob?: number;
  /** Sum of its tokens' log-probabilities, where a model produced it. */
  logprob?: number;
  /** Tokens generated for it, where a model produced it. */
  tokens?: number;
  finishReason?: FinishReason;
}

/** Where the tactics come from, for the user (and for cache keys): the same fields as the protocol's ModelDescription. */
export interface TacticSourceDescription {
  /** A model folder's path or an OpenAI-compatible server's URL (with its model name). */
  source: string;
  /** Where it ran: `cpu`, `cuda`, `webgpu`, or `http` for a server. */
  provider: string;
  /** Execution providers tried before `provider` and why each was not used (a local folder only). */
  skippedProviders?: string[];
  /** Present when beam search runs inside the folder's generation.onnx: how. */
  generationGraph?: string;
  /** The prompt format the tactics were generated with (prompts.ts); `none` when no model was asked. */
  promptFormat: string;
  /** The sources the tactics come from (the merged generator; absent: the model alone). */
  sources?: TacticSourceName[];
  /** Sources asked for but not used, each with the reason (`retrieval: no retrieval.bin in the model folder`). */
  skippedSources?: string[];
}

export interface TacticSource {
  /**
   * Distinct tactics for the proof state, best first (by `score`), at most `budget.candidates`, except that the merged
   * generator appends the decision procedures that did not rank among them (they are tried on every goal).
   */
  proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]>;
  /** Which source answers (a model is loaded to say so). */
  describe(): Promise<TacticSourceDescription>;
}
