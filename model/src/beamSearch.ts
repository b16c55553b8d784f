// Beam search as Hugging Face transformers and vLLM (which the Llemma search used) run it: keep the `width`
// sequences of highest cumulative log-probability; each step look at the 2·width best one-token extensions;
// an extension that ends (stop string, EOS, length) joins the finished pool if it ranks within the first
// `width`, the others refill the beam. Finished candidates are ranked by mean log-probability per token.

import { CandidatePool, type CompletionTracker, makeCandidate } from './completion';
import { logSoftmax, topK } from './logits';
import type { Decoder } from './onnxDecoder';
import { type Candidate, throwIfAborted } from './types';

export interface BeamSearchParams {
  width: number;
  /** Candidates to return (at most `width`). */
  n: number;
  signal?: AbortSignal;
}

interface Beam {
  ids: number[];
  logprobs: number[];
  sum: number;
}

interface Extension {
  parent: number;
  token: number;
  logprob: number;
  sum: number;
}

/**
 * Runs beam search from `promptIds`. With width 1 it is greedy decoding. Stops when the beam is empty or, once
 * `width` distinct candidates have finished, when the best running beam's mean log-probability is no better
 * than the width-th finished one (transformers' `early_stopping=False` rule). Returns up to `n` distinct texts.
 */
export async function beamSearch<C>(
  decoder: Decoder<C>,
  promptIds: readonly number[],
  tracker: CompletionTracker,
  params: BeamSearchParams,
): Promise<Candidate[]> {
  const { width, n, signal } = params;
  throwIfAborted(signal);
  let { cache, logits } = await decoder.prefill([promptIds]);
  let beams: Beam[] = [{ ids: [], logprobs: [], sum: 0 }];
  const pool = new CandidatePool();

  while (beams.length > 0) {
    throwIfAborted(signal);
    const extensions: Extension[] = [];
    beams.forEach((beam, parent) => {
      const lp = logSoftmax(logits[parent]!);
      for (const token of topK(lp, 2 * width)) {
        extensions.push({ parent, token, logprob: lp[token]!, sum: beam.sum + lp[token]! });
      }
    });
    // Sort is stable, so equal sums keep (parent, token) order and the search is deterministic.
    extensions.sort((a, b) => b.sum - a.sum);

    const next: Beam[] = [];
    const parents: number[] = [];
    for (const [rank, ext] of extensions.slice(0, 2 * width).entries()) {
      const parent = beams[ext.parent]!;
      const ids = [...parent.ids, ext.token];
      const logprobs = [...parent.logprobs, ext.logprob];
      const ending = tracker.check(ids);
      if (ending.reason !== null) {
        if (rank < width) pool.add(makeCandidate(ids, logprobs, ending));
        continue;
      }
      next.push({ ids, logprobs, sum: ext.sum });
      parents.push(ext.parent);
      if (next.length === width) break;
    }
    if (next.length === 0 || isDone(pool, next, width)) break;
    cache = decoder.selectRows(cache, parents);
    ({ cache, logits } = await decoder.step(
      cache,
      next.map((b) => b.ids.at(-1)!),
    ));
    beams = next;
  }
  return pool.best(n);
}

function isDone(pool: CandidatePool, running: readonly Beam[], width: number): boolean {
  if (pool.size < width) return false;
  const worstKept = pool.best(width).at(-1)!.meanLogprob;
  const best = running[0]!;
  return best.sum / best.ids.length <= worstKept;
}
