/**
 * First tactics of theorems, from the data stage's tactic examples (the step-0 example of each proof), and the
 * frequency baseline built from them. A tactic is compared after whitespace normalisation, the way a person would
 * call two tactics "the same text".
 */
import { getPromptFormat } from '@llemma/model';
import { jsonLines } from '../util/jsonLines';

export interface FirstTactic {
  prompt: string;
  /** The tactic as the data pipeline extracted it (the target without its stop string). */
  tactic: string;
  source: string;
  path: string;
  theorem: string;
}

/** Runs of whitespace become one space; ends are trimmed. */
export function normalizeTactic(t: string): string {
  return t.replace(/\s+/g, ' ').trim();
}

/** A target (`\n<tactic>\n---`) cut at its first stop string and parsed as the runtime parses a completion. */
export function tacticOfTarget(target: string, formatName: string): string {
  const format = getPromptFormat(formatName);
  let cut = target.length;
  for (const s of format.stop) {
    const i = target.indexOf(s);
    if (i >= 0) cut = Math.min(cut, i);
  }
  return format.parseCompletion(target.slice(0, cut));
}

/** The step-0 examples of a tactic file, optionally of some sources only. */
export async function readFirstTactics(
  file: string,
  formatName: string,
  sources: readonly string[],
): Promise<FirstTactic[]> {
  const out: FirstTactic[] = [];
  for await (const row of jsonLines([file])) {
    if (row['step'] !== 0) continue;
    const source = String(row['source']);
    if (sources.length > 0 && !sources.includes(source)) continue;
    out.push({
      prompt: String(row['prompt']),
      tactic: tacticOfTarget(String(row['target']), formatName),
      source,
      path: String(row['path']),
      theorem: String(row['theorem']),
    });
  }
  return out;
}

/** The `n` most frequent normalised tactics, most frequent first (ties: alphabetical). */
export function mostFrequent(tactics: readonly string[], n: number): { tactic: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const t of tactics) {
    const k = normalizeTactic(t);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, n)
    .map(([tactic, count]) => ({ tactic, count }));
}

export interface Hits {
  top1: number;
  topN: number;
}

/** Whether the gold tactic is the first of `ranked`, and whether it is among the first `n`. */
export function score(gold: string, ranked: readonly string[], n: number): Hits {
  const g = normalizeTactic(gold);
  const r = ranked.slice(0, n).map(normalizeTactic);
  return { top1: r[0] === g ? 1 : 0, topN: r.includes(g) ? 1 : 0 };
}

/** Theorems one ranking gets right at top-n and the other does not, and how likely so uneven a split is by chance. */
export interface PairedComparison {
  /** Right in the model's first n, wrong in the baseline's. */
  modelOnly: number;
  /** Right in the baseline's first n, wrong in the model's. */
  baselineOnly: number;
  /** Two-sided exact sign test (McNemar's exact test) on the theorems where the two disagree. */
  p: number;
}

/** Compares two rankings on the same theorems: `model[i]` and `baseline[i]` are the ranked tactics for `gold[i]`. */
export function pairedTopN(
  gold: readonly string[],
  model: readonly (readonly string[])[],
  baseline: readonly (readonly string[])[],
  n: number,
): PairedComparison {
  let modelOnly = 0;
  let baselineOnly = 0;
  gold.forEach((g, i) => {
    const m = score(g, model[i] ?? [], n).topN;
    const b = score(g, baseline[i] ?? [], n).topN;
    if (m > b) modelOnly++;
    else if (b > m) baselineOnly++;
  });
  return { modelOnly, baselineOnly, p: signTestP(modelOnly, baselineOnly) };
}

/** Two-sided exact sign test: P(a split at least this uneven) of a + b fair coin flips. */
export function signTestP(a: number, b: number): number {
  const total = a + b;
  if (total === 0) return 1;
  // Binomial(total, 1/2) probabilities built up term by term in logarithms (no factorials), so that the whole
  // held-out split, thousands of disagreements, neither underflows 2^-total nor overflows the binomials.
  let logTerm = -total * Math.LN2;
  const logs: number[] = [];
  for (let k = 0; k <= Math.min(a, b); k++) {
    logs.push(logTerm);
    logTerm += Math.log(total - k) - Math.log(k + 1);
  }
  const top = Math.max(...logs);
  const tail = Math.exp(top) * logs.reduce((s, l) => s + Math.exp(l - top), 0);
  return Math.min(1, 2 * tail);
}
