/**
 * The miniF2F problems shipped in data/ (PROVENANCE.md there), the selection a run covers (split, shard, limit) and
 * the file each problem is searched in (a Lean file, or for the Isabelle variant the problem's theory with its proofs
 * stripped). The data is bundled into the server and the CLI, so a run needs no file of the extension's besides its
 * bundles.
 */
import { statementSorries, stripProofs } from '@llemma/prover-text/isabelle';
import type { MiniF2FCategory, MiniF2FSplit, MiniF2FSplitChoice, MiniF2FVariant } from '../../protocol';
import deepseek from './data/deepseek.json';
import isabelle from './data/isabelle.json';
import yangky11 from './data/yangky11.json';

export interface MiniF2FProblem {
  name: string;
  split: MiniF2FSplit;
  /**
   * The formal statement, ending in `:= by` and a newline; for the Isabelle variant the problem's whole theory as
   * miniF2F ships it (header, imports, statement, and the proof some ship, which `problemFile` strips).
   */
  statement: string;
}

interface VariantData {
  variant: string;
  source: { repository: string; commit: string; file: string; sha256: string };
  /** Imports, options and `open`s every problem of the variant starts with. */
  header: string;
  problems: MiniF2FProblem[];
}

const data: Record<MiniF2FVariant, VariantData> = {
  yangky11: yangky11 as VariantData,
  deepseek: deepseek as VariantData,
  // Each theory has its own header; the problems carry theirs.
  isabelle: {
    variant: isabelle.variant,
    source: isabelle.source,
    header: '',
    problems: (isabelle.problems as { name: string; split: MiniF2FSplit; theory: string }[]).map((p) => ({
      name: p.name,
      split: p.split,
      statement: p.theory,
    })),
  },
};

/** Every problem of a variant, `valid` then `test`, each split by name: the order runs, shards and limits use. */
export function variantProblems(variant: MiniF2FVariant): readonly MiniF2FProblem[] {
  return data[variant].problems;
}

export function variantHeader(variant: MiniF2FVariant): string {
  return data[variant].header;
}

/** How many problems a split of a variant has (244 each). */
export function splitSize(variant: MiniF2FVariant, split: MiniF2FSplit): number {
  return data[variant].problems.filter((p) => p.split === split).length;
}

/** A problem's category, read from its name as miniF2F names them (`mathd_numbertheory_5`, `amc12a_2019_p21`, …). */
export function categoryOf(name: string): MiniF2FCategory {
  if (name.startsWith('mathd_algebra')) return 'mathd algebra';
  if (name.startsWith('mathd_numbertheory')) return 'mathd number theory';
  if (name.startsWith('aime')) return 'aime';
  if (name.startsWith('amc12')) return 'amc12';
  if (name.startsWith('imo')) return 'imo';
  if (name.startsWith('induction')) return 'induction';
  if (name.startsWith('numbertheory')) return 'number theory';
  // `algebra_…`, and anything a future version names otherwise.
  return 'algebra';
}

/** `i/n` (1 ≤ i ≤ n): every n-th problem of the selection, starting with the i-th. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(spec: string): Shard | { error: string } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    return { error: `a shard is i/n with 1 ≤ i ≤ n, e.g. 1/4 (got '${spec}')` };
  }
  return { index, count };
}

export function shardName(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

export interface Selection {
  split: MiniF2FSplitChoice;
  shard?: Shard;
  /** The first `limit` problems of the split (of the shard, with one). */
  limit?: number;
}

/**
 * The problems a run covers, in the variant's order. The shard is taken before the limit, so `--limit` shortens each
 * machine's share alike, and shards of one selection never share a problem.
 */
export function selectProblems(variant: MiniF2FVariant, selection: Selection): MiniF2FProblem[] {
  let chosen = variantProblems(variant).filter((p) => selection.split === 'both' || p.split === selection.split);
  const { shard } = selection;
  if (shard) chosen = chosen.filter((_, i) => i % shard.count === shard.index - 1);
  if (selection.limit !== undefined) chosen = chosen.slice(0, selection.limit);
  return chosen;
}

/** The key of a problem in results files: split and name (names are unique within a split). */
export function problemKey(p: { split: MiniF2FSplit; name?: string; problem?: string }): string {
  return `${p.split}/${p.name ?? p.problem}`;
}

/**
 * The file a problem is searched in, with the extension that sends it to its prover, and the place a proof search
 * starts from (0-based line and character). Lean: the variant's header, the statement and a `sorry` on a line of its
 * own. Isabelle: the problem's theory with every proof replaced by `sorry` (a run must find the proof itself), from
 * the theorem's `sorry`.
 */
export function problemFile(
  variant: MiniF2FVariant,
  problem: MiniF2FProblem,
): { text: string; position: { line: number; character: number }; extension: '.lean' | '.thy' } {
  if (variant === 'isabelle') {
    const text = stripProofs(problem.statement);
    const start = statementSorries(text).find((s) => s.declaration === problem.name)?.first;
    if (!start) throw new Error(`miniF2F isabelle ${problem.name}: no theorem ${problem.name} with a proof to search`);
    return { text, position: start, extension: '.thy' };
  }
  const before = variantHeader(variant) + problem.statement;
  const line = before.split('\n').length - 1;
  return { text: `${before}  sorry\n`, position: { line, character: 2 }, extension: '.lean' };
}
