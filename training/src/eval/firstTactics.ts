/**
 * First tactics of theorems, from the data stage's tactic examples (the step-0 example of each proof), and the
 * frequency baseline built from them. A tactic is compared after whitespace normalisation, the way a person would
 * call two tactics "the same text".
 */
import { getPromptFormat } from '../../../model/src/index';
import { jsonLines } from '../tokenizer/stage';

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
