// Tactics for a goal from the goals most like it: BM25 over goal tokens finds the nearest indexed goals, each
// neighbour votes for its tactic (renamed to the query's binders) with a weight that falls with its distance from the
// best match, and the votes become a ranked list with calibrated scores. Everything is in typed arrays, so a query
// over ~50,000 goals is a few milliseconds in one thread and loading is a handful of array views (indexFile.ts).

import { type GoalStep, goalTerms, parseGoal, targetConstants } from './goalText';
import { type BinderProfile, binderProfiles, instantiate, matchSlots } from './renaming';

/** How the index was built and how it ranks; stored in the file with it. */
export interface RetrievalParams {
  /** BM25 term-frequency saturation. */
  k1: number;
  /** BM25 length normalisation (0: none, 1: full). */
  b: number;
  /** A target token counts this many times as much as a hypothesis token (in the index and in queries). */
  targetWeight: number;
  /** The weight of the target's shape terms, its first token and top-level connective (goalText.ts); 0: none. */
  shapeWeight: number;
  /** The weight of the term for a goal's step (first in its proof or later; goalText.ts); 0: none. */
  stepWeight: number;
  /** Tactics name the target's constants by position (renaming.ts), so `simp [f]` carries over to `simp [g]`. */
  constantSlots: boolean;
  /** Nearest goals that vote. */
  neighbours: number;
  /** A neighbour's vote is (its score / the best neighbour's score) to this power. */
  power: number;
  /** Tactics whose slots cannot all be given a query binder: kept with the original names, or dropped. */
  unmatched: 'keep' | 'drop';
}

/**
 * Chosen on held-aside training files (4 folds of 5 % of the training files by file, 8,934 Mathlib first steps, each
 * fold against an index of the other training files), never on the held-out split: first-step top-8 went from
 * 9.6 % (200 neighbours, power 1, no shape, step or constant terms) to 12.5 % against the frequency list's 8.7 %.
 */
export const defaultRetrievalParams: RetrievalParams = {
  k1: 1.2,
  b: 0.75,
  targetWeight: 2,
  shapeWeight: 3,
  stepWeight: 10,
  constantSlots: true,
  neighbours: 1000,
  power: 2,
  unmatched: 'drop',
};

/**
 * Maps a candidate's share of all votes to a log-probability that it is the tactic a person wrote: `shares` are bin
 * upper bounds (ascending, the last 1), `logProbabilities` the measured value of each bin. Fitted on held-aside
 * training files, so a retrieval score means what a model's score means: the log of how often such a candidate is
 * right. Without a calibration the score is the log of the share itself.
 */
export interface Calibration {
  shares: number[];
  logProbabilities: number[];
}

export interface RetrievedTactic {
  tactic: string;
  /** Calibrated log-probability (natural log) that this is the next tactic; higher is better. */
  score: number;
  /** This tactic's share of the neighbours' votes. */
  share: number;
}

/** A query's goal's step when the caller knows it (no tactic written yet: `first`), and parameter overrides. */
export type QueryOptions = Partial<RetrievalParams> & { step?: GoalStep };

/** The index's arrays; see docs/model-format.md for the meaning of each. */
export interface RetrievalTables {
  params: RetrievalParams;
  vocabulary: string[];
  postingStart: Uint32Array;
  postingEntry: Uint32Array;
  postingWeight: Float32Array;
  entryTemplate: Uint32Array;
  templates: string[];
  slotStart: Uint32Array;
  slotName: Uint32Array;
  slotPosition: Float32Array;
  slotTypeStart: Uint32Array;
  slotTypeTerm: Uint32Array;
  names: string[];
  /** The most frequent tactics of the indexed examples, most frequent first: what to fill a short list up with. */
  frequent: string[];
  calibration?: Calibration;
}

export class RetrievalIndex {
  readonly tables: RetrievalTables;
  private readonly termIds: Map<string, number>;
  // One buffer of per-entry scores, reused by every query (queries are synchronous, so never shared).
  private readonly scores: Float64Array;
  private readonly touched: Uint32Array;
  private readonly selecting: Float64Array;
  // Per template: 0 not yet looked at, 1 no slot or constant marks, 2 marks to fill.
  private readonly marked: Uint8Array;
  private readonly slotCache = new Map<number, BinderProfile[]>();

  constructor(tables: RetrievalTables) {
    this.tables = tables;
    this.termIds = new Map(tables.vocabulary.map((t, i) => [t, i]));
    this.scores = new Float64Array(tables.entryTemplate.length);
    this.touched = new Uint32Array(tables.entryTemplate.length);
    this.selecting = new Float64Array(tables.entryTemplate.length);
    this.marked = new Uint8Array(tables.templates.length);
  }

  get size(): number {
    return this.tables.entryTemplate.length;
  }

