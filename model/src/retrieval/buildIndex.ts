// Building a retrieval index from (goal, tactic) pairs. It lives beside the query code because both must read goals
// the same way (goalText.ts) and agree on every table; the training workspace's `llemma-train index` calls it on the
// training split and writes the result with indexFile.ts.

import { type GoalStep, goalTerms, parseGoal, targetConstants } from './goalText';
import { binderProfiles, templateOf } from './renaming';
import { type Calibration, RetrievalIndex, type RetrievalParams } from './retrievalIndex';

export interface RetrievalExample {
  /** The tactic state before the tactic, as Lean prints it (`hyps ⊢ target`). */
  goal: string;
  /** The tactic written there. */
  tactic: string;
  /** Whether the goal is its proof's first (a theorem's statement) or a later one (a `have`'s block); optional. */
  step?: GoalStep;
}

/** How many of the most frequent tactics the index keeps for filling up short lists. */
export const frequentKept = 64;

/**
 * An index of `examples` in their order (entry i is example i). Term weights are BM25's, computed once here:
 * idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avgLen)), with tf and len counted with the target weighted.
 */
export function buildRetrievalIndex(
  examples: readonly RetrievalExample[],
  params: RetrievalParams,
  calibration?: Calibration,
): RetrievalIndex {
  const termIds = new Map<string, number>();
  const vocabulary: string[] = [];
  const termOf = (t: string) => {
    let id = termIds.get(t);
    if (id === undefined) {
      id = vocabulary.push(t) - 1;
      termIds.set(t, id);
    }
    return id;
  };
  const templateIds = new Map<string, number>();
  const templates: string[] = [];
  const nameIds = new Map<string, number>();
  const names: string[] = [];
  const entryTerms: { ids: number[]; tf: number[]; length: number }[] = [];
  const entryTemplate = new Uint32Array(examples.length);
  const slotStart = new Uint32Array(examples.length + 1);
  const slotName: number[] = [];
  const slotPosition: number[] = [];
  const slotTypeStart: number[] = [0];
  const slotTypeTerm: number[] = [];
  const tacticCounts = new Map<string, number>();

  examples.forEach((ex, i) => {
    const goal = parseGoal(ex.goal);
    const terms = goalTerms(goal, params, ex.step);
    const ids: number[] = [];
    const tf: number[] = [];
    let length = 0;
    for (const [term, count] of terms) {
      ids.push(termOf(term));
      tf.push(count);
      length += count;
    }
    entryTerms.push({ ids, tf, length });
    const profiles = binderProfiles(goal);
    const template = templateOf(
      ex.tactic,
      profiles.map((p) => p.name),
      params.constantSlots ? targetConstants(goal) : [],
    );
    let id = templateIds.get(template.text);
    if (id === undefined) {
      id = templates.push(template.text) - 1;
      templateIds.set(template.text, id);
    }
    entryTemplate[i] = id;
    for (const name of template.names) {
      const p = profiles.find((q) => q.name === name);
      let n = nameIds.get(name);
      if (n === undefined) {
        n = names.push(name) - 1;
        nameIds.set(name, n);
      }
      slotName.push(n);
      slotPosition.push(p?.position ?? 0);
      for (const t of p?.type ?? []) slotTypeTerm.push(termOf(t));
      slotTypeStart.push(slotTypeTerm.length);
    }
    slotStart[i + 1] = slotName.length;
    const normal = ex.tactic.replace(/\s+/g, ' ').trim();
    tacticCounts.set(normal, (tacticCounts.get(normal) ?? 0) + 1);
  });

  // Postings grouped by term: count per term, prefix sums, then fill.
  const postingStart = new Uint32Array(vocabulary.length + 1);
  for (const e of entryTerms) for (const id of e.ids) postingStart[id + 1] = (postingStart[id + 1] as number) + 1;
  for (let i = 0; i < vocabulary.length; i++) {
    postingStart[i + 1] = (postingStart[i + 1] as number) + (postingStart[i] as number);
  }
  const total = postingStart[vocabulary.length] as number;
  const postingEntry = new Uint32Array(total);
  const postingWeight = new Float32Array(total);
  const fill = postingStart.slice(0, vocabulary.length);
  const n = examples.length;
  const avgLength = entryTerms.reduce((s, e) => s + e.length, 0) / Math.max(1, n);
  entryTerms.forEach((e, entry) => {
    const norm = params.k1 * (1 - params.b + (params.b * e.length) / Math.max(avgLength, 1e-9));
    e.ids.forEach((id, j) => {
      const tf = e.tf[j] as number;
      const p = fill[id] as number;
      fill[id] = p + 1;
      postingEntry[p] = entry;
      postingWeight[p] = (tf * (params.k1 + 1)) / (tf + norm);
    });
  });
  for (let id = 0; id < vocabulary.length; id++) {
    const from = postingStart[id] as number;
    const to = postingStart[id + 1] as number;
    const df = to - from;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    for (let p = from; p < to; p++) postingWeight[p] = (postingWeight[p] as number) * idf;
  }

  const frequent = [...tacticCounts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, frequentKept)
    .map(([t]) => t);
  return new RetrievalIndex({
    params,
    vocabulary,
    postingStart,
    postingEntry,
    postingWeight,
    entryTemplate,
    templates,
    slotStart,
    slotName: Uint32Array.from(slotName),
    slotPosition: Float32Array.from(slotPosition),
    slotTypeStart: Uint32Array.from(slotTypeStart),
    slotTypeTerm: Uint32Array.from(slotTypeTerm),
    names,
    frequent,
    ...(calibration ? { calibration } : {}),
  });
}
