// Beam search as Hugging Face transformers and vLLM (which the Llemma search used) run it: keep the `width`
// sequences of highest cumulative log-probability; each step look at the 2·width best one-token extensions;
// an extension that ends (stop string, EOS, length) joins the finished pool if it ranks within the first
// `width`, the others refill the beam. Finished candidates are ranked by mean log-probability per token.
//
// The prompt runs once, at batch 1; the first step forks its cache row into the beams. Each beam lives in one
// row of the decoder's batch; a beam's first child keeps its parent's row, so between steps only forked beams
// are copied (into the rows of beams that were dropped) and the batch shrinks when fewer beams run.
// beamSearchBatch runs several prompts' searches in one batch the same way (their rows side by side).

import { CandidatePool, type CompletionTracker, makeCandidate } from './completion';
import { logSumExp, topK } from './logits';
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
  /** Row of the decoder batch that holds this beam's cache and next-token logits. */
  row: number;
}

/** The one-token extensions of one beam, best first (the order of the beam's log-probabilities). */
interface Extensions {
  parent: number;
  tokens: number[];
  logprobs: number[];
  sums: number[];
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
  return (await beamSearchBatch(decoder, [{ promptIds, tracker }], params))[0]!;
}

/** One prompt of a batched beam search, with its own end rules. */
export interface BeamSearchJob {
  promptIds: readonly number[];
  tracker: CompletionTracker;
}

/** A prompt's search while it runs: its beams (in batch rows) and its finished candidates. */
interface JobState {
  job: BeamSearchJob;
  beams: Beam[];
  pool: CandidatePool;
  done: boolean;
}

/**
 * Beam searches of several prompts in one decoder batch: the prompts are prefilled together (left-padded), and
 * every step runs the beams of all unfinished prompts as one batch; a prompt whose search is done leaves the
 * batch. Each prompt's search is `beamSearch` of that prompt alone, step for step (an ONNX decoder's logits for a
 * left-padded row may differ from the unpadded ones in the last bits, which can only flip exact ties), and the
 * results come back in the order of `jobs`.
 */
export async function beamSearchBatch<C>(
  decoder: Decoder<C>,
  jobs: readonly BeamSearchJob[],
  params: BeamSearchParams,
): Promise<Candidate[][]> {
  const { width, n, signal } = params;
  throwIfAborted(signal);
  if (jobs.length === 0) return [];
  let { cache, logits } = await decoder.prefill(jobs.map((j) => j.promptIds));
  const states: JobState[] = jobs.map((job, row) => ({
    job,
    beams: [{ ids: [], logprobs: [], sum: 0, row }],
    pool: new CandidatePool(),
    done: false,
  }));

  for (;;) {
    throwIfAborted(signal);
    const next: Beam[] = [];
    const parents: number[] = [];
    for (const state of states) {
      if (state.done) continue;
      const chosen = nextBeams(state, logits, width);
      if (chosen.beams.length === 0 || isDone(state.pool, chosen.beams, width)) {
        state.done = true;
        continue;
      }
      state.beams = chosen.beams;
      next.push(...chosen.beams);
      parents.push(...chosen.parentRows);
    }
    if (next.length === 0) break;
    const { source, rowOf } = placeRows(parents);
    cache = decoder.selectRows(cache, source);
    const tokens = new Array<number>(next.length);
    next.forEach((beam, i) => {
      beam.row = rowOf[i]!;
      tokens[beam.row] = beam.ids.at(-1)!;
    });
    ({ cache, logits } = await decoder.step(cache, tokens));
  }
  return states.map((s) => s.pool.best(n));
}

/**
 * One step of one prompt's search: the 2·width best one-token extensions of its beams; those that end join its
 * pool (if they rank within the first `width`), the others are the next beams, best first, with the batch rows
 * of their parents.
 */
