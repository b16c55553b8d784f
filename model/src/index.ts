// Public API of the model runtime. Callers import from here; everything else in model/src is internal.

export { type ModelConfig, parseModelConfig } from './config';
export type { SessionOptions } from './executionProviders';
export {
  type CreateGeneratorOptions,
  createGenerator,
  type GeneratorInfo,
  type ModelGenerator,
  type ModelSpec,
  ModelSpecError,
  parseModelSpec,
} from './generatorFactory';
export { LocalGenerator } from './localGenerator';
export { combine, mergeCandidates, type SourceCandidates, tacticKey } from './mergeCandidates';
export { type MergedOptions, type MergedParts, MergedTacticSource } from './mergedTacticSource';
export {
  defaultMaxNewTokens,
  type ExecutionProviderName,
  executionProviderNames,
  type GenerationGraphMode,
  generationGraphModes,
  isGenerationGraphMode,
  readExecutionProviders,
  readTacticSources,
  type TacticSourceName,
  tacticSourceNames,
} from './modelChoices';
export { type LoadedModel, loadModelFolder, ModelFolderError, requiredFiles } from './modelFolder';
export {
  type BeamSearchMode,
  ModelServerError,
  type ModelServerErrorKind,
  OpenAICompletionsGenerator,
  type OpenAICompletionsOptions,
  type OpenAIModelInfo,
} from './openaiBackend';
export { ProcedureSource } from './procedures';
export {
  getPromptFormat,
  isabelleProofPrefix,
  llemmaFewshotTemplate,
  type PromptFormat,
  type ProofContext,
  promptFormatFor,
  promptFormatNames,
  readPrompt,
  tacticState,
} from './prompts';
export { buildRetrievalIndex, type RetrievalExample } from './retrieval/buildIndex';
export { FileSource } from './retrieval/fileSource';
export {
  decodeRetrievalIndex,
  encodeRetrievalIndex,
  RetrievalFileError,
  type RetrievalProvenance,
  retrievalFileName,
} from './retrieval/indexFile';
export { LazyRetrieval, readRetrievalIndex } from './retrieval/loadRetrieval';
export {
  type Calibration,
  defaultRetrievalParams,
  type QueryOptions,
  RetrievalIndex,
  type RetrievalParams,
  type RetrievalTables,
  type RetrievedTactic,
} from './retrieval/retrievalIndex';
export { RetrievalSource } from './retrieval/retrievalSource';
export {
  type ByStep,
  defaultSourceTables,
  type MergeRule,
  type ModelScoreTable,
  mergeRules,
  modelScore,
  type Procedure,
  parseSourceTables,
  readSourceTables,
  type SourceTables,
  SourceTablesError,
  type StepKind,
  sourceTablesFileName,
  stepKind,
} from './sourceTables';
export { describeModel, TacticModel } from './tacticModel';
export type { ProposedTactic, TacticBudget, TacticSource, TacticSourceDescription } from './tacticSource';
export { TextTokenizer } from './tokenizer';
export type { Candidate, FinishReason, GenerateOptions, ModelInfo, TacticGenerator } from './types';
export { defaultWorkerFile, WorkerGenerator, type WorkerGeneratorOptions } from './workerGenerator';
