/**
 * The headless core shared by the language server and the CLI: settings, the provers, and one method per operation.
 * Front ends translate their requests into these calls and LlemmaErrors back into their own error shapes.
 */
import { cursorInsertion, type TacticInsertion, tacticInsertion } from '@llemma/prover-text/lean';
import type { Position } from 'vscode-languageserver-protocol';
import {
  defaultSettings,
  type GoalAtResult,
  LlemmaErrorCode,
  type LlemmaSettings,
  type ModelDescription,
  miniF2FPaperBudget,
  type ProverStatusParams,
  type ProveTheoremResult,
  restartKeys,
  type SearchBudget,
  type SearchProgress,
  type SuggestTacticsResult,
} from '../protocol';
import { LlemmaError, toLlemmaError } from './errors';
import { type MiniF2FRunOptions, type MiniF2FRunSummary, runMiniF2F } from './minif2f';
import {
  ModelHost,
  type ModelOverrides,
  type ProofContext,
  type ProposedTactic,
  type TacticBudget,
  type TacticSource,
} from './modelHost';
import { IsabelleProver } from './provers/isabelle/isabelleProver';
import { LeanProver } from './provers/lean/leanProver';
import { proveTheorem } from './search/proveTheorem';
import { TacticSuggester } from './search/suggestTactics';

/**
 * Where a file's proof searches start, read without Lean: every `sorry` a search can start from (the editor's lenses)
 * and, per declaration, its first such `sorry` (`llemma prove`).
 */
export { type DeclarationSorries, declarationSorries, sorrySites } from '@llemma/prover-text/lean';
/** miniF2F benchmark runs: results files, reports, the Lean project a variant needs (server/minif2f/). */
export {
  buildSteps,
  checkProject,
  createProject,
  type MiniF2FRunSummary,
  mergeFiles,
  parseShard,
  recordsOf,
  reportOf,
  reportPageOf,
  type Shard,
  statusLabel,
} from './minif2f';
export type { ModelOverrides, ProposedTactic, TacticBudget } from './modelHost';

/** A miniF2F run as a front end asks for it; the core adds the model, the budget's defaults and the workers. */
export type MiniF2FRunRequest = Pick<
  MiniF2FRunOptions,
  'variant' | 'split' | 'projectRoot' | 'out' | 'workers' | 'limit' | 'shard' | 'signal' | 'onProgress' | 'onRecord'
> & {
  /** Absent: this core's model; `embedded`: the model shipped with the extension; else an absolute folder or a URL. */
  model?: string;
  /** Overrides of the Llemma paper's budget (32 candidates × 100 expansions, 600 s: the settings' defaults). */
  budget?: Partial<SearchBudget>;
};

export interface CoreOptions {
  settings?: LlemmaSettings;
  /** A REPL command line that beats the settings (CLI `--repl`, environment `LLEMMA_REPL`). */
  replOverride?: string;
  /** The model beside the settings (CLI `--model`, `--ep`; environment `LLEMMA_MODEL`). */
  model?: ModelOverrides;
  /** Where tactics come from instead of the model the settings choose (tests: model/testing/fixedTactics.ts). */
  tactics?: TacticSource;
  log?: (line: string) => void;
  onProverStatus?: (status: ProverStatusParams) => void;
}

/** The model's own candidates for a proof state: nothing screened, nothing run by Lean. */
export interface CandidatesResult {
  tactics: ProposedTactic[];
  model: ModelDescription;
  /** Milliseconds of generation (the model was loaded before). */
  elapsedMs: number;
}

export class LlemmaCore {
  private settings: LlemmaSettings;
  readonly lean: LeanProver;
  readonly isabelle: IsabelleProver;
  private readonly model: ModelHost;
  private readonly tactics: TacticSource;
  private readonly suggester: TacticSuggester;
  private readonly log: (line: string) => void;
  private readonly replOverride: string | undefined;

  constructor(options: CoreOptions = {}) {
    this.replOverride = options.replOverride;
    this.settings = options.settings ?? defaultSettings;
    const log = options.log ?? (() => undefined);
    this.log = log;
    this.model = new ModelHost(() => this.settings, options.model);
    this.tactics = options.tactics ?? this.model;
    this.suggester = new TacticSuggester(this.tactics, () => this.settings);
    this.lean = new LeanProver({
      settings: () => this.settings,
      replOverride: options.replOverride,
      log,
      onStatus: (s) => {
        log(`prover ${s.projectRoot}: ${s.state}${s.message ? ` (${s.message})` : ''}`);
        options.onProverStatus?.(s);
      },
    });
    this.isabelle = new IsabelleProver({
      settings: () => this.settings,
      log,
      onStatus: (s) => {
        log(`prover ${s.projectRoot}: ${s.state}${s.message ? ` (${s.message})` : ''}`);
        options.onProverStatus?.(s);
      },
    });
  }

  /** Applies new settings; REPLs are restarted only when a key that decides how they start has changed. */
  async updateSettings(next: LlemmaSettings): Promise<void> {
    const prev = this.settings;
    this.settings = next;
    if (restartKeys.some((k) => prev[k] !== next[k]))
      await Promise.all([this.lean.restartAll(), this.isabelle.restartAll()]);
    await this.model.settingsChanged();
  }

  get currentSettings(): LlemmaSettings {
    return this.settings;
  }

  async goalAt(filePath: string, text: string, position: Position, signal?: AbortSignal): Promise<GoalAtResult> {
    try {
      if (isIsabelleTheory(filePath)) return await this.isabelle.goalAt(filePath, text, position, signal);
      return await this.lean.goalAt(filePath, text, position, signal);
    } catch (err) {
      throw toLlemmaError(err);
    }
  }

