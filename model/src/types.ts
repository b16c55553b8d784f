// The model's public contract: one method, plain data in and out. Callers (the search, the CLI, evaluation)
// never see ONNX Runtime types, so a fixed generator can stand in for the model in their tests.

import { defaultMaxNewTokens, type ExecutionProviderName } from './modelChoices';

/** Why a candidate ended. */
export type FinishReason = 'stop' | 'eos' | 'length';

export interface Candidate {
  /** The generated text, cut before the first stop string; EOS is not part of it. Not trimmed. */
  text: string;
  /** Cumulative log-probability of the generated tokens under the model (natural log, temperature 1). */
  logprob: number;
  /** `logprob / tokenIds.length`: the Llemma search's length-normalised candidate score. */
  meanLogprob: number;
  /** Generated token ids, including the token that completed a stop string or the EOS token. */
  tokenIds: number[];
  /** Log-probability of each generated token; they sum to `logprob`. */
  tokenLogprobs: number[];
  finishReason: FinishReason;
}

export interface GenerateOptions {
  /** How many distinct candidates to return (fewer when fewer distinct texts exist). */
  n: number;
  /** 0 (default): beam search, as the Llemma search runs it. Above 0: independent samples at this temperature. */
  temperature?: number;
  /** Beam width for beam search; default `n`, must be at least `n`. */
  beamWidth?: number;
  /** Upper bound on generated tokens per candidate; default `defaultMaxNewTokens` (256). */
  maxNewTokens?: number;
  /** Generation of a candidate ends when its text contains one of these (Llemma: `---`). */
  stop?: readonly string[];
  /** Seed of the sampler; the same seed, prompt and options give the same samples. Ignored by beam search. */
  seed?: number;
  /** Checked between decoding steps; an aborted generation rejects with an `AbortError`. */
  signal?: AbortSignal;
}

export interface TacticGenerator {
  /** Candidates sorted by `meanLogprob`, best first, with distinct texts. */
  generate(prompt: string, opts: GenerateOptions): Promise<Candidate[]>;
  /**
   * `generate` for several prompts with the same options, results in the order of `prompts`: the same candidates
   * as one `generate` per prompt, computed together where the generator can (a local model runs the beam searches
   * in one decoder batch). Optional: callers fall back to `generate`.
   */
  generateBatch?(prompts: readonly string[], opts: GenerateOptions): Promise<Candidate[][]>;
}

/** Options with defaults filled in and checked. */
export interface ResolvedOptions {
  n: number;
  temperature: number;
  beamWidth: number;
  maxNewTokens: number;
  stop: readonly string[];
  seed: number;
  signal: AbortSignal | undefined;
}

export function resolveOptions(opts: GenerateOptions): ResolvedOptions {
  const temperature = opts.temperature ?? 0;
  const beamWidth = opts.beamWidth ?? opts.n;
  const maxNewTokens = opts.maxNewTokens ?? defaultMaxNewTokens;
  const problems: string[] = [];
  if (!Number.isInteger(opts.n) || opts.n < 1) problems.push(`n must be a positive integer (got ${opts.n})`);
  if (!Number.isFinite(temperature) || temperature < 0) problems.push(`temperature must be >= 0 (got ${temperature})`);
  if (!Number.isInteger(beamWidth) || beamWidth < opts.n) {
    problems.push(`beamWidth must be an integer >= n (got ${beamWidth}, n = ${opts.n})`);
  }
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    problems.push(`maxNewTokens must be a positive integer (got ${maxNewTokens})`);
  }
  if (opts.stop?.some((s) => s.length === 0)) problems.push('stop strings must not be empty');
  if (opts.seed !== undefined && !Number.isInteger(opts.seed))
    problems.push(`seed must be an integer (got ${opts.seed})`);
  if (problems.length > 0) throw new RangeError(`invalid generate options: ${problems.join('; ')}`);
  return {
    n: opts.n,
    temperature,
    beamWidth,
    maxNewTokens,
    stop: opts.stop ?? [],
    seed: opts.seed ?? Math.floor(Math.random() * 2 ** 31),
    signal: opts.signal,
  };
}

/** The error an aborted generation rejects with (same name as the DOM's, so `err.name === 'AbortError'` works). */
export function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error('generation cancelled');
  err.name = 'AbortError';
  return err;
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** What a loaded model says about itself. */
export interface ModelInfo {
  folder: string;
  /** The execution provider the model runs on. */
  provider: ExecutionProviderName;
  /** Providers tried first and why they could not be used. */
  skippedProviders: string[];
  /** The prompt format the model expects (prompts.ts). */
  promptFormat: string;
  contextLength: number;
  vocabSize: number;
  /** Whether beam search runs inside generation.onnx (one ONNX Runtime run per search), and why or why not. */
  generationGraph: { used: boolean; reason: string };
}
