/**
 * Candidate sources as the evaluation compares them: anything that ranks tactics for a step. The frequency list,
 * retrieval, the file source (the product's FileSource over the step's file above it), the neural model (through the
 * product's TacticModel), the decision procedures and the merged generator (the product's MergedTacticSource) are here, each with the same one method, and every source is scored on the same
 * steps with the same rules (compare.ts).
 */
import {
  buildRetrievalIndex,
  FileSource,
  MergedTacticSource,
  ProcedureSource,
  type ProofContext,
  type ProposedTactic,
  type RetrievalExample,
  type RetrievalIndex,
  type RetrievalParams,
  type RetrievedTactic,
  type SourceTables,
  type TacticSource,
} from '@llemma/model';
import { defaultMaxNewTokens } from '@llemma/model/choices';
import type { UnknownGoalQuery } from '../run/config';
import { mostFrequent, normalizeTactic } from './firstTactics';
import type { EvalStep } from './steps';

export interface CandidateSource {
  /** Short name, used as the row label and as the key in eval-sources.json. */
  name: string;
  /** One sentence: what the source proposes and from what. */
  description: string;
  /** At most `n` distinct tactics for the step, best first (the merged generator: then the procedures left over). */
  candidates(step: EvalStep, n: number): string[] | Promise<string[]>;
}

/** The product's budget for one goal: `n` candidates from a beam search of width `n`, the product's new tokens. */
function budgetOf(n: number) {
  return { candidates: n, beamWidth: n, maxNewTokens: defaultMaxNewTokens };
}

/**
 * The most frequent tactics of the training split, one list for first steps and one for later steps (a later step
 * is another distribution: `rfl`, `· simp` and `rw [this]` are common there, `ext` and `classical` at the start).
 */
export function frequencySource(training: readonly EvalStep[], n: number): CandidateSource {
  const first = mostFrequent(
    training.filter((s) => s.step === 0).map((s) => s.gold),
    n,
  ).map((t) => t.tactic);
  const later = mostFrequent(
    training.filter((s) => s.step > 0).map((s) => s.gold),
    n,
  ).map((t) => t.tactic);
  return {
    name: 'frequency',
    description: `the ${n} most frequent training tactics, of first steps for a first step and of later steps otherwise`,
    candidates: (step, k) => (step.step === 0 ? first : later).slice(0, k),
  };
}

/**
 * The text a context index is keyed on for a step whose state is unknown: the previous tactic's first line as the
 * target, after the statement's hypotheses (so that names in the next tactic can be renamed to the query's).
 */
export function contextGoal(step: EvalStep, query: UnknownGoalQuery): string | undefined {
  if (query === 'none') return undefined;
  if (query === 'statement') return step.statementGoal ?? undefined;
  if (step.previous === null) return undefined;
  const target = `⊢ ${step.previous}`;
  if (query === 'previous') return target;
  const hyps = step.statementGoal?.split('\n⊢')[0];
  return hyps && !hyps.startsWith('⊢') ? `${hyps}\n${target}` : target;
}

/**
 * Retrieval: the goal index for steps whose state is known. For the others, `unknown.query` says what to query
 * with: the statement's goal (in the goal index), or a context key (contextGoal) in `unknown.index`, an index of
 * training steps keyed the same way. `overrides` change the ranking parameters for this source only.
 */
export function retrievalSource(
  goals: RetrievalIndex,
  unknown: { query: UnknownGoalQuery; index: RetrievalIndex | undefined },
  overrides: Partial<RetrievalParams> = {},
): CandidateSource & { scored(step: EvalStep, n: number): RetrievedTactic[] } {
  const ask = (index: RetrievalIndex, goal: string | null | undefined, n: number, step?: 'first' | 'later') =>
    goal ? index.query(goal, n, step ? { ...overrides, step } : overrides) : [];
  const scored = (step: EvalStep, n: number) => {
    if (step.goal !== null) return ask(goals, step.goal, n, step.step === 0 ? 'first' : 'later');
    if (unknown.query === 'statement') return ask(goals, step.statementGoal, n);
    return unknown.index ? ask(unknown.index, contextGoal(step, unknown.query), n) : [];
  };
  return {
    name: 'retrieval',
    description:
      'tactics of the nearest known goals (BM25), renamed to the query' +
      (unknown.query === 'none' ? '' : `; where the state is unknown, queried by ${unknown.query}`),
    scored,
    candidates: (step, n) => scored(step, n).map((c) => c.tactic),
  };
}

