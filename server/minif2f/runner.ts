/**
 * A miniF2F run: the selected problems, searched by N workers at once (each with a Lean REPL of its own, all sharing
 * the one model), each problem's record appended to the results file the moment it ends. What the file already holds
 * is skipped, so a run that was cancelled, killed or split into shards is finished by running it again; a problem is
 * never written twice. The proof search is `llemma prove`'s (best-first, with the whole-declaration re-check).
 */
import * as path from 'node:path';
import type { Position } from 'vscode-languageserver-protocol';
import { version } from '../../package.json';
import {
  type BenchmarkRecord,
  type BenchmarkStatus,
  benchmarkRecordFormat,
  LlemmaErrorCode,
  type MiniF2FProgress,
  type MiniF2FSplitChoice,
  type MiniF2FVariant,
  type ModelDescription,
  type ProveTheoremResult,
  type SearchBudget,
} from '../../protocol';
import { LlemmaError, toLlemmaError } from '../errors';
import { allowedTactics } from '../search/tacticAllowList';
import {
  categoryOf,
  type MiniF2FProblem,
  problemFile,
  problemKey,
  type Shard,
  selectProblems,
  shardName,
} from './problems';
import { type ProjectPins, requireProject } from './project';
import { configDifferences, configOf, ResultsWriter, readResults, repairTail } from './results';

/** One worker's prover: a core with a REPL of its own. */
export interface WorkerProver {
  proveTheorem(
    filePath: string,
    text: string,
    position: Position,
    options: { budget: Partial<SearchBudget>; signal: AbortSignal },
  ): Promise<ProveTheoremResult>;
  dispose(): Promise<void>;
}

export interface MiniF2FRunOptions {
  variant: MiniF2FVariant;
  split: MiniF2FSplitChoice;
  projectRoot: string;
  out: string;
  workers: number;
  limit?: number;
  shard?: Shard;
  budget: SearchBudget;
  allowNativeDecide: boolean;
  /** The model every worker asks (loaded here, before any problem starts). */
  describeModel: () => Promise<ModelDescription>;
  newWorker: () => WorkerProver;
  signal?: AbortSignal;
  onProgress?: (p: MiniF2FProgress) => void;
  onRecord?: (r: BenchmarkRecord) => void;
  log?: (line: string) => void;
}

export interface MiniF2FRunSummary {
  out: string;
  cancelled: boolean;
  progress: MiniF2FProgress;
  model: ModelDescription;
  /** Problems of the selection, in order. */
  selected: number;
}

/** Failures that are not the problem's: the run stops (what finished stays in the file). */
const fatal = new Set<number>([
  LlemmaErrorCode.ModelError,
  LlemmaErrorCode.LeanNotFound,
  LlemmaErrorCode.ReplNotFound,
  LlemmaErrorCode.NotInProject,
  LlemmaErrorCode.ProjectMismatch,
  LlemmaErrorCode.ResultsFileError,
]);
/** Failures a second try may not meet (the REPL died, hung or garbled its answer): the problem runs once more. */
const transient = new Set<number>([
  LlemmaErrorCode.ReplCrashed,
  LlemmaErrorCode.ReplTimeout,
  LlemmaErrorCode.ReplProtocol,
]);

const statusOf: Record<Exclude<ProveTheoremResult['outcome'], 'cancelled'>, BenchmarkStatus> = {
  proved: 'proved',
  exhausted: 'exhausted',
  expansionLimit: 'budget',
  timeLimit: 'time',
};

