/**
 * Every custom request and notification between the extension and the language server, typed once. Client and server
 * both import these constants; a method string appears nowhere else. Each method has a section in docs/protocol.md.
 */
import type { TacticSourceName } from '@llemma/model/choices';
import {
  NotificationType,
  type Position,
  RequestType,
  type TextDocumentIdentifier,
  type TextEdit,
  type WorkDoneProgressParams,
} from 'vscode-languageserver-protocol';

/** Where the prover's numbers come from, printed beside every result so that nothing is shown without its origin. */
export interface ProverInfo {
  /** `lean4`, or `isabelle` for `.thy` files (then `projectRoot` is the session and `toolchain` the Isabelle release). */
  prover: 'lean4' | 'isabelle';
  /** Root folder of the Lean project whose REPL answered. */
  projectRoot: string;
  /** Contents of the project's `lean-toolchain`, e.g. `leanprover/lean4:v4.33.0-rc2`; null when the file is missing. */
  toolchain: string | null;
  /** The command line that started the REPL. */
  replCommand: string;
  /** Suggestions and proof search: how many REPL processes could run candidate tactics at once. */
  checkProcesses?: number;
}

export interface GoalAtParams {
  textDocument: TextDocumentIdentifier;
  /** LSP position (0-based line, UTF-16 character). The goal shown is the one before the tactic that starts on this line. */
  position: Position;
}

export interface GoalAtResult {
  /** Goals open at the position, each in Lean's rendering (`h : x > 0\n⊢ x ≠ 0`). Empty when no goal is left. */
  goals: string[];
  /** REPL proof-state id of the first goal, valid until the REPL restarts (see `replGeneration`). */
  proofState: number | null;
  /** Increases each time the project's REPL is (re)started; proof-state ids of older generations are gone. */
  replGeneration: number;
  /** Name of the declaration the position is in (`example` for anonymous ones). */
  declaration: string;
  /** Lean's errors in the declaration before the position, with positions in the document. */
  errors: { range: { start: Position; end: Position }; message: string }[];
  prover: ProverInfo;
  /** Wall time of the request in the server, milliseconds. */
  elapsedMs: number;
}

/** `llemma/goalAt`: the proof state at a position, obtained by the Lean REPL. */
export const goalAt = new RequestType<GoalAtParams, GoalAtResult, void>('llemma/goalAt');

export type ProverState = 'starting' | 'ready' | 'busy' | 'restarting' | 'failed' | 'stopped';

export interface ProverStatusParams {
  /** Which prover: a Lean project's REPL when absent, else the Isabelle server (`projectRoot` is `isabelle:SESSION`). */
  prover?: 'lean4' | 'isabelle';
  projectRoot: string;
  state: ProverState;
  /** What went wrong (for `failed`) or what is happening, in words for the user. */
  message?: string;
  toolchain: string | null;
}

/** `llemma/proverStatus`: server → client whenever a project's REPL changes state. */
export const proverStatus = new NotificationType<ProverStatusParams>('llemma/proverStatus');

/**
 * Where a suggested step came from: one of the candidate generator's sources (`tacticSourceNames`: `retrieval`,
 * `model`, `procedures`, chosen by `model.sources`), or `sledgehammer`: Isabelle's Sledgehammer, which the server asks
 * on an Isabelle state when `isabelle.sledgehammer` is on. Sledgehammer is the prover's own search, not a generator
 * source, so `model.sources` and `--sources` never offer it and a Lean result never names it.
 */
export type SuggestionSourceName = TacticSourceName | 'sledgehammer';

/** The model and the sources that produced candidates, printed beside every suggestion and search result. */
export interface ModelDescription {
  /** A model folder's path or an OpenAI-compatible server's URL (with its model name). */
  source: string;
  /** Where it ran: `cpu`, `cuda`, `webgpu`, or `http` for a server. */
  provider: string;
  /** Execution providers tried before `provider` and why each was not used (a local folder only). */
  skippedProviders?: string[];
  /** Present when beam search runs inside the folder's generation.onnx (one ONNX Runtime run per search): how. */
  generationGraph?: string;
  /** The prompt format the candidates were generated with (model/src/prompts.ts); `none` when no model was asked. */
  promptFormat: string;
  /**
   * The candidate sources used (`retrieval`, `model`, `procedures`: setting `model.sources`), whose candidates were
   * merged and ranked by one calibrated score, and `sledgehammer` when Isabelle's Sledgehammer was asked; absent when
   * a single tactic source answered unmerged (tests).
   */
  sources?: SuggestionSourceName[];
  /**
   * Sources asked for but not used, each with the reason (`retrieval: no retrieval.bin in the model folder`,
   * `sledgehammer: …` when the Isabelle server could not run it).
   */
  skippedSources?: string[];
}

/** How candidates were generated: beam search of `beamWidth`, `candidates` returned. */
export interface GenerationBudget {
  beamWidth: number;
  candidates: number;
  maxNewTokens: number;
}

export interface SuggestTacticsParams {
  textDocument: TextDocumentIdentifier;
  /** The suggestion is for the state before the tactic that starts on this line (as `llemma/goalAt`). */
  position: Position;
  /**
   * Where each suggestion's `edit` writes it. `line` (the default; Suggest Tactics): as a tactic line of its own where
   * the state is. `cursor` (ghost text): in place of the cursor line's text before the cursor; the request then fails
   * with `NotInProof`, before the model or Lean is asked, unless a tactic starts at the cursor (the line up to it is
   * blank or the beginning of a tactic, nothing follows it, and the line is the one the state is before).
   */
  insertAt?: 'line' | 'cursor';
}

