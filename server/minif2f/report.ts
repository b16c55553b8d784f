/**
 * The report of a run: from its records, the solved share per split, per category, over expansions and over time,
 * every problem with its proof, and the published results beside it. The header names everything that produced the
 * numbers (model, data, Lean and Mathlib, budget, the tactics allowed, the runner), as every figure must.
 */
import {
  type BenchmarkRecord,
  type BenchmarkReport,
  type BenchmarkStatus,
  benchmarkStatuses,
  type MiniF2FSplit,
  miniF2FCategories,
  miniF2FSplits,
  miniF2FVariantLabel,
} from '../../protocol';
import { allowedTactics } from '../search/tacticAllowList';
import { nativeDecideWords, unsafeWords } from '../search/tacticFilter';
import { categoryOf, splitSize, variantProblems } from './problems';
import { publishedResults } from './published';
import { configDifferences, configOf } from './results';

/** How a status reads in the report. */
export const statusLabel: Record<BenchmarkStatus, string> = {
  proved: 'proved',
  exhausted: 'exhausted',
  budget: 'expansion budget',
  time: 'time limit',
  proverError: 'prover error',
};

/** The placeholder of a tactic whose source the search result did not give. */
export const noSource = '—';

export function buildReport(records: readonly BenchmarkRecord[], files: readonly string[]): BenchmarkReport {
  const first = records[0];
  const variant = first?.variant ?? 'yangky11';
  const splits = miniF2FSplits.filter((s) => records.some((r) => r.split === s));
  const shown = splits.length > 0 ? splits : (['test'] as MiniF2FSplit[]);
  const sizes = new Map(shown.map((s) => [s, splitSize(variant, s)] as const));

  const summaries = shown.map((split) => {
    const rs = records.filter((r) => r.split === split);
    const solved = rs.filter((r) => r.status === 'proved').length;
    const total = sizes.get(split) ?? 0;
    const byStatus = Object.fromEntries(benchmarkStatuses.map((s) => [s, rs.filter((r) => r.status === s).length]));
    return {
      split,
      solved,
      tried: rs.length,
      total,
      percentOfSplit: total > 0 ? round2((100 * solved) / total) : 0,
      percentOfTried: rs.length > 0 ? round2((100 * solved) / rs.length) : 0,
      byStatus: byStatus as Record<BenchmarkStatus, number>,
    };
  });

  const categories = shown.flatMap((split) =>
    miniF2FCategories.map((category) => {
      const rs = records.filter((r) => r.split === split && r.category === category);
      const total = variantProblems(variant).filter((p) => p.split === split && categoryOf(p.name) === category).length;
      return { category, split, solved: rs.filter((r) => r.status === 'proved').length, tried: rs.length, total };
    }),
  );

  const maxExpansions = first?.budget.maxExpansions ?? 100;
  const maxSeconds = (first?.budget.timeLimitMs ?? 600_000) / 1000;
  const curves = shown.map((split) => {
    const proved = records.filter((r) => r.split === split && r.status === 'proved');
    return {
      split,
      byExpansions: cumulative(
        proved.map((r) => r.expansions),
        maxExpansions,
      ),
      bySeconds: cumulative(
        proved.map((r) => round2(r.wallMs / 1000)),
        maxSeconds,
      ),
    };
  });

  const rows = records.map((r) => ({
    problem: r.problem,
    split: r.split,
    category: r.category,
    status: r.status,
    proof: r.proof,
    sources: r.proof.map((_, i) => r.sources?.[i] ?? noSource),
    wallMs: r.wallMs,
    expansions: r.expansions,
    ...(r.error !== undefined ? { error: r.error } : {}),
  }));

  const other = first ? records.find((r) => configDifferences(configOf(first), configOf(r)).length > 0) : undefined;
  return {
    header: first ? header(records, first) : [{ label: 'Results', value: 'none yet' }],
    ...(first && other ? { mixed: configDifferences(configOf(first), configOf(other)).join('; ') } : {}),
    splits: summaries,
    categories,
    curves,
    rows,
    // The published numbers are Lean 4 runs: beside an Isabelle run they would compare unlike things.
    published: first?.variant === 'isabelle' ? [] : [...publishedResults],
    files: [...files],
  };
}

function header(records: readonly BenchmarkRecord[], r: BenchmarkRecord): { label: string; value: string }[] {
  const info = miniF2FVariantLabel(r.variant);
  const b = r.budget;
  const m = r.model;
  const native = b.allowNativeDecide ? 'allowed' : 'forbidden';
  const refused = [...unsafeWords, ...(b.allowNativeDecide ? [] : nativeDecideWords.slice(0, 1))];
  const times = records.map((x) => x.finishedAt).sort();
  const workers = [...new Set(records.map((x) => x.runner.workers))].join(', ');
  const shards = [...new Set(records.flatMap((x) => (x.runner.shard ? [x.runner.shard] : [])))];
  return [
    {
      label: 'Model',
      value: `${m.source} on ${m.provider}${m.generationGraph ? `, ${m.generationGraph}` : ''} (prompt ${m.promptFormat})`,
    },
    { label: 'Data', value: `miniF2F, ${info.label}: ${info.source}` },
    ...(r.variant === 'isabelle'
      ? [
          { label: 'Isabelle', value: r.prover.isabelle ?? 'unknown release' },
          { label: 'Prover', value: `Isabelle server started as \`${r.prover.replCommand || 'unknown'}\`` },
        ]
      : [
          { label: 'Lean', value: `${r.prover.lean ?? 'unknown toolchain'}, Mathlib ${r.prover.mathlib ?? 'unknown'}` },
          { label: 'Prover', value: `Lean REPL started as \`${r.prover.replCommand || 'unknown'}\`` },
        ]),
    {
      label: 'Budget',
      value:
        `${b.candidatesPerExpansion} candidates × ${b.maxExpansions} expansions, ${b.timeLimitMs / 1000} s per problem, ` +
        'best-first search (the Llemma paper: 32 × 100, 600 s)',
    },
    {
      label: 'Tactics allowed',
      value:
        `the allow-list of the tactic screen (${r.screen?.allowListSize ?? allowedTactics.size} tactics); ` +
        `native_decide ${native}; refused anywhere: ${refused.join(', ')}, any # command, and names reaching IO or ` +
        "Lean's internals. A proof counts only after Lean re-checks the whole theorem: no error, no sorry, and " +
        '#print axioms without sorryAx.',
    },
    {
      label: 'Runner',
      value:
        `llemma ${r.runner.llemma}, ${workers} worker(s)${shards.length > 0 ? `, shards ${shards.join(', ')}` : ''}; ` +
        `finished ${times[0] ?? '?'} – ${times.at(-1) ?? '?'}`,
    },
  ];
}

/** Points (x, problems solved within x) at every x where the count rises, from (0, 0) to the budget. */
function cumulative(values: number[], limit: number): { x: number; solved: number }[] {
  const sorted = [...values].sort((a, b) => a - b);
  const points = [{ x: 0, solved: 0 }];
  sorted.forEach((x, i) => {
    const last = points.at(-1)!;
    if (last.x === x) last.solved = i + 1;
    else points.push({ x, solved: i + 1 });
  });
  if (points.at(-1)!.x < limit) points.push({ x: limit, solved: sorted.length });
  return points;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
