// How the merged generator ranks, read from a model folder's `sources.json` (docs/model-format.md): the decision
// procedures tried on every goal with their calibrated scores, the tables that turn the neural model's and the file
// source's candidates into calibrated scores, and the rule that combines the scores of a tactic several sources propose. Every score is
// the natural log of how often such a candidate was the tactic a person wrote, measured on held-aside training files
// (`llemma-train calibrate`), the scale retrieval.bin's scores are on too. A folder without the file, or a file
// without the model's or the file source's table, takes the default run's tables (`defaultSourceTables`).

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import embeddedTables from '../default/sources.json';
import type { ProofContext } from './prompts';

export const sourceTablesFileName = 'sources.json';

/** Whether the goal is its proof's first (no tactic written before it) or a later one. */
export type StepKind = 'first' | 'later';

/** A first step when no tactic has been written before the goal (the statement's own goal). */
export function stepKind(context: ProofContext): StepKind {
  return (context.tactics?.length ?? 0) === 0 ? 'first' : 'later';
}

/** A log-probability for a first step and one for a later step. */
export interface ByStep<T> {
  first: T;
  later: T;
}

export interface Procedure {
  /** The tactic as it is tried: a decision procedure with no arguments (`simp`, `omega`). */
  tactic: string;
  /** The calibrated score: log of how often the tactic written on such a step was this one. */
  logProbability: ByStep<number>;
}

/**
 * A source's candidates (the neural model's, the file source's) as a calibrated score, by rank: `rankEdges` are the
 * last rank (0-based) of each bin, ascending; a rank past the last edge takes the last bin's value.
 */
export interface ModelScoreTable {
  rankEdges: number[];
  logProbabilities: ByStep<number[]>;
}

/**
 * How the scores of one tactic proposed by several sources combine: `max` keeps the best, `noisyOr` treats each
 * source's probability as independent evidence (1 − ∏(1 − pᵢ)), so that agreement counts.
 */
export const mergeRules = ['max', 'noisyOr'] as const;
export type MergeRule = (typeof mergeRules)[number];

export interface SourceTables {
  formatVersion: 1;
  procedures: Procedure[];
  model: ModelScoreTable;
  /** The file source's ranks (absent from a sources.json written before it: the default run's table is used). */
  file: ModelScoreTable;
  merge: MergeRule;
  /** Free-form facts: the run, how many steps each table was measured on, the selection rule. */
  provenance: Record<string, unknown>;
}

export class SourceTablesError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'SourceTablesError';
  }
}

/**
 * The default run's tables (training/configs/default.json, `llemma-train calibrate`): the embedded model folder's
 * sources.json, built in, and the fallback for a folder or a model server without its own. Its procedures hold for
 * any model; its table of the model's ranks was measured on the embedded model, a prior for another one until that
 * one is calibrated (docs/search.md).
 */
export const defaultSourceTables: SourceTables = parseSourceTables(
  JSON.stringify(embeddedTables),
  `model/default/${sourceTablesFileName}`,
  null,
);

/** The tables of a model folder, the default ones where it has none; a file that is there but wrong is an error. */
export async function readSourceTables(folder: string | undefined): Promise<{ tables: SourceTables; from: string }> {
  if (folder === undefined) return { tables: defaultSourceTables, from: 'default' };
  const file = path.join(folder, sourceTablesFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { tables: defaultSourceTables, from: 'default' };
    throw e;
  }
  return { tables: parseSourceTables(text, file), from: file };
}

/**
 * Checks every field; a table the runtime would misread is refused with the first problem found. A rank table that
 * is absent is taken from `defaults` (null: the embedded tables themselves, which must have every one).
 */
export function parseSourceTables(
  text: string,
  file: string,
  defaults: SourceTables | null = defaultSourceTables,
): SourceTables {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SourceTablesError(file, `not JSON: ${(e as Error).message}`);
  }
  const fail = (problem: string): never => {
    throw new SourceTablesError(file, problem);
  };
  if (!isObject(raw)) return fail('expected a JSON object');
  if (raw['formatVersion'] !== 1) return fail(`formatVersion must be 1, got ${JSON.stringify(raw['formatVersion'])}`);
  const procedures = raw['procedures'];
  if (!Array.isArray(procedures)) return fail('procedures must be a list');
  const seen = new Set<string>();
  const parsed: Procedure[] = procedures.map((p, i) => {
    if (!isObject(p) || typeof p['tactic'] !== 'string' || p['tactic'].trim() === '') {
      return fail(`procedures[${i}] needs a tactic`);
    }
    const tactic = p['tactic'].trim();
    if (seen.has(tactic)) return fail(`procedures[${i}]: ${tactic} is listed twice`);
    seen.add(tactic);
    return { tactic, logProbability: byStep(p['logProbability'], isLogProbability, `procedures[${i}].logProbability`) };
  });
  const rank = (name: 'model' | 'file') =>
    raw[name] === undefined
      ? (defaults?.[name] ?? fail(`${name} must be given (there are no default tables to take it from)`))
      : rankTable(raw[name], name);
  const model = rank('model');
  const fileTable = rank('file');
  const merge = raw['merge'] ?? 'max';
  if (!(mergeRules as readonly unknown[]).includes(merge)) return fail(`merge must be one of ${mergeRules.join(', ')}`);
  const provenance = raw['provenance'] ?? {};
  if (!isObject(provenance)) return fail('provenance must be an object');
  return { formatVersion: 1, procedures: parsed, model, file: fileTable, merge: merge as MergeRule, provenance };

  function rankTable(m: unknown, name: string): ModelScoreTable {
    if (!isObject(m)) return fail(`${name} must be an object`);
    const edges = m['rankEdges'];
    if (
      !Array.isArray(edges) ||
      edges.length === 0 ||
      !edges.every((e, i) => Number.isInteger(e) && e >= 0 && (i === 0 || e > (edges[i - 1] as number)))
    ) {
      return fail(`${name}.rankEdges must be ascending whole numbers ≥ 0`);
    }
    const isTable = (v: unknown) => Array.isArray(v) && v.length === edges.length && v.every(isLogProbability);
    return {
      rankEdges: edges as number[],
      logProbabilities: byStep(m['logProbabilities'], isTable, `${name}.logProbabilities`),
    };
  }

  function byStep<T>(v: unknown, ok: (x: unknown) => boolean, what: string): ByStep<T> {
    if (!isObject(v) || !ok(v['first']) || !ok(v['later'])) {
      return fail(`${what} needs "first" and "later", each a log-probability (≤ 0) or a list of them per bin`);
    }
    return { first: v['first'] as T, later: v['later'] as T };
  }
}

/** The calibrated score of a ranked source's candidate at `rank` (0-based): the model's, the file source's. */
export function modelScore(table: ModelScoreTable, rank: number, step: StepKind): number {
  const values = table.logProbabilities[step];
  const i = table.rankEdges.findIndex((last) => rank <= last);
  return values[i < 0 ? values.length - 1 : i] as number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLogProbability(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v <= 0;
}