  /**
   * Verified next tactics for the goal before the tactic on the position's line, each with the edit that writes it
   * there: as a tactic line of its own (`line`), or in place of the line's text before the cursor (`cursor`, ghost
   * text), which is refused before Lean or the model is asked unless a tactic starts at the cursor.
   */
  async suggestTactics(
    filePath: string,
    text: string,
    position: Position,
    signal?: AbortSignal,
    insertAt: 'line' | 'cursor' = 'line',
  ): Promise<SuggestTacticsResult> {
    try {
      if (isIsabelleTheory(filePath)) {
        return await this.isabelle.suggest(filePath, text, position, this.tactics, signal, insertAt);
      }
      const started = performance.now();
      let insertion: TacticInsertion | undefined;
      const session = await this.lean.openSession(filePath, text, position, signal, (plan) => {
        insertion = insertAt === 'cursor' ? cursorInsertion(text, plan, position) : tacticInsertion(text, plan);
        if (!insertion) {
          throw new LlemmaError(
            LlemmaErrorCode.NotInProof,
            'No tactic starts at the cursor: ghost text completes a blank line or a tactic being typed, at its end.',
          );
        }
      });
      // Set by the vetting above, which refused the plan otherwise.
      const at = insertion as TacticInsertion;
      return await this.suggester.suggest(session, at, performance.now() - started, signal);
    } catch (err) {
      throw toLlemmaError(err);
    }
  }

  /**
   * The budget of a proof search: the settings (or `base`: the benchmark's starts from the Llemma paper's), overridden
   * field by field by the request.
   */
  searchBudget(overrides: Partial<SearchBudget> = {}, base?: Readonly<SearchBudget>): SearchBudget {
    const s = this.settings;
    const pick = (v: unknown, fallback: number) =>
      typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
    return {
      candidatesPerExpansion: Math.floor(
        pick(overrides.candidatesPerExpansion, base?.candidatesPerExpansion ?? s['search.candidatesPerExpansion']),
      ),
      maxExpansions: Math.floor(pick(overrides.maxExpansions, base?.maxExpansions ?? s['search.maxExpansions'])),
      timeLimitMs: pick(overrides.timeLimitMs, base?.timeLimitMs ?? s['search.timeLimitSeconds'] * 1000),
    };
  }

  /** Best-first proof search from the position; the proof is re-checked by Lean before it is returned. */
  async proveTheorem(
    filePath: string,
    text: string,
    position: Position,
    options: { budget?: Partial<SearchBudget>; signal?: AbortSignal; onProgress?: (p: SearchProgress) => void } = {},
  ): Promise<ProveTheoremResult> {
    try {
      if (isIsabelleTheory(filePath)) {
        return await this.isabelle.prove(filePath, text, position, this.tactics, {
          budget: this.searchBudget(options.budget),
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        });
      }
      const session = await this.lean.openSession(filePath, text, position, options.signal);
      if (session.openGoals > 1) {
        throw new LlemmaError(
          LlemmaErrorCode.LeanError,
          `${session.openGoals} goals are open at this line; proof search works on one goal. ` +
            'Focus one with `·` (or `case`) and start the search inside it.',
        );
      }
      return await proveTheorem(session, this.tactics, text, {
        budget: this.searchBudget(options.budget),
        allowNativeDecide: this.settings['search.allowNativeDecide'],
        log: this.log,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
    } catch (err) {
      throw toLlemmaError(err);
    }
  }

  /** The model's candidates for a proof state as they come: unchecked (`llemma candidates`). */
  async candidates(context: ProofContext, budget: TacticBudget): Promise<CandidatesResult> {
    try {
      const model = await this.tactics.describe();
      const started = performance.now();
      const tactics = await this.tactics.proposeTactics(context, budget);
      return { tactics, model, elapsedMs: performance.now() - started };
    } catch (err) {
      throw toLlemmaError(err);
    }
  }

  /**
   * A miniF2F run into a results file (server/minif2f/runner.ts): its workers are cores of their own, one REPL
   * process each, sharing this core's model (or the one the request names, loaded for the run).
   */
  async runMiniF2F(request: MiniF2FRunRequest): Promise<MiniF2FRunSummary> {
    const { model: spec, budget: overrides, ...run } = request;
    const own =
      spec === undefined
        ? undefined
        : new ModelHost(() => ({ ...this.settings, 'model.path': spec === 'embedded' ? '' : spec }));
    const tactics = own ?? this.tactics;
    const settings: LlemmaSettings = { ...this.settings, 'lean.checkProcesses': 1 };
    const budget = this.searchBudget(overrides, miniF2FPaperBudget);
    try {
      return await runMiniF2F({
        ...run,
        budget,
        allowNativeDecide: this.settings['search.allowNativeDecide'],
        describeModel: () => tactics.describe(),
        newWorker: () =>
          new LlemmaCore({
            settings,
            ...(this.replOverride !== undefined ? { replOverride: this.replOverride } : {}),
            tactics,
            log: this.log,
          }),
        log: this.log,
      });
    } catch (err) {
      throw toLlemmaError(err);
    } finally {
      await own?.dispose();
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([this.lean.dispose(), this.isabelle.dispose(), this.model.dispose()]);
  }
}

/** Which prover a file is for: Isabelle theories by their extension, everything else Lean. */
export function isIsabelleTheory(filePath: string): boolean {
  return filePath.toLowerCase().endsWith('.thy');
}
