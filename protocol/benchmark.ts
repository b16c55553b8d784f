/**
 * miniF2F benchmark runs: the variants the extension ships, the record one finished problem leaves in a results file
 * (JSON Lines), the report made of such files, and the benchmark's requests with their parameters and results.
 * Client and server both read these; the runner itself is in server/minif2f/.
 */
import { RequestType, type WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { ModelDescription, SearchBudget } from './requests';

/** The miniF2F Lean 4 variants shipped in server/minif2f/data/ (PROVENANCE.md there). */
export type MiniF2FLeanVariant = 'yangky11' | 'deepseek';
/** Every variant: the Lean ones and miniF2F's Isabelle theories (`isabelle`), which need no Lean project. */
export type MiniF2FVariant = MiniF2FLeanVariant | 'isabelle';
export type MiniF2FSplit = 'valid' | 'test';
/** What a run covers: one split or both. */
export type MiniF2FSplitChoice = MiniF2FSplit | 'both';

export interface MiniF2FVariantInfo {
  id: MiniF2FLeanVariant;
  /** One line for a picker. */
  label: string;
  /** Where the statements come from (repository and commit). */
  source: string;
  /** The `lean-toolchain` a project for this variant must have, exactly. */
  leanToolchain: string;
  /** Mathlib's git revisions (`rev` of `mathlib` in `lake-manifest.json`) a project may be at; the first is the pin. */
  mathlibRevs: readonly string[];
}

/** The variants, the first the default. Their Lean and Mathlib pins are those their statements were written for. */
export const miniF2FVariants: readonly MiniF2FVariantInfo[] = [
  {
    id: 'yangky11',
    label: 'yangky11/miniF2F-lean4 (Lean v4.24.0, Mathlib of v4.24.0)',
    source: 'github.com/yangky11/miniF2F-lean4 @ 5746b7d6c47855ce1294bed87329618ff7f1bc31',
    leanToolchain: 'leanprover/lean4:v4.24.0',
    mathlibRevs: ['f897ebcf72cd16f89ab4577d0c826cd14afaafc7'],
  },
  {
    id: 'deepseek',
    label: 'DeepSeek-Prover-V1.5 miniF2F (Lean v4.9.0-rc1, Mathlib d1d1e4b)',
    source: 'github.com/deepseek-ai/DeepSeek-Prover-V1.5 @ 2c4ba9119eef74d0d611f494261b2c5bae98c69a',
    leanToolchain: 'leanprover/lean4:v4.9.0-rc1',
    // Upstream Mathlib, and DeepSeek's fork of it (the same commit plus one that adds the REPL to its lakefile).
    mathlibRevs: ['d1d1e4b72c6e009edd97cabe1d661b021fe8eeae', '2f65ba7f1a9144b20c8e7358513548e317d26de1'],
  },
];

/**
 * The Isabelle variant: miniF2F's theories (HOL), checked by the Isabelle server in the session of
 * `isabelle.session` (one that holds `HOL-Computational_Algebra` and `HOL-Number_Theory` spares building them).
 */
export const miniF2FIsabelleVariant = {
  id: 'isabelle',
  label: 'facebookresearch/miniF2F Isabelle theories (Isabelle2025-2, HOL)',
  source: 'github.com/facebookresearch/miniF2F @ e4f113090ad82d64f8ce064d2f55b613a9b6bded',
  /** The Isabelle release this project targets; the theories do not name one. */
  isabelle: 'Isabelle2025-2',
} as const;

/** Every variant id, the Lean ones first (the first the default); the CLI and the editor offer them all. */
export const miniF2FVariantIds: readonly MiniF2FVariant[] = [
  ...miniF2FVariants.map((v) => v.id),
  miniF2FIsabelleVariant.id,
];

/** A variant's line for a picker and where its problems come from, for any variant. */
export function miniF2FVariantLabel(id: MiniF2FVariant): { label: string; source: string } {
  const info = id === miniF2FIsabelleVariant.id ? miniF2FIsabelleVariant : miniF2FVariants.find((v) => v.id === id);
  return { label: info?.label ?? id, source: info?.source ?? 'unknown' };
}

export const miniF2FSplits: readonly MiniF2FSplit[] = ['valid', 'test'];

/**
 * The Llemma paper's budget for miniF2F, a run's budget unless the request overrides it: 32 candidates × 100
 * expansions, 600 s per problem. The search settings' defaults are the same numbers, but a run does not follow them.
 */
export const miniF2FPaperBudget: Readonly<SearchBudget> = {
  candidatesPerExpansion: 32,
  maxExpansions: 100,
  timeLimitMs: 600_000,
};

/** The problem categories of miniF2F, read from the problems' names (server/minif2f/problems.ts). */
export const miniF2FCategories = [
  'aime',
  'amc12',
  'imo',
  'mathd algebra',
  'mathd number theory',
  'algebra',
  'number theory',
  'induction',
] as const;
export type MiniF2FCategory = (typeof miniF2FCategories)[number];

/**
 * How a problem ended: `proved` (the proof passed the whole-declaration re-check), `exhausted` (every open proof
 * state was expanded), `budget` (the expansion limit), `time` (the time limit), `proverError` (Lean or its REPL failed
 * on this problem, twice).
 */
export type BenchmarkStatus = 'proved' | 'exhausted' | 'budget' | 'time' | 'proverError';
export const benchmarkStatuses: readonly BenchmarkStatus[] = ['proved', 'exhausted', 'budget', 'time', 'proverError'];

/** The format tag of every line of a results file. */
export const benchmarkRecordFormat = 'llemma-minif2f/1';

/** One finished problem: a line of a results file, written the moment the problem ended. */
export interface BenchmarkRecord {
  format: typeof benchmarkRecordFormat;
  variant: MiniF2FVariant;
  split: MiniF2FSplit;
  problem: string;
  category: MiniF2FCategory;
  status: BenchmarkStatus;
  /** The proof's tactics, in order (for `proved`; else empty). */
  proof: string[];
  /** For `proved`: each tactic's sources joined by ` + ` (the search result's `tacticSources`); absent otherwise. */
  sources?: string[];
  /** `#print axioms` of the re-checked theorem (for `proved`). */
  axioms: string[];
  /** Why the prover failed (for `proverError`). */
  error?: string;
  /** Wall time of the problem in the runner, from its start to its record, milliseconds. */
  wallMs: number;
  expansions: number;
  tacticsRun: number;
  /** Proofs Lean accepted tactic by tactic but rejected on the whole-declaration re-check. */
  rejectedProofs: number;
  /** Candidates the tactic screen refused. */
  forbidden: number;
  modelMs: number;
  proverMs: number;
  model: ModelDescription;
  budget: SearchBudget & { allowNativeDecide: boolean };
  prover: {
    /** The project's `lean-toolchain`. */
    lean: string | null;
    /** Mathlib's revision from the project's `lake-manifest.json`. */
    mathlib: string | null;
    /** The Isabelle variant: the Isabelle release that checked the proofs (`lean` and `mathlib` are null). */
    isabelle?: string;
    replCommand: string;
  };
  /** The tactic screen that ran: the size of its allow-list (server/search/tacticAllowList.ts). */
  screen: { allowListSize: number };
  runner: { llemma: string; workers: number; shard?: string };
  /** ISO time the problem ended. */
  finishedAt: string;
}

/** A published miniF2F result, with the setup that produced it, shown beside a run for comparison. */
export interface PublishedResult {
  system: string;
  /** Percent of the split solved. */
  percent: number;
  split: MiniF2FSplit;
  /** What produced the number: search, budget, data, where it was published. */
  setup: string;
}

export interface BenchmarkSplitSummary {
  split: MiniF2FSplit;
  solved: number;
  /** Problems with a record. */
  tried: number;
  /** Problems the split has in the variant. */
  total: number;
  /** solved / total, in percent (of the whole split, so an unfinished run reads low, never high). */
  percentOfSplit: number;
  /** solved / tried, in percent. */
  percentOfTried: number;
  byStatus: Record<BenchmarkStatus, number>;
}

export interface BenchmarkReportRow {
  problem: string;
  split: MiniF2FSplit;
  category: MiniF2FCategory;
  status: BenchmarkStatus;
  proof: string[];
  /** One per tactic of `proof`: its source, or `—` where the record has none (written before sources were kept). */
  sources: string[];
  wallMs: number;
  expansions: number;
  error?: string;
}

/** Everything the report shows, computed by the server from one or more results files. */
export interface BenchmarkReport {
  /** Each line of the header: model, variant, Lean and Mathlib, budget, tactics allowed, runner. */
  header: { label: string; value: string }[];
  /** Set when the records come from more than one configuration: what differs (the numbers then mix them). */
  mixed?: string;
  splits: BenchmarkSplitSummary[];
  categories: { category: MiniF2FCategory; split: MiniF2FSplit; solved: number; tried: number; total: number }[];
  /** Problems proved within x expansions / x seconds, per split (x ascending; the last point is the budget). */
  curves: {
    split: MiniF2FSplit;
    byExpansions: { x: number; solved: number }[];
    bySeconds: { x: number; solved: number }[];
  }[];
  rows: BenchmarkReportRow[];
  published: PublishedResult[];
  /** Where the records came from. */
  files: string[];
}

export interface RunMiniF2FParams extends WorkDoneProgressParams {
  variant: MiniF2FVariant;
  split: MiniF2FSplitChoice;
  /** The Lean project the problems are elaborated in (its toolchain and Mathlib must match the variant). */
  projectRoot: string;
  /** The results file (JSON Lines): finished problems in it are skipped, new ones appended. */
  out: string;
  /** Problems searched at once, each on a REPL process of its own (1–8). */
  workers: number;
  /** The model: absent, the settings' (as for Complete Proof); `embedded`, the model shipped inside the extension; else
   * a model folder (absolute) or an OpenAI-compatible server URL. */
  model?: string;
  /** Overrides of the budget, which is otherwise the Llemma paper's (32 × 100, 600 s). */
  budget?: Partial<SearchBudget>;
  /** Only the first `limit` problems of the selection (a trial run). */
  limit?: number;
}

/** Reported through `$/progress` while a run goes on (the report's message says it in words). */
export interface MiniF2FProgress {
  solved: number;
  /** Problems finished in this run or found finished in the results file. */
  tried: number;
  left: number;
  total: number;
  /** Problems the results file already held when the run started. */
  resumed: number;
  /** Milliseconds until the selection is done at this run's pace so far; null before the first problem ends. */
  etaMs: number | null;
  elapsedMs: number;
}

export interface RunMiniF2FResult {
  out: string;
  /** True when the run was cancelled: the file holds what finished. */
  cancelled: boolean;
  progress: MiniF2FProgress;
  model: ModelDescription;
}

/** The report page's charts script in the extension's dist/ (Chart.js bundled with it; scripts/bundles.mjs). */
export const reportChartsScript = 'minif2fCharts.js';

/** What the report page's script may post to the extension: the user asked to export the report. */
export interface ReportPageMessage {
  type: 'export';
  format: 'markdown' | 'json';
}

export interface MiniF2FReportParams {
  /** Results files (JSON Lines) to report on together. */
  files: string[];
  /**
   * For a webview: the nonce of its Content-Security-Policy, the URI of the charts script and the webview's CSP
   * source. Absent: the page is not made.
   */
  webview?: { nonce: string; scriptUri: string; cspSource: string };
}

export interface MiniF2FReportResult {
  report: BenchmarkReport;
  markdown: string;
  /** The report page (every text from outside HTML-escaped), when `webview` was given. */
  html?: string;
}

export interface CreateMiniF2FProjectParams {
  /** An empty or new folder. */
  folder: string;
  variant: MiniF2FLeanVariant;
}

export interface CreateMiniF2FProjectResult {
  folder: string;
  /** The files written, relative to the folder. */
  files: string[];
  /** The commands the user runs once in the folder, in order. */
  buildSteps: string[];
}

// The benchmark's requests. They live beside their types rather than in requests.ts, whose types these build on
// (a module of each would import the other).

/** `llemma/runMiniF2F`: a miniF2F benchmark run into a results file; cancellable, reports `$/progress`. */
export const runMiniF2F = new RequestType<RunMiniF2FParams, RunMiniF2FResult, void>('llemma/runMiniF2F');

/** `llemma/miniF2FReport`: the report of results files (data, Markdown, and the page of a webview). */
export const miniF2FReport = new RequestType<MiniF2FReportParams, MiniF2FReportResult, void>('llemma/miniF2FReport');

/** `llemma/createMiniF2FProject`: writes the Lean project a miniF2F variant runs in (the user builds it once). */
export const createMiniF2FProject = new RequestType<CreateMiniF2FProjectParams, CreateMiniF2FProjectResult, void>(
  'llemma/createMiniF2FProject',
);