function nextBeams(
  state: JobState,
  logits: readonly Float32Array[],
  width: number,
): { beams: Beam[]; parentRows: number[] } {
  const perBeam = 2 * width;
  const { beams, pool, job } = state;
  // Beams are in order of their sums, best first (the first step has one). Once 2·width extensions are known,
  // a beam whose sum is no better than the 2·width-th of them cannot place one (log-probabilities are ≤ 0):
  // its row is skipped, and with it the pass over the vocabulary.
  const lists: Extensions[] = [];
  const kept = new BestSums(perBeam);
  beams.forEach((beam, parent) => {
    if (kept.full && beam.sum <= kept.threshold) return;
    const list = extend(beam, parent, logits[beam.row]!, perBeam);
    lists.push(list);
    kept.addSorted(list.sums);
  });
  const next: Beam[] = [];
  const parentRows: number[] = [];
  // The 2·width best extensions overall, best first; equal sums keep (parent, token rank) order, as a stable
  // sort of all extensions would.
  for (const [rank, [list, at]] of mergeBest(lists, perBeam).entries()) {
    const parent = beams[list.parent]!;
    const ids = [...parent.ids, list.tokens[at]!];
    const logprobs = [...parent.logprobs, list.logprobs[at]!];
    const ending = job.tracker.check(ids);
    if (ending.reason !== null) {
      if (rank < width) pool.add(makeCandidate(ids, logprobs, ending));
      continue;
    }
    next.push({ ids, logprobs, sum: list.sums[at]!, row: -1 });
    parentRows.push(parent.row);
    if (next.length === width) break;
  }
  return { beams: next, parentRows };
}

function extend(beam: Beam, parent: number, row: Float32Array, k: number): Extensions {
  const tokens = topK(row, k);
  // The largest logit is the first of the top k (NaN anywhere in the row makes logZ NaN, as it should).
  const logZ = logSumExp(row, tokens.length > 0 ? row[tokens[0]!]! : Number.NaN);
  const logprobs = tokens.map((t) => row[t]! - logZ);
  return { parent, tokens, logprobs, sums: logprobs.map((lp) => beam.sum + lp) };
}

/** The best `size` values seen so far (descending), to know the value a new one must beat. */
class BestSums {
  private readonly values: Float64Array;
  private filled = 0;

  constructor(private readonly size: number) {
    this.values = new Float64Array(size);
  }

  get full(): boolean {
    return this.filled === this.size;
  }

  /** The size-th best value (meaningful once full). */
  get threshold(): number {
    return this.values[this.size - 1]!;
  }

  /** Adds values given best first. */
  addSorted(sums: readonly number[]): void {
    for (const s of sums) {
      if (this.full && !(s > this.threshold)) return;
      let at = this.full ? this.size - 1 : this.filled;
      while (at > 0 && this.values[at - 1]! < s) {
        this.values[at] = this.values[at - 1]!;
        at--;
      }
      this.values[at] = s;
      if (!this.full) this.filled++;
    }
  }
}

/** The `count` best (list, index) pairs by sum from lists each sorted best first; ties go to the earlier list. */
function mergeBest(lists: readonly Extensions[], count: number): Array<[Extensions, number]> {
  const heads = new Array<number>(lists.length).fill(0);
  const out: Array<[Extensions, number]> = [];
  while (out.length < count) {
    let best = -1;
    let bestSum = Number.NEGATIVE_INFINITY;
    for (let l = 0; l < lists.length; l++) {
      const s = lists[l]!.sums[heads[l]!];
      if (s !== undefined && (best < 0 || s > bestSum)) {
        best = l;
        bestSum = s;
      }
    }
    if (best < 0) break;
    out.push([lists[best]!, heads[best]!]);
    heads[best]!++;
  }
  return out;
}

/**
 * Assigns each next beam a batch row. `parentRows[i]` is the current batch row of beam i's parent; returns
 * `source` (per new row, the current row it is copied from: what Decoder.selectRows takes) and `rowOf` (per
 * beam, its new row). A parent's first child stays in the parent's row; the other children take the rows left
 * free, whose beams were dropped. So no copy reads a row that another copy overwrites, and only forks move.
 */
export function placeRows(parentRows: readonly number[]): { source: number[]; rowOf: number[] } {
  const count = parentRows.length;
  const source = new Array<number>(count).fill(-1);
  const rowOf = new Array<number>(count).fill(-1);
  parentRows.forEach((p, i) => {
    if (p < count && source[p] === -1) {
      source[p] = p;
      rowOf[i] = p;
    }
  });
  let free = 0;
  parentRows.forEach((p, i) => {
    if (rowOf[i] !== -1) return;
    while (source[free] !== -1) free++;
    source[free] = p;
    rowOf[i] = free;
  });
  return { source, rowOf };
}

function isDone(pool: CandidatePool, running: readonly Beam[], width: number): boolean {
  if (pool.size < width) return false;
  const worstKept = pool.best(width).at(-1)!.meanLogprob;
  const best = running[0]!;
  return best.sum / best.ids.length <= worstKept;
}
