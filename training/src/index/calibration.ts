/**
 * Retrieval scores on the scale the search orders by. A candidate's share of its neighbours' votes is turned into the
 * log of how often candidates with such a share were the tactic actually written, measured on held-aside training
 * files with an index that does not contain them. Best-first search adds these scores up along a path as it adds a
 * model's log-probabilities, so a source whose scores are probabilities of being right can be merged with others on
 * one scale; fitting them on held-aside files keeps the held-out split untouched.
 */
import type { Calibration } from '@llemma/model';

/** Upper edges of the share bins; wide at the top, where few candidates fall. */
export const shareEdges = [0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.45, 0.65, 1];

export interface CalibrationFit {
  calibration: Calibration;
  /** Per bin: its upper edge, candidates in it, how many were right, and the fitted probability. */
  bins: { upTo: number; candidates: number; right: number; probability: number }[];
}

/**
 * Per-bin frequencies of being right, smoothed ((right + ½) / (n + 1), so a tiny bin is not certain either way)
 * and made non-decreasing in the share by pooling adjacent violators, weighted by bin size (monotoneRates).
 */
export function fitCalibration(observations: readonly { share: number; right: boolean }[]): CalibrationFit {
  const counts = shareEdges.map(() => ({ n: 0, right: 0 }));
  for (const o of observations) {
    const i = shareEdges.findIndex((upper) => o.share <= upper);
    const bin = counts[i < 0 ? counts.length - 1 : i] as { n: number; right: number };
    bin.n++;
    if (o.right) bin.right++;
  }
  const probabilities = monotoneRates(counts);
  return {
    calibration: { shares: [...shareEdges], logProbabilities: probabilities.map((p) => Math.log(p)) },
    bins: shareEdges.map((upTo, i) => ({
      upTo,
      candidates: counts[i]?.n ?? 0,
      right: counts[i]?.right ?? 0,
      probability: probabilities[i] ?? 0,
    })),
  };
}

/**
 * Smoothed rates ((right + ½) / (n + 1)) per bin, made non-decreasing along the bins by pooling adjacent violators,
 * weighted by bin size. An empty bin has nothing to say and takes the value of the nearest filled bin below it
 * (above it for leading empty bins), so an unobserved bin is never more probable than what was observed; with no
 * filled bin at all every rate is ½.
 */
export function monotoneRates(counts: readonly { n: number; right: number }[]): number[] {
  const filled = counts.flatMap((c, i) => (c.n > 0 ? [{ i, value: (c.right + 0.5) / (c.n + 1), weight: c.n }] : []));
  const blocks: { value: number; weight: number; bins: number[] }[] = [];
  for (const f of filled) {
    blocks.push({ value: f.value, weight: f.weight, bins: [f.i] });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1] as (typeof blocks)[number];
      const a = blocks[blocks.length - 2] as (typeof blocks)[number];
      if (a.value <= b.value) break;
      blocks.splice(-2, 2, {
        value: (a.value * a.weight + b.value * b.weight) / (a.weight + b.weight),
        weight: a.weight + b.weight,
        bins: [...a.bins, ...b.bins],
      });
    }
  }
  const fitted = new Map(blocks.flatMap((b) => b.bins.map((i) => [i, b.value] as const)));
  let carry = blocks[0]?.value ?? 0.5;
  return counts.map((_, i) => {
    carry = fitted.get(i) ?? carry;
    return carry;
  });
}
