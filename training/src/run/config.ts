/**
 * The shape of a run's configuration: the data stage's keys (`TrainingConfig`) and the model stages' (`tokenizer`,
 * `pack`, `model`, `train`, `export`, `eval`, `index`, `evalSources`), which one JSON override file holds together.
 * Types and the allowed values of enumerated keys only: the defaults are in defaults.ts, reading and checking a file
 * in loadConfig.ts, where a run's files go in layout.ts. `model` and `train` are passed to the Python trainer as they
 * are (snake_case, Hugging Face and llemma_train.config names), which checks them itself.
 */
import type { RetrievalParams } from '@llemma/model';

export interface SourceConfig {
  name: string;
  kind: 'jsonl' | 'folder';
  /** Relative to the data folder, or absolute. */
  path: string;
  /** For folders: the file endings to read. */
  extensions?: string[];
  /** Sampling multiplier in the mixture: each kept document appears ⌊w⌋ times, plus once more with chance w − ⌊w⌋. */
  weight: number;
  /** Whether to extract tactic examples from this source's `.lean` documents. */
  tactics: boolean;
}

export interface BenchmarkConfig {
  name: string;
  kind: 'jsonl' | 'folder';
  path: string;
  /** JSONL: the field holding the item's name (default `name`); folders use the file name without its ending. */
  nameField?: string;
  /** JSONL: the field holding the split (`valid`, `test`); missing means `unknown`. */
  splitField?: string;
  /** JSONL: the fields whose text is compared (statements, informal statements, proofs). */
  textFields?: string[];
  /** Folders: the file endings to read. */
  extensions?: string[];
  /** Only items of these splits; empty means all. */
  splits?: string[];
}

export interface DataConfig {
  sources: SourceConfig[];
  dedup: {
    exact: boolean;
    near: boolean;
    /** Words per shingle for near-duplicate detection. */
    shingleSize: number;
    /** MinHash signature length; must be a multiple of `bands`. */
    numPerm: number;
    bands: number;
    /** Estimated Jaccard similarity of word shingles at or above which a document is a near duplicate. */
    threshold: number;
  };
  decontamination: {
    /** Every size is checked and reported. */
    ngramSizes: number[];
    /** Overlaps of at least this many tokens drop the document; shorter ones are only reported. */
    dropAtNgram: number;
    benchmarks: BenchmarkConfig[];
    /** Added to `benchmarks` (so an override can add one without repeating the defaults). */
    extraBenchmarks: BenchmarkConfig[];
    /** Files named like a benchmark problem (`Imo1959P1.lean` ~ `imo_1959_p1`): drop, only report, or ignore. */
    problemIds: 'drop' | 'report' | 'off';
    /** Competition names that mean the same contest (`usa` → `usamo`). */
    problemIdAliases: Record<string, string>;
  };
  tactics: {
    /** A format name from model/src/prompts.ts. */
    promptFormat: string;
    /** Declarations whose tactic proofs become examples. */
    keywords: string[];
    /** Share of files (by hash of path) whose examples are held out. */
    heldOutFraction: number;
    /** Examples with a longer prompt or target are skipped (counted in the report). */
    maxPromptChars: number;
    maxTargetChars: number;
  };
  mixture: {
    /** A shard is closed once it holds this many bytes of JSONL. */
    shardBytes: number;
  };
  /** Worker threads for the per-document work: `auto` (one per CPU), or a number (0: all in the main thread). */
  workers: number | 'auto';
}

export interface TrainingConfig {
  /** Output folder name under `outDir`. */
  run: string;
  /** Relative to the training workspace folder, or absolute. */
  outDir: string;
  /** Where the corpora live; null: $LLEMMA_DATA_DIR, then ../shared/data next to the repository. */
  dataDir: string | null;
  seed: number;
  data: DataConfig;
}

export interface TokenizerStageConfig {
  /** Ids in the vocabulary, specials and byte tokens included. */
  vocabSize: number;
  /** Megabytes of text sampled from the run's tactic examples and mixture to train on. */
  sampleMB: number;
  /** Share of the sample taken from the mixture (raw Lean files); the rest from the tactic examples. */
  mixtureShare: number;
  /** Characters are in the alphabet (whole tokens) until they cover this share of the sample's characters. */
  charCoverage: number;
  /** Stop merging when the best pair is rarer than this. */
  minPairCount: number;
}

