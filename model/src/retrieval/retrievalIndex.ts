// Tactics for a goal from the goals most like it: BM25 over goal tokens finds the nearest indexed goals, each
// neighbour votes for its tactic (renamed to the query's binders) with a weight that falls with its distance from the
// best match, and the votes become a ranked list with calibrated scores. Everything is in typed arrays, so a query
// over ~50,000 goals is a few milliseconds in one thread and loading is a handful of array views (indexFile.ts).

import { goalTerms, parseGoal, targetConstants } from './goalText';
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
  /** Tactics name the target's constants by position (renaming.ts), so `simp [f]` carries over to `simp [g]`. */
  constantSlots: boolean;
  /** Nearest goals that vote. */
  neighbours: number;
  /** A neighbour's vote is (its score / the best neighbour's score) to this power. */
  power: number;
  /** Tactics whose slots cannot all be given a query binder: kept with the original names, or dropped. */
  unmatched: 'keep' | 'drop';
}

export const defaultRetrievalParams: RetrievalParams = {
  k1: 1.2,
  b: 0.75,
  targetWeight: 2,
  shapeWeight: 0,
  constantSlots: false,
  neighbours: 200,
  power: 1,
  unmatched: 'keep',
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

  constructor(tables: RetrievalTables) {
    this.tables = tables;
    this.termIds = new Map(tables.vocabulary.map((t, i) => [t, i]));
    this.scores = new Float64Array(tables.entryTemplate.length);
    this.touched = new Uint32Array(tables.entryTemplate.length);
  }

  get size(): number {
    return this.tables.entryTemplate.length;
  }

  /** The `n` best tactics for `goal` (a pretty-printed tactic state), best first, with distinct texts. */
  query(goal: string, n: number, overrides: Partial<RetrievalParams> = {}): RetrievedTactic[] {
    const params = { ...this.tables.params, ...overrides };
    const parsed = parseGoal(goal);
    const neighbours = this.nearest(goalTerms(parsed, params), params.neighbours);
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
    const t = this.tables;
    const scores = this.scores;
    const touched = this.touched;
    let count = 0;
    for (const [term, weight] of terms) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const end = t.postingStart[id + 1] as number;
      for (let p = t.postingStart[id] as number; p < end; p++) {
        const e = t.postingEntry[p] as number;
        if (scores[e] === 0) touched[count++] = e;
        scores[e] = (scores[e] as number) + weight * (t.postingWeight[p] as number);
      }
    }
    const top = topK(scores, touched, count, k);
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
    const template = t.templates[t.entryTemplate[entry] as number] as string;
    const from = t.slotStart[entry] as number;
    const to = t.slotStart[entry + 1] as number;
    if (from === to) return instantiate(template, [], [], constants);
    const slots: BinderProfile[] = [];
    for (let s = from; s < to; s++) {
      const type = new Set<string>();
      for (let j = t.slotTypeStart[s] as number; j < (t.slotTypeStart[s + 1] as number); j++) {
        type.add(t.vocabulary[t.slotTypeTerm[j] as number] as string);
      }
      slots.push({ name: t.names[t.slotName[s] as number] as string, type, position: t.slotPosition[s] as number });
    }
    const matched = matchSlots(slots, query);
    if (unmatched === 'drop' && matched.some((m) => m === undefined)) return undefined;
    return instantiate(
      template,
      matched,
      slots.map((s) => s.name),
      constants,
    );
  }

  private calibrated(share: number): number {
    const c = this.tables.calibration;
    if (!c) return Math.log(share);
    const i = c.shares.findIndex((upper) => share <= upper);
    return c.logProbabilities[i < 0 ? c.logProbabilities.length - 1 : i] ?? Math.log(share);
  }
}

/** The k highest-scoring of the touched entries, best first (ties: lower entry first), by a bounded min-heap. */
function topK(
  scores: Float64Array,
  touched: Uint32Array,
  count: number,
  k: number,
): { entry: number; score: number }[] {
  const heap: number[] = [];
  const worse = (a: number, b: number) => {
    const sa = scores[a] as number;
    const sb = scores[b] as number;
    return sa < sb || (sa === sb && a > b);
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && worse(heap[l] as number, heap[m] as number)) m = l;
      if (r < heap.length && worse(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
      i = m;
    }
  };
  for (let i = 0; i < count; i++) {
    const e = touched[i] as number;
    if (heap.length < k) {
      heap.push(e);
      for (let j = heap.length - 1; j > 0; ) {
        const parent = (j - 1) >> 1;
        if (!worse(heap[j] as number, heap[parent] as number)) break;
        [heap[j], heap[parent]] = [heap[parent] as number, heap[j] as number];
        j = parent;
      }
    } else if (k > 0 && worse(heap[0] as number, e)) {
      heap[0] = e;
      down(0);
    }
  }
  return heap
    .sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0))
    .map((entry) => ({ entry, score: scores[entry] as number }));
}
