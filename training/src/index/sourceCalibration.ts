/**
 * The merged generator's score tables, fitted on held-aside training steps: the neural model's candidates by rank
 * (how often its k-th candidate was the tactic written, for first and later steps), and each decision procedure's
 * rate (how often it was the tactic written). Like retrieval's table (calibration.ts), every value is the log of a
 * smoothed frequency of being right, so that the three sources' scores are on one scale and a search can add them.
 */
import { type ModelScoreTable, type Procedure, type StepKind, tacticKey } from '@llemma/model';
import { monotoneRates } from './calibration';

/** The last rank (0-based) of each bin of the model's table: one bin per rank at the top, wider below. */
export const rankEdges = [0, 1, 2, 3, 5, 7, 11, 15, 23, 31];

export interface RankObservation {
  rank: number;
  step: StepKind;
  right: boolean;
}

export interface ModelTableFit {
  table: ModelScoreTable;
  /** Per step kind and bin: its last rank, candidates in it, how many were right, the fitted probability. */
  bins: Record<StepKind, { upTo: number; candidates: number; right: number; probability: number }[]>;
}

/** The model's table: per step kind, smoothed rates per rank bin, made non-increasing in the rank. */
export function fitModelTable(observations: readonly RankObservation[]): ModelTableFit {
  const fitKind = (step: StepKind) => {
    const counts = rankEdges.map(() => ({ n: 0, right: 0 }));
    for (const o of observations) {
      if (o.step !== step) continue;
      const i = rankEdges.findIndex((last) => o.rank <= last);
      const bin = counts[i < 0 ? counts.length - 1 : i] as { n: number; right: number };
      bin.n++;
      if (o.right) bin.right++;
    }
    // Rates fall with the rank: made monotone from the worst bin up, then read back in rank order.
    const rates = monotoneRates([...counts].reverse()).reverse();
    return {
      values: rates.map((p) => Math.log(p)),
      bins: rankEdges.map((upTo, i) => ({
        upTo,
        candidates: counts[i]?.n ?? 0,
        right: counts[i]?.right ?? 0,
        probability: rates[i] ?? 0,
      })),
    };
  };
  const first = fitKind('first');
  const later = fitKind('later');
  return {
    table: { rankEdges: [...rankEdges], logProbabilities: { first: first.values, later: later.values } },
    bins: { first: first.bins, later: later.bins },
  };
}

/**
 * Each procedure's score: the log of how often it was the tactic written on the held-aside steps of each kind,
 * smoothed as the other tables are ((k + ½) / (n + 1)).
 */
export function fitProcedureScores(
  procedures: readonly string[],
  steps: readonly { gold: string; step: StepKind }[],
): Procedure[] {
  const n = { first: 0, later: 0 };
  const counts = new Map(procedures.map((p) => [tacticKey(p), { first: 0, later: 0 }]));
  for (const s of steps) {
    n[s.step]++;
    const c = counts.get(tacticKey(s.gold));
    if (c) c[s.step]++;
  }
  return procedures.map((tactic) => {
    const c = counts.get(tacticKey(tactic)) ?? { first: 0, later: 0 };
    return {
      tactic,
      logProbability: {
        first: Math.log((c.first + 0.5) / (n.first + 1)),
        later: Math.log((c.later + 0.5) / (n.later + 1)),
      },
    };
  });
}
