/**
 * Candidate sources compared on the same steps: where each puts the tactic that was written (exact match after
 * whitespace normalisation), how often it is in the first 1, 8 and 32, how long 32 candidates take, and, theorem by
 * theorem, how many steps only one of two sources gets right, with the exact sign test of that split.
 */
import type { CandidateSource } from './candidateSources';
import { normalizeTactic, signTestP } from './firstTactics';
import type { EvalStep } from './steps';

/** The cut-offs reported: the top candidate, a suggestion list, one search expansion. */
export const cutoffs = [1, 8, 32] as const;
const depth = 32;

export interface SourceRun {
  name: string;
  description: string;
  /** Per step, the 0-based rank of the written tactic among the candidates, -1 when absent. */
  ranks: Int16Array;
  /** Per step, milliseconds to produce `depth` candidates. */
  millis: Float64Array;
}

export interface SourceFigures {
  name: string;
  description: string;
  /** Steps whose tactic is among the first k, for each k of `cutoffs`. */
  hits: Record<`top${(typeof cutoffs)[number]}`, number>;
  /** Milliseconds for 32 candidates: median and 95th percentile over the steps. */
  p50Ms: number;
  p95Ms: number;
}

export interface Paired {
  source: string;
  against: string;
  cutoff: number;
  /** Steps the source gets right within the cut-off and the other does not, and the other way round. */
  sourceOnly: number;
  againstOnly: number;
  /** Exact two-sided sign test on the steps where they disagree. */
  p: number;
}

/** Every source on every step, in order (each source's time measured on its own, one source at a time). */
export async function runSources(
  sources: readonly CandidateSource[],
  steps: readonly EvalStep[],
  log: (line: string) => void = () => {},
): Promise<SourceRun[]> {
  const runs: SourceRun[] = [];
  for (const source of sources) {
    const ranks = new Int16Array(steps.length);
    const millis = new Float64Array(steps.length);
    for (const [i, step] of steps.entries()) {
      const t0 = performance.now();
      const candidates = await source.candidates(step, depth);
      millis[i] = performance.now() - t0;
      const gold = normalizeTactic(step.gold);
      // The merged generator's procedures that rank below its `depth` candidates come after them: not counted.
      ranks[i] = candidates.slice(0, depth).findIndex((c) => normalizeTactic(c) === gold);
      if ((i + 1) % 1000 === 0) log(`eval-sources: ${source.name}: ${i + 1}/${steps.length}`);
    }
    runs.push({ name: source.name, description: source.description, ranks, millis });
  }
  return runs;
}

export function figures(run: SourceRun, subset: readonly number[]): SourceFigures {
  const within = (k: number) => subset.filter((i) => inTop(run, i, k)).length;
  const times = subset.map((i) => run.millis[i] as number).sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return {
    name: run.name,
    description: run.description,
    hits: { top1: within(1), top8: within(8), top32: within(32) },
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
  };
}

export function paired(run: SourceRun, against: SourceRun, subset: readonly number[], cutoff: number): Paired {
  let sourceOnly = 0;
  let againstOnly = 0;
  for (const i of subset) {
    const a = inTop(run, i, cutoff);
    const b = inTop(against, i, cutoff);
    if (a && !b) sourceOnly++;
    else if (b && !a) againstOnly++;
  }
  return {
    source: run.name,
    against: against.name,
    cutoff,
    sourceOnly,
    againstOnly,
    p: signTestP(sourceOnly, againstOnly),
  };
}

function inTop(run: SourceRun, i: number, k: number): boolean {
  const r = run.ranks[i] as number;
  return r >= 0 && r < k;
}

function round(ms: number): number {
  return Number(ms.toFixed(3));
}