/**
 * The neural model through the product's TacticModel (beam search of width n, n candidates, 256 new tokens), on
 * the proof context the step's training prompt was rendered from; a step whose prompt does not fit the model's
 * context, or whose context is unknown, gets none.
 */
export function modelSource(
  model: TacticSource,
  context: (step: EvalStep) => ProofContext | undefined,
): CandidateSource {
  return {
    name: 'model',
    description: 'the neural model (TacticModel: beam search of width n, 256 new tokens, ranked by mean log-prob)',
    candidates: async (step, n) => (await modelTactics(model, context(step), n)).map((t) => t.tactic),
  };
}

/** The model's tactics for a context, none where it has no context or the prompt does not fit. */
export async function modelTactics(
  model: TacticSource,
  context: ProofContext | undefined,
  n: number,
): Promise<ProposedTactic[]> {
  if (!context) return [];
  try {
    return await model.proposeTactics(context, budgetOf(n));
  } catch (err) {
    if (err instanceof RangeError || (err as Error).name === 'RangeError') return [];
    throw err;
  }
}

/** The context a step's tactics were written in, as far as the evaluation knows it without a prompt. */
function bareContext(step: EvalStep, fileExamples?: readonly RetrievalExample[]): ProofContext {
  return {
    goals: step.goal === null ? [] : [step.goal],
    tactics: step.step === 0 ? [] : ['…'],
    ...(fileExamples ? { fileExamples } : {}),
  };
}

/** For a step, the goal-known pairs of the file above its declaration, as the product reads them there. */
export type FileExamples = (step: EvalStep) => readonly RetrievalExample[];

/**
 * The file above each step, from `rows` (every row of the files evaluated, inline ones too): the rows of the step's
 * file with a known goal, of other declarations, on earlier lines. That is what `fileExamples` reads from the text
 * above a declaration at run time (provertext/lean/fileExamples.ts; the same pairs, tested in
 * training/test/tacticProofs.test.ts), but for the examples the data stage left out as too long. Each step's list is
 * made once and kept, so that every source asked on the step shares it.
 */
export function fileExamplesOf(rows: readonly EvalStep[]): FileExamples {
  const byFile = new Map<string, EvalStep[]>();
  for (const r of rows) {
    if (r.goal === null) continue;
    const list = byFile.get(r.path);
    if (list) list.push(r);
    else byFile.set(r.path, [r]);
  }
  const made = new WeakMap<EvalStep, readonly RetrievalExample[]>();
  return (step) => {
    let examples = made.get(step);
    if (!examples) {
      examples = (byFile.get(step.path) ?? [])
        .filter((r) => r.line < step.line && r.theorem !== step.theorem)
        .sort((a, b) => a.line - b.line)
        .map((r) => ({ goal: r.goal as string, tactic: r.gold, step: r.step === 0 && !r.inline ? 'first' : 'later' }));
      made.set(step, examples);
    }
    return examples;
  };
}

/**
 * The file source (the product's FileSource with `table`) on the pairs of the file above each step; `ranked` gives
 * its candidates with rank and score. A step whose goal the data does not know gets none (the product always has
 * Lean's goal there).
 */
export function fileSource(
  examples: FileExamples,
  table: SourceTables['file'],
): CandidateSource & { ranked(step: EvalStep, n: number): Promise<ProposedTactic[]> } {
  const file = new FileSource(async () => table);
  const ranked = async (step: EvalStep, n: number) =>
    step.goal === null ? [] : file.proposeTactics(bareContext(step, examples(step)), budgetOf(n));
  return {
    name: 'file',
    description:
      'tactics of the nearest goals stated in the same file above the declaration (BM25), renamed to the query',
    ranked,
    candidates: async (step, n) => (await ranked(step, n)).map((t) => t.tactic),
  };
}

