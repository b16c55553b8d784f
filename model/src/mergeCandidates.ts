// The merge of several sources' candidates into one ranked list: de-duplicated after whitespace normalisation
// (the best-scored text stays, and every source that proposed it is kept), ranked by one calibrated score, cut at
// the budget, and followed by the decision procedures that did not rank within it, which are tried on every goal.
// Pure: the merged generator (mergedTacticSource.ts) and the training workspace's evaluation both call it, so the
// list measured is the list served.

import { type TacticSourceName, tacticSourceNames } from './modelChoices';
import type { MergeRule } from './sourceTables';
import type { ProposedTactic } from './tacticSource';

/** One source's candidates, their `score` already calibrated (a log-probability of being the tactic written). */
export interface SourceCandidates {
  source: TacticSourceName;
  tactics: readonly ProposedTactic[];
}

/** Runs of whitespace become one space; ends are trimmed: two tactics that differ only there are one. */
export function tacticKey(tactic: string): string {
  return tactic.replace(/\s+/g, ' ').trim();
}

/**
 * The top `n` of all sources' candidates by combined score (`rule`), then the procedures not among them (the
 * procedures' own order). Ties keep each source's own order (a calibrated table gives neighbouring ranks one score),
 * then go to the source listed first in `tacticSourceNames`, then to the text.
 */
export function mergeCandidates(lists: readonly SourceCandidates[], n: number, rule: MergeRule): ProposedTactic[] {
  const groups = new Map<string, { entries: { source: TacticSourceName; tactic: ProposedTactic }[] }>();
  for (const { source, tactics } of lists) {
    for (const tactic of tactics) {
      const key = tacticKey(tactic.tactic);
      if (key === '') continue;
      let group = groups.get(key);
      if (!group) {
        group = { entries: [] };
        groups.set(key, group);
      }
      group.entries.push({ source, tactic });
    }
  }
  const order = (s: TacticSourceName) => tacticSourceNames.indexOf(s);
  const merged = [...groups].map(([key, { entries }]) => {
    // Best first; within a source only its best entry counts (a source may hold a text twice, spaced apart).
    entries.sort((a, b) => b.tactic.score - a.tactic.score || order(a.source) - order(b.source));
    const perSource = entries.filter((e, i) => entries.findIndex((f) => f.source === e.source) === i);
    const best = perSource[0] as (typeof perSource)[number];
    const model = perSource.find((e) => e.source === 'model')?.tactic;
    const sources = perSource.map((e) => e.source);
    const tactic: ProposedTactic = {
      tactic: best.tactic.tactic,
      score: combine(
        perSource.map((e) => e.tactic.score),
        rule,
      ),
      rank: 0,
      source: best.source,
      ...(sources.length > 1 ? { sources } : {}),
      ...(model?.meanLogprob !== undefined ? { meanLogprob: model.meanLogprob } : {}),
      ...(model?.logprob !== undefined ? { logprob: model.logprob } : {}),
      ...(model?.tokens !== undefined ? { tokens: model.tokens } : {}),
      ...(model?.finishReason !== undefined ? { finishReason: model.finishReason } : {}),
    };
    return { key, tactic, sourceRank: best.tactic.rank, procedure: sources.includes('procedures') };
  });
  merged.sort(
    (a, b) =>
      b.tactic.score - a.tactic.score ||
      a.sourceRank - b.sourceRank ||
      order(a.tactic.source) - order(b.tactic.source) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const ranked = [...merged.slice(0, n), ...merged.slice(n).filter((m) => m.procedure)];
  return ranked.map((m, rank) => ({ ...m.tactic, rank }));
}

/** The combined score of one tactic from its sources' calibrated log-probabilities. */
export function combine(scores: readonly number[], rule: MergeRule): number {
  if (scores.length === 1 || rule === 'max') return Math.max(...scores);
  // noisyOr: the tactic is wrong only if every source's evidence is; computed as log(1 − ∏(1 − pᵢ)).
  let wrong = 1;
  for (const s of scores) wrong *= 1 - Math.exp(Math.min(0, s));
  return Math.log(Math.max(Number.MIN_VALUE, 1 - wrong));
}