/** A candidate Lean ran on the proof state without an error. */
export interface TacticSuggestion {
  tactic: string;
  /** `closes`: no goal is left (the REPL reported the proof complete); `progress`: Lean accepted it, goals remain. */
  status: 'closes' | 'progress';
  /** Goals after the tactic, in Lean's rendering; empty for `closes`. */
  remainingGoals: string[];
  /**
   * The score candidates are ranked by: the calibrated log-probability that this is the tactic a person would write
   * next, on one scale for every source (docs/search.md); higher is likelier.
   */
  score: number;
  /**
   * The source that proposed it: `retrieval`, `model` or `procedures` (the best-scored one when several did), or
   * `sledgehammer` (Isabelle only).
   */
  source: SuggestionSourceName;
  /** Every source that proposed it, best score first (at least `source`). */
  sources: SuggestionSourceName[];
  /** The model's own length-normalised log-probability, when the model proposed it. */
  meanLogprob?: number;
  /** The candidate's rank among the generated candidates (0 = best score). */
  modelRank: number;
  /** Milliseconds the REPL took to run it; 0 when Lean's verdict on it came from the cache. */
  checkMs: number;
  /**
   * The edit that writes the tactic where the state it was checked against is (`insertAt` says how): with
   * `line`, a blank line is replaced; on the proof's `by` line a new line goes below it; above any other line a new
   * line goes before the tactic the state is before, at its indentation. Later lines of a multi-line tactic are
   * indented to its column.
   */
  edit: TextEdit;
}

export interface SuggestTacticsResult {
  /** The goals the suggestions are for. Empty when the proof is already complete at the position. */
  goals: string[];
  declaration: string;
  /** Verified suggestions only: closing ones first, then by score; at most `suggest.shown` of them. */
  suggestions: TacticSuggestion[];
  /** What happened to the candidates (of every source). */
  counts: { generated: number; forbidden: number; failed: number; verified: number };
  /** Why candidates were never sent to Lean (text → reason), for the output channel. */
  forbidden: { tactic: string; reason: string }[];
  budget: GenerationBudget;
  model: ModelDescription;
  prover: ProverInfo;
  /** True when the candidates came from the cache (same model, sources, prompt format and goals). */
  cached: boolean;
  /** Milliseconds in the server: goal query, model, REPL checks, and the whole request. */
  timings: { goalMs: number; modelMs: number; proverMs: number; totalMs: number };
}

/** `llemma/suggestTactics`: next tactics for the goal at a position, each run by Lean before it is returned. */
export const suggestTactics = new RequestType<SuggestTacticsParams, SuggestTacticsResult, void>(
  'llemma/suggestTactics',
);

/** The best-first search budget (Llemma: 32 candidates per expansion, 100 expansions, 600 s). */
export interface SearchBudget {
  candidatesPerExpansion: number;
  maxExpansions: number;
  timeLimitMs: number;
}

export interface ProveTheoremParams extends WorkDoneProgressParams {
  textDocument: TextDocumentIdentifier;
  /** A line of the proof: the search starts from the state before the tactic on this line and replaces it and the
   * rest of the proof. On a `sorry` line, it replaces the `sorry`. */
  position: Position;
  /** Overrides of the settings' budget. */
  budget?: Partial<SearchBudget>;
}

export type ProofSearchOutcome =
  /** A proof was found and Lean re-checked the whole theorem: no error, no `sorry`, no `sorryAx`. */
  | 'proved'
  /** Every open node was expanded without a proof. */
  | 'exhausted'
  | 'expansionLimit'
  | 'timeLimit'
  | 'cancelled';

export interface ProveTheoremResult {
  outcome: ProofSearchOutcome;
  declaration: string;
  /** The tactics of the proof, in order (for `proved`). */
  tactics: string[];
  /** For each tactic of `tactics`, the sources that proposed it, best score first. */
  tacticSources: SuggestionSourceName[][];
  /** The edit that puts the proof into the document (for `proved`): replaces the rest of the proof from the line. */
  edit: TextEdit | null;
  /** The axioms the re-checked theorem depends on (`#print axioms`), for `proved`. */
  axioms: string[];
  /**
   * For `proved`: `sorry`s the user's text around the proof still holds (the search filled one `have`'s proof in a
   * larger proof). 0 means the declaration is finished; otherwise `axioms` includes `sorryAx` because of that text.
   */
  otherSorries: number;
  stats: {
    expansions: number;
    openNodes: number;
    /** Distinct proof states reached. */
    visitedStates: number;
    /** Candidates run in Lean. */
    tacticsRun: number;
    /** Candidates never sent to Lean (forbidden). */
    forbidden: number;
    /** Proofs Lean accepted tactic by tactic but rejected on the whole-theorem re-check. */
    rejectedProofs: number;
    /** REPL restarts survived during the search. */
    replRestarts: number;
    elapsedMs: number;
    modelMs: number;
    proverMs: number;
  };
  budget: SearchBudget & { allowNativeDecide: boolean };
  model: ModelDescription;
  prover: ProverInfo;
}

/** Reported through `$/progress` while the search runs (as the report's `message`, and typed here for tests). */
export interface SearchProgress {
  expansions: number;
  openNodes: number;
  elapsedMs: number;
}

/** `llemma/proveTheorem`: best-first proof search from a position; cancellable, reports `$/progress`. */
export const proveTheorem = new RequestType<ProveTheoremParams, ProveTheoremResult, void>('llemma/proveTheorem');