export interface PackStageConfig {
  /** Positions the model trains on; rows hold seqLen + 1 tokens. Longer examples are left out (counted). */
  seqLen: number;
  /** Tactic examples packed for training (a seeded sample); 0: all. */
  maxTrainExamples: number;
  /**
   * Share of maxTrainExamples drawn from examples whose tactic state is known (a theorem's first step, the goal
   * rendered from its binders, or a goal the proof text states: the condition the server's prompts are always in);
   * the rest from the other steps.
   * null: one uniform sample.
   */
  goalKnownShare: number | null;
  /**
   * Training examples whose target (the tactic, the stop string and `</s>`) takes more tokens are left out and
   * counted; 0: no limit. The held-out split is not filtered, so its loss stays comparable between runs.
   */
  maxTargetTokens: number;
  /** Held-out examples packed for the held-out loss; 0: all. */
  maxHeldOutExamples: number;
  /** Tokens of mixture text (whole documents cut into rows, loss on every token) added to the training split. */
  mixtureTokens: number;
  /** Rows per shard file. */
  shardRows: number;
}

export interface TrainStageConfig {
  /** Overrides of llemma_train.config.ModelConfig; vocab_size, max_position_embeddings and token ids are set. */
  model: Record<string, unknown>;
  /**
   * Overrides of llemma_train.config.TrainConfig (data and out_dir are set), except `nice`: the niceness of the
   * Python process (0: unchanged), as long CPU runs share the machine.
   */
  train: Record<string, unknown> & { nice?: number };
}

export interface ExportStageConfig {
  /** Where the model folder goes, relative to the training workspace; '' means out/<run>/model. */
  folder: string;
  /** Largest allowed |logit difference| between PyTorch and ONNX Runtime. */
  tolerance: number;
}

export interface EvalStageConfig {
  /** Held-out theorems (first tactic of each) to evaluate; a seeded sample. */
  maxTheorems: number;
  /** Only theorems from these sources (data stage names); empty: all. */
  sources: string[];
  /** Candidates per theorem (beam width = n). */
  n: number;
  maxNewTokens: number;
  /**
   * The second measure: a beam search of this width (32: the search's setting) whose finished candidates (all of
   * them) are ranked by total log-probability, the best n kept, as the baseline ranks tactics by frequency. 0: not run.
   */
  probabilityBeamWidth: number;
}

export interface IndexStageConfig {
  /** Sources whose goal-known training examples are indexed (data stage names); empty: all. */
  sources: string[];
  /** Share of the training split's files (by file) held aside to calibrate the scores on. */
  heldAsideFraction: number;
  /**
   * Also write retrieval.bin (index) and sources.json (calibrate) into the run's model folder (export.folder), where
   * the runtime reads them.
   */
  modelFolder: boolean;
  /** How the index is built and ranks (model/src/retrieval/retrievalIndex.ts); stored in the file. */
  retrieval: RetrievalParams;
}

/** What retrieval queries with when a step's tactic state is unknown. */
export type UnknownGoalQuery = 'none' | 'statement' | 'previous' | 'statement+previous';

export const unknownGoalQueries: readonly UnknownGoalQuery[] = ['none', 'statement', 'previous', 'statement+previous'];

export interface CalibrateStageConfig {
  /** Held-aside steps the model is run on (a seeded sample, half first steps, of evalSources.sources). */
  steps: number;
  /** How the decision procedures are chosen (training/src/index/procedures.ts). */
  procedures: { count: number; minFiles: number; minClosingShare: number; exclude: string[] };
}

export interface EvalSourcesConfig {
  /** Steps of these sources are evaluated (data stage names); empty: all. The frequency list is of them too. */
  sources: string[];
  /** 'heldout' reports; 'heldaside' measures on held-aside training files, to choose variants on. */
  split: 'heldout' | 'heldaside';
  /** What retrieval queries with on a step whose tactic state the data does not know. */
  unknownGoal: UnknownGoalQuery;
  /** Steps evaluated at most, a seeded sample (a quick check: the model takes ~0.2 s a step); 0: all. */
  maxSteps: number;
  /** Which steps: `all` (reported as all steps and as first steps) or `first` (first steps only). */
  steps: 'all' | 'first';
  /**
   * Whether the model folder's neural model is run (its row, and the merged generator with it beside the one
   * without it). It is the slow part: ~0.2–0.6 s a step on 2 CPU cores.
   */
  model: boolean;
  /** Also write the tables into the model folder's MODEL_CARD.md (a block of their own); off unless asked. */
  card: boolean;
}

export interface ModelStagesConfig {
  index: IndexStageConfig;
  calibrate: CalibrateStageConfig;
  evalSources: EvalSourcesConfig;
  tokenizer: TokenizerStageConfig;
  pack: PackStageConfig;
  train: TrainStageConfig;
  export: ExportStageConfig;
  eval: EvalStageConfig;
}

export interface RunConfig {
  data: TrainingConfig;
  stages: ModelStagesConfig;
  /** out/<run>: every stage's files. */
  runDir: string;
}
