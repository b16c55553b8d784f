// The tactic-level contract the proof search programs against: a proof state in, ranked distinct tactics out. A model
// is one such source (tacticModel.ts: it renders its own prompt and reads its own completions); a fixed table is
// another (model/testing/fixedTactics.ts, for tests). Plain data only: no prompt, no token, no ONNX Runtime type.

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
  /** Mean log-probability of its tokens (at most 0; higher is better): the Llemma search's score. */
  meanLogprob: number;
  /** Rank among this answer's tactics, 0 = best. */
  rank: number;
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
  /** The prompt format the tactics were generated with (prompts.ts). */
  promptFormat: string;
}

export interface TacticSource {
  /** Distinct tactics for the proof state, best first (by `meanLogprob`), at most `budget.candidates`. */
  proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]>;
  /** Which source answers (a model is loaded to say so). */
  describe(): Promise<TacticSourceDescription>;
}