/** The decision procedures of a model folder's sources.json, all of them on every step, by calibrated score. */
export function proceduresSource(tables: SourceTables): CandidateSource {
  const procedures = new ProcedureSource(async () => tables.procedures);
  return {
    name: 'procedures',
    description: `the ${tables.procedures.length} decision procedures of sources.json, every one on every step, by calibrated score`,
    candidates: async (step) => (await procedures.proposeTactics(bareContext(step), budgetOf(0))).map((t) => t.tactic),
  };
}

/**
 * The product's merged generator (MergedTacticSource): retrieval as `retrieval` answers for the step (queried by
 * the step's goal, or as `retrievalSource` does where the state is unknown), the model on the step's context, the
 * procedures of `tables`, merged by the tables' rule. `n` candidates, then the procedures left over.
 */
export function mergedSource(
  parts: {
    retrieval: ReturnType<typeof retrievalSource>;
    /** The file source's pairs for each step; absent: no file source. */
    file?: FileExamples;
    model: TacticSource | undefined;
    context: (step: EvalStep) => ProofContext | undefined;
  },
  tables: SourceTables,
  name = 'merged',
): CandidateSource {
  const file = parts.file ? new FileSource(async () => tables.file) : undefined;
  return {
    name,
    description: `retrieval, ${parts.file ? 'the file, ' : ''}${parts.model ? 'the model and ' : ''}the procedures merged by calibrated score (${tables.merge})`,
    candidates: async (step, n) => {
      const examples = parts.file?.(step);
      const known = parts.context(step);
      const context = known && examples ? { ...known, fileExamples: examples } : known;
      const merged = new MergedTacticSource({
        retrieval: {
          proposeTactics: async (_, budget) =>
            parts.retrieval
              .scored(step, budget.candidates)
              .map((t, rank) => ({ tactic: t.tactic, score: t.score, rank, source: 'retrieval' })),
          describe: async () => ({ source: 'retrieval', provider: 'cpu', promptFormat: 'none' }),
        },
        ...(file && step.goal !== null ? { file } : {}),
        ...(parts.model && context ? { model: modelPart(parts.model) } : {}),
        procedures: new ProcedureSource(async () => tables.procedures),
        tables: async () => tables,
        origin: 'evaluation',
      });
      const tactics = await merged.proposeTactics(context ?? bareContext(step, examples), budgetOf(n));
      return tactics.map((t) => t.tactic);
    },
  };
}

/** A model as a merged generator's part (the evaluation disposes of the model itself). */
function modelPart(model: TacticSource) {
  return {
    proposeTactics: model.proposeTactics.bind(model),
    describe: model.describe.bind(model),
    dispose: async () => {},
  };
}

/** `primary`'s candidates, then `filler`'s that are new (whitespace-normalised), up to n. */
export function filledSource(primary: CandidateSource, filler: CandidateSource, name: string): CandidateSource {
  return {
    name,
    description: `${primary.name}, filled up to n with ${filler.name}`,
    candidates: async (step, n) => {
      const out = [...(await primary.candidates(step, n))];
      const seen = new Set(out.map(normalizeTactic));
      for (const t of await filler.candidates(step, n)) {
        if (out.length >= n) break;
        const k = normalizeTactic(t);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(t);
        }
      }
      return out;
    },
  };
}

/** Training steps keyed by what is known where the state is not (contextGoal), for queries on such steps. */
export function contextIndex(
  steps: readonly EvalStep[],
  query: UnknownGoalQuery,
  params: RetrievalParams,
): RetrievalIndex | undefined {
  if (query === 'none' || query === 'statement') return undefined;
  const examples = steps.flatMap((s) => {
    const goal = s.step > 0 ? contextGoal(s, query) : undefined;
    return goal === undefined ? [] : [{ goal, tactic: s.gold }];
  });
  return buildRetrievalIndex(examples, params);
}