export async function runMiniF2F(options: MiniF2FRunOptions): Promise<MiniF2FRunSummary> {
  const log = options.log ?? (() => undefined);
  const pins = requireProject(options.projectRoot, options.variant);
  const selection = selectProblems(options.variant, {
    split: options.split,
    ...(options.shard ? { shard: options.shard } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const model = await options.describeModel();
  const budget = { ...options.budget, allowNativeDecide: options.allowNativeDecide };
  const runner = {
    llemma: version,
    workers: options.workers,
    ...(options.shard ? { shard: shardName(options.shard) } : {}),
  };
  const template = (): Omit<BenchmarkRecord, 'problem' | 'split' | 'category' | 'status' | 'finishedAt'> => ({
    format: benchmarkRecordFormat,
    variant: options.variant,
    proof: [],
    axioms: [],
    wallMs: 0,
    expansions: 0,
    tacticsRun: 0,
    rejectedProofs: 0,
    forbidden: 0,
    modelMs: 0,
    proverMs: 0,
    model,
    budget,
    prover: { lean: pins.lean, mathlib: pins.mathlib, replCommand: lastReplCommand },
    screen: { allowListSize: allowedTactics.size },
    runner,
  });
  let lastReplCommand = '';

  // What the file holds: those problems are done; the rest of the selection is the work.
  const existing = readResults(options.out);
  checkSameRun(
    options.out,
    existing.records,
    configOf({ ...template(), problem: '', split: 'test' } as BenchmarkRecord),
  );
  if (existing.tornTailBytes > 0) {
    log(`${options.out}: dropped a last line cut short (${existing.tornTailBytes} bytes); that problem runs again`);
    repairTail(options.out, existing);
  }
  const finished = new Map(
    existing.records.filter((r) => r.variant === options.variant).map((r) => [problemKey(r), r] as const),
  );
  const selected = new Set(selection.map((p) => problemKey(p)));
  const resumed = [...finished.keys()].filter((k) => selected.has(k));
  const queue = selection.filter((p) => !finished.has(problemKey(p)));
  let solved = resumed.filter((k) => finished.get(k)?.status === 'proved').length;
  let doneNow = 0;
  const started = performance.now();
  const progress = (): MiniF2FProgress => {
    const elapsedMs = performance.now() - started;
    const tried = resumed.length + doneNow;
    const left = selection.length - tried;
    return {
      solved,
      tried,
      left,
      total: selection.length,
      resumed: resumed.length,
      etaMs: doneNow > 0 ? (elapsedMs / doneNow) * left : left === 0 ? 0 : null,
      elapsedMs,
    };
  };
  log(
    `miniF2F ${options.variant} ${options.split}: ${selection.length} problems, ${resumed.length} already in ` +
      `${options.out}, ${queue.length} to run on ${options.workers} worker(s)`,
  );
  options.onProgress?.(progress());

  // One controller for the run: the caller's cancel, or a failure that is not a problem's, stops every worker.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  let failure: LlemmaError | undefined;
  const writer = new ResultsWriter(options.out);

  const solve = async (prover: WorkerProver, problem: MiniF2FProblem): Promise<BenchmarkRecord | null> => {
    const { text, position, extension } = problemFile(options.variant, problem);
    // Not a file on disk: the prover is sent the text. The path places the problem inside the project, and its
    // extension picks the prover (a `.thy` goes to Isabelle).
    const filePath = path.join(options.projectRoot, '.llemma-minif2f', `${problem.name}${extension}`);
    const t0 = performance.now();
    const base = () => ({
      ...template(),
      problem: problem.name,
      split: problem.split,
      category: categoryOf(problem.name),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await prover.proveTheorem(filePath, text, position, {
          budget: options.budget,
          signal: stop.signal,
        });
        if (result.outcome === 'cancelled') return null;
        lastReplCommand = result.prover.replCommand;
        const s = result.stats;
        return {
          ...base(),
          status: statusOf[result.outcome],
          proof: result.outcome === 'proved' ? [...result.tactics] : [],
          ...(result.outcome === 'proved'
            ? { sources: result.tacticSources.map((s) => s.join(' + ') || 'unknown') }
            : {}),
          axioms: [...result.axioms],
          wallMs: Math.round(performance.now() - t0),
          expansions: s.expansions,
          tacticsRun: s.tacticsRun,
          rejectedProofs: s.rejectedProofs,
          forbidden: s.forbidden,
          modelMs: Math.round(s.modelMs),
          proverMs: Math.round(s.proverMs),
          model: result.model,
          prover: {
            lean: pins.lean,
            mathlib: pins.mathlib,
            ...(result.prover.prover === 'isabelle' && result.prover.toolchain
              ? { isabelle: result.prover.toolchain }
              : {}),
            replCommand: result.prover.replCommand,
          },
          finishedAt: new Date().toISOString(),
        };
      } catch (err) {
        const e = toLlemmaError(err);
        if (stop.signal.aborted || e.code === LlemmaErrorCode.Cancelled) return null;
        if (fatal.has(e.code)) throw e;
        if (attempt === 1 && transient.has(e.code)) {
          log(`${problem.name}: ${e.message} (trying the problem once more)`);
          continue;
        }
        return {
          ...base(),
          status: 'proverError',
          error: e.message,
          wallMs: Math.round(performance.now() - t0),
          finishedAt: new Date().toISOString(),
        };
      }
    }
  };

  const worker = async (index: number): Promise<void> => {
    const prover = options.newWorker();
    try {
      for (;;) {
        if (stop.signal.aborted) return;
        const problem = queue.shift();
        if (!problem) return;
        let record: BenchmarkRecord | null;
        try {
          record = await solve(prover, problem);
        } catch (err) {
          failure ??= toLlemmaError(err);
          stop.abort();
          return;
        }
        if (!record || stop.signal.aborted) return;
        writer.append(record);
        doneNow++;
        if (record.status === 'proved') solved++;
        log(`worker ${index + 1}: ${problem.name} ${record.status} (${(record.wallMs / 1000).toFixed(1)} s)`);
        options.onRecord?.(record);
        options.onProgress?.(progress());
      }
    } finally {
      await prover.dispose();
    }
  };

  try {
    const count = Math.max(1, Math.min(options.workers, queue.length));
    await Promise.all(Array.from({ length: queue.length === 0 ? 0 : count }, (_, i) => worker(i)));
  } finally {
    writer.close();
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure;
  const last = progress();
  return { out: options.out, cancelled: last.left > 0, progress: last, model, selected: selection.length };
}

/** Refuses a results file that holds another configuration's records: its numbers and this run's would mix. */
function checkSameRun(file: string, records: readonly BenchmarkRecord[], config: Record<string, string>): void {
  const other = records.find((r) => configDifferences(configOf(r), config).length > 0);
  if (!other) return;
  throw new LlemmaError(
    LlemmaErrorCode.ResultsFileError,
    `${file} holds results of another run (${configDifferences(configOf(other), config).join('; ')}): choose another ` +
      'results file, or run with the same variant, model, budget and project.',
  );
}

export type { ProjectPins };