  /** The `n` best tactics for `goal` (a pretty-printed tactic state), best first, with distinct texts. */
  query(goal: string, n: number, options: QueryOptions = {}): RetrievedTactic[] {
    const { step, ...overrides } = options;
    const params = { ...this.tables.params, ...overrides };
    const parsed = parseGoal(goal);
    const neighbours = this.nearest(goalTerms(parsed, params, step), params.neighbours);
    const best = neighbours[0]?.score ?? 0;
    if (best <= 0) return [];
    const query = binderProfiles(parsed);
    const constants = targetConstants(parsed);
    const votes = new Map<string, number>();
    let total = 0;
    for (const { entry, score } of neighbours) {
      const tactic = this.tacticFor(entry, query, constants, params.unmatched);
      if (tactic === undefined) continue;
      const vote = (score / best) ** params.power;
      votes.set(tactic, (votes.get(tactic) ?? 0) + vote);
      total += vote;
    }
    return [...votes]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([tactic, vote]) => ({ tactic, share: vote / total, score: this.calibrated(vote / total) }));
  }

  /** The `k` indexed goals with the highest BM25 score against the weighted query terms, best first. */
  nearest(terms: ReadonlyMap<string, number>, k: number): { entry: number; score: number }[] {
    // The arrays in locals: this loop runs over hundreds of thousands of postings per query.
    const { postingStart, postingEntry, postingWeight } = this.tables;
    const scores = this.scores;
    const touched = this.touched;
    let count = 0;
    for (const [term, weight] of terms) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const end = postingStart[id + 1] as number;
      for (let p = postingStart[id] as number; p < end; p++) {
        const e = postingEntry[p] as number;
        const before = scores[e] as number;
        if (before === 0) touched[count++] = e;
        scores[e] = before + weight * (postingWeight[p] as number);
      }
    }
    const top = topK(scores, touched, count, k, this.selecting);
    for (let i = 0; i < count; i++) scores[touched[i] as number] = 0;
    return top;
  }

  /** The entry's tactic with its slots filled from the query's binders; undefined when dropped as unmatched. */
  tacticFor(
    entry: number,
    query: readonly BinderProfile[],
    constants: readonly string[],
    unmatched: 'keep' | 'drop',
  ): string | undefined {
    const t = this.tables;
    const id = t.entryTemplate[entry] as number;
    const template = t.templates[id] as string;
    // Most templates name nothing of their goal: they are used as they are, without a pass over their text.
    let marked = this.marked[id];
    if (marked === 0) {
      marked = /[\uE000-\uE1FF]/.test(template) ? 2 : 1;
      this.marked[id] = marked;
    }
    if (marked === 1) return template;
    const slots = this.slotsOf(entry);
    if (slots.length === 0) return instantiate(template, [], [], constants);
    const matched = matchSlots(slots, query);
    if (unmatched === 'drop' && matched.some((m) => m === undefined)) return undefined;
    return instantiate(
      template,
      matched,
      slots.map((s) => s.name),
      constants,
    );
  }

  /** An entry's slots as binder profiles, built on first use and kept (at most one list per indexed goal). */
  private slotsOf(entry: number): BinderProfile[] {
    let slots = this.slotCache.get(entry);
    if (slots) return slots;
    const t = this.tables;
    slots = [];
    for (let s = t.slotStart[entry] as number; s < (t.slotStart[entry + 1] as number); s++) {
      const type = new Set<string>();
      for (let j = t.slotTypeStart[s] as number; j < (t.slotTypeStart[s + 1] as number); j++) {
        type.add(t.vocabulary[t.slotTypeTerm[j] as number] as string);
      }
      slots.push({ name: t.names[t.slotName[s] as number] as string, type, position: t.slotPosition[s] as number });
    }
    this.slotCache.set(entry, slots);
    return slots;
  }

  private calibrated(share: number): number {
    const c = this.tables.calibration;
    if (!c) return Math.log(share);
    const i = c.shares.findIndex((upper) => share <= upper);
    return c.logProbabilities[i < 0 ? c.logProbabilities.length - 1 : i] ?? Math.log(share);
  }
}

/**
 * The k highest-scoring of the touched entries, best first (ties: lower entry first). The k-th best score is found
 * by quickselect on a copy of the scores in `buffer` (linear on average; a common term touches most of the index),
 * then only the entries at or above it are sorted.
 */
function topK(
  scores: Float64Array,
  touched: Uint32Array,
  count: number,
  k: number,
  buffer: Float64Array,
): { entry: number; score: number }[] {
  if (k <= 0 || count === 0) return [];
  let threshold = Number.NEGATIVE_INFINITY;
  if (count > k) {
    const values = buffer.subarray(0, count);
    for (let i = 0; i < count; i++) values[i] = scores[touched[i] as number] as number;
    threshold = kthLargest(values, k);
  }
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) {
    const e = touched[i] as number;
    if ((scores[e] as number) >= threshold) chosen.push(e);
  }
  return chosen
    .sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b)
    .slice(0, k)
    .map((entry) => ({ entry, score: scores[entry] as number }));
}

/** The k-th largest value (1-based) of `values`, which it reorders (Hoare quickselect, middle pivot). */
function kthLargest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) > pivot) i++;
      while ((values[j] as number) < pivot) j--;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target] as number;
}
