// Temperature sampling of n independent completions, decoded together as one batch. Tokens are drawn from
// softmax(logits / temperature) with a seeded generator; the log-probabilities reported are the model's own
// (temperature 1), so sampled and beam-searched candidates are scored on the same scale.

import { mulberry32 } from '@llemma/stdx';
import { CandidatePool, type CompletionTracker, makeCandidate } from './completion';
import { logSumExp, rowMax, sampleIndex } from './logits';
import type { Decoder } from './onnxDecoder';
import { type Candidate, throwIfAborted } from './types';

export interface SamplingParams {
  n: number;
  temperature: number;
  seed: number;
  signal?: AbortSignal;
}

interface Sequence {
  ids: number[];
  logprobs: number[];
}

/** Draws `n` completions of `promptIds`; returns the distinct texts among them, best mean log-probability first. */
export async function sample<C>(
  decoder: Decoder<C>,
  promptIds: readonly number[],
  tracker: CompletionTracker,
  params: SamplingParams,
): Promise<Candidate[]> {
  const { n, temperature, signal } = params;
  // One stream of random numbers consumed row by row, so results depend only on the seed and the inputs.
  const random = mulberry32(params.seed);
  throwIfAborted(signal);
  const prefill = await decoder.prefill([promptIds]);
  // The prompt is run once; its cache row is copied for each sample.
  let cache = decoder.selectRows(prefill.cache, new Array<number>(n).fill(0));
  let logits = new Array<Float32Array>(n).fill(prefill.logits[0]!);
  let active: Sequence[] = Array.from({ length: n }, () => ({ ids: [], logprobs: [] }));
  const pool = new CandidatePool();

  while (active.length > 0) {
    throwIfAborted(signal);
    const kept: number[] = [];
    const next: Sequence[] = [];
    active.forEach((seq, row) => {
      const rowLogits = logits[row]!;
      const token = sampleIndex(rowLogits, temperature, random);
      seq.ids.push(token);
      seq.logprobs.push(rowLogits[token]! - logSumExp(rowLogits, rowMax(rowLogits)));
      const ending = tracker.check(seq.ids);
      if (ending.reason !== null) {
        pool.add(makeCandidate(seq.ids, seq.logprobs, ending));
      } else {
        kept.push(row);
        next.push(seq);
      }
    });
    if (next.length === 0) break;
    // Finished rows leave the batch; the others move down in place (kept is increasing).
    cache = decoder.selectRows(cache, kept);
    ({ cache, logits } = await decoder.step(
      cache,
      next.map((s) => s.ids.at(-1)!),
    ));
    active = next;
  }
  return pool.best(n);
}
