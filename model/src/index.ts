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
export {
  defaultMaxNewTokens,
  type ExecutionProviderName,
  executionProviderNames,
  type GenerationGraphMode,
  generationGraphModes,
  isGenerationGraphMode,
  readExecutionProviders,
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
export {
  getPromptFormat,
  llemmaFewshotTemplate,
  type PromptFormat,
  type ProofContext,
  promptFormatNames,
  tacticState,
} from './prompts';
export { buildRetrievalIndex, type RetrievalExample } from './retrieval/buildIndex';
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
export { describeModel, TacticModel } from './tacticModel';
export type { ProposedTactic, TacticBudget, TacticSource, TacticSourceDescription } from './tacticSource';
export { TextTokenizer } from './tokenizer';
export type { Candidate, FinishReason, GenerateOptions, ModelInfo, TacticGenerator } from './types';
export { defaultWorkerFile, WorkerGenerator, type WorkerGeneratorOptions } from './workerGenerator';
