/**
 * The default configuration: the project's training corpora (Mathlib4 and compfiles, as shipped in the data folder)
 * and every miniF2F variant the data folder holds as the benchmark to keep out of them, and the model stages'
 * settings. Paths are relative to the data folder. Override files change only what they name; see README.md for the
 * format.
 */
import { defaultRetrievalParams } from '@llemma/model';
import type { BenchmarkConfig, ModelStagesConfig, TrainingConfig } from './config';

const lean4 = 'minif2f-lean4';
const isabelle = 'minif2f-isabelle';

/** miniF2F valid + test in every form the data folder has it: Lean 4 (four ports) and Isabelle (two + samples). */
const miniF2F: BenchmarkConfig[] = [
  {
    name: 'minif2f-lean4/deepseek',
    kind: 'jsonl',
    path: `${lean4}/deepseek_prover_v1.5_minif2f.jsonl`,
    splitField: 'split',
    textFields: ['formal_statement', 'informal_prefix'],
  },
  {
    name: 'minif2f-lean4/deepseek-fewshot',
    kind: 'jsonl',
    path: `${lean4}/deepseek_prover_v1.5_minif2f_valid_few_shot.jsonl`,
    splitField: 'split',
    textFields: ['formal_statement', 'formal_proof', 'informal_prefix'],
  },
  {
    name: 'minif2f-lean4/yangky11',
    kind: 'jsonl',
    path: `${lean4}/yangky11_minif2f_lean4.jsonl`,
    splitField: 'split',
    textFields: ['formal_statement'],
  },
  {
    name: 'minif2f-lean4/yangky11-v4.20',
    kind: 'jsonl',
    path: `${lean4}/yangky11_minif2f_lean4_legacy_v4.20.jsonl`,
    splitField: 'split',
    textFields: ['formal_statement', 'formal_proof', 'informal_stmt', 'informal_proof'],
  },
  {
    name: 'minif2f-lean4/llemma',
    kind: 'jsonl',
    path: 'llemma-formal2formal/minif2f.jsonl',
    nameField: 'full_name',
    splitField: 'split',
    textFields: ['statement'],
  },
  {
    name: 'minif2f-isabelle/facebookresearch',
    kind: 'jsonl',
    path: `${isabelle}/facebookresearch_minif2f_isabelle.jsonl`,
    splitField: 'split',
    textFields: ['formal_statement', 'proof', 'informal_statement', 'informal_proof'],
  },
  {
    name: 'minif2f-isabelle/openai',
    kind: 'jsonl',
    path: `${isabelle}/openai_minif2f_isabelle.jsonl`,
    splitField: 'split',
    textFields: ['formal_statement', 'proof'],
  },
  {
    name: 'minif2f-isabelle/thy-samples',
    kind: 'folder',
    path: 'isabelle/minif2f-isabelle',
    extensions: ['.thy'],
  },
];

export const defaultConfig: TrainingConfig = {
  run: 'default',
  outDir: 'out',
  dataDir: null,
  seed: 20231016,
  data: {
    sources: [
      { name: 'mathlib4', kind: 'jsonl', path: 'mathlib4/mathlib4_lean_files.jsonl', weight: 1, tactics: true },
      // Olympiad solutions are scarce next to Mathlib's library code and closest to the benchmark's style.
      { name: 'compfiles', kind: 'jsonl', path: 'compfiles/compfiles_lean_files.jsonl', weight: 2, tactics: true },
    ],
    dedup: { exact: true, near: true, shingleSize: 5, numPerm: 128, bands: 32, threshold: 0.8 },
    decontamination: {
      ngramSizes: [13, 30],
      dropAtNgram: 13,
      benchmarks: miniF2F,
      extraBenchmarks: [],
      problemIds: 'drop',
      problemIdAliases: { usa: 'usamo' },
    },
    tactics: {
      promptFormat: 'proof-prefix',
      keywords: ['theorem', 'lemma', 'example', 'problem'],
      heldOutFraction: 0.05,
      maxPromptChars: 8000,
      maxTargetChars: 2000,
    },
    mixture: { shardBytes: 64 * 1024 * 1024 },
    workers: 'auto',
  },
};

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
    card: false,
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
