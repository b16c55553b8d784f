/**
 * A run's whole configuration: the data stage's (config.ts, defaults.ts) plus the model stages' (tokenizer, pack,
 * model, train, export, eval), read from one JSON override file. The model-stage keys are taken out here and
 * merged into the defaults below with config.ts's own rules (unknown keys are errors); the rest goes to the data
 * stage unchanged. `model` and `train` are passed to the Python trainer as they are (snake_case, Hugging Face
 * and llemma_train.config names), which checks them itself.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { defaultRetrievalParams, type RetrievalParams } from '@llemma/model';
import { loadConfig, mergeConfig, resolveIn, type TrainingConfig, workspaceDir } from '../config';
import { type UnknownGoalQuery, unknownGoalQueries } from '../eval/candidateSources';

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

export const defaultStages: ModelStagesConfig = {
  index: { sources: [], heldAsideFraction: 0.05, modelFolder: false, retrieval: defaultRetrievalParams },
  calibrate: {
    steps: 2000,
    // native_decide runs compiled code; lia is not on the tactic screen's allow-list.
    procedures: { count: 16, minFiles: 20, minClosingShare: 0.5, exclude: ['native_decide', 'lia'] },
  },
  evalSources: {
    sources: ['mathlib4'],
    split: 'heldout',
    unknownGoal: 'statement+previous',
    maxSteps: 0,
    steps: 'all',
    model: true,
  },
  tokenizer: { vocabSize: 8000, sampleMB: 24, mixtureShare: 0.3, charCoverage: 0.99995, minPairCount: 2 },
  pack: {
    seqLen: 512,
    maxTrainExamples: 0,
    goalKnownShare: null,
    maxTargetTokens: 0,
    maxHeldOutExamples: 2000,
    mixtureTokens: 0,
    shardRows: 65536,
  },
  train: { model: {}, train: {} },
  export: { folder: '', tolerance: 1e-3 },
  eval: { maxTheorems: 300, sources: ['mathlib4'], n: 8, maxNewTokens: 48, probabilityBeamWidth: 32 },
};

const stageKeys = [
  'index',
  'calibrate',
  'evalSources',
  'tokenizer',
  'pack',
  'model',
  'train',
  'export',
  'eval',
] as const;

export interface RunConfig {
  data: TrainingConfig;
  stages: ModelStagesConfig;
  /** out/<run>: every stage's files. */
  runDir: string;
}

/** The run's config from an override file (or the defaults), split between the data stage and the model stages. */
export function loadRunConfig(file?: string): RunConfig {
  let parsed: Record<string, unknown> = {};
  if (file) {
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${file}: expected a JSON object`);
    }
  }
  const dataPart: Record<string, unknown> = {};
  const stagePart: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if ((stageKeys as readonly string[]).includes(k)) stagePart[k] = v;
    else dataPart[k] = v;
  }
  const stages = mergeStages(stagePart);
  const data = file ? loadDataConfig(file, dataPart, Object.keys(stagePart).length > 0) : loadConfig();
  return { data, stages, runDir: path.join(resolveIn(workspaceDir, data.outDir), data.run) };
}

function mergeStages(part: Record<string, unknown>): ModelStagesConfig {
  const { model, train, ...rest } = part;
  // model and train are open objects for Python; everything else is checked key by key against the defaults.
  const merged = mergeConfig(structuredClone(defaultStages), { ...rest });
  for (const [key, value] of [
    ['model', model],
    ['train', train],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`config ${key}: expected an object`);
    }
  }
  if (train !== undefined) merged.train.train = { ...merged.train.train, ...(train as object) };
  if (model !== undefined) merged.train.model = { ...merged.train.model, ...(model as object) };
  const { pack, tokenizer, index } = merged;
  if (!(index.heldAsideFraction > 0 && index.heldAsideFraction < 1)) {
    throw new Error('config index.heldAsideFraction: a number between 0 and 1');
  }
  if (!['keep', 'drop'].includes(index.retrieval.unmatched)) {
    throw new Error('config index.retrieval.unmatched: "keep" or "drop"');
  }
  const { evalSources } = merged;
  if (!['heldout', 'heldaside'].includes(evalSources.split)) {
    throw new Error('config evalSources.split: "heldout" or "heldaside"');
  }
  if (!['all', 'first'].includes(evalSources.steps)) {
    throw new Error('config evalSources.steps: "all" or "first"');
  }
  if (typeof evalSources.model !== 'boolean') throw new Error('config evalSources.model: true or false');
  if (!unknownGoalQueries.includes(evalSources.unknownGoal)) {
    throw new Error(`config evalSources.unknownGoal: one of ${unknownGoalQueries.join(', ')}`);
  }
  if (!Number.isInteger(pack.seqLen) || pack.seqLen < 8) throw new Error('config pack.seqLen: an integer ≥ 8');
  const share = pack.goalKnownShare;
  if (share !== null && !(share >= 0 && share <= 1)) {
    throw new Error('config pack.goalKnownShare: a number from 0 to 1');
  }
  if (!Number.isInteger(pack.maxTargetTokens) || pack.maxTargetTokens < 0) {
    throw new Error('config pack.maxTargetTokens: a whole number ≥ 0 (0: no limit)');
  }
  if (tokenizer.vocabSize < 300 || tokenizer.vocabSize > 65535) {
    throw new Error('config tokenizer.vocabSize: between 300 and 65535 (ids are stored as uint16)');
  }
  return merged;
}

// config.ts reads its overrides from a file (and resolves a relative dataDir against that file's folder), so when the
// file also holds model-stage keys the data part is handed to it as a temporary file of its own.
function loadDataConfig(file: string, dataPart: Record<string, unknown>, hasStageKeys: boolean): TrainingConfig {
  if (!hasStageKeys) return loadConfig(file);
  const dataDir = dataPart['dataDir'];
  const part =
    typeof dataDir === 'string'
      ? { ...dataPart, dataDir: path.resolve(path.dirname(path.resolve(file)), dataDir) }
      : dataPart;
  const dir = mkdtempSync(path.join(tmpdir(), 'llemma-config-'));
  try {
    const tmp = path.join(dir, path.basename(file));
    writeFileSync(tmp, JSON.stringify(part));
    return loadConfig(tmp);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
