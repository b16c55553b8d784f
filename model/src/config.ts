// Reads config.json of a model folder: the Hugging Face transformers config of a Llama model plus a `llemma`
// block that this project adds (docs/model-format.md). Every problem found is reported, not just the first.

import { isPromptFormatName, promptFormatNames } from './prompts';

export interface ModelConfig {
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  hiddenSize: number;
  vocabSize: number;
  bosTokenId: number | null;
  /** Token ids that end a sequence (HF configs give one id or a list). */
  eosTokenIds: number[];
  /** Prompt + generated tokens must fit in this many positions. */
  contextLength: number;
  promptFormat: string;
}

export const supportedModelTypes = ['llama'];
export const formatVersion = 1;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses the text of config.json; throws an Error whose message lists each problem on its own line. */
export function parseModelConfig(text: string): ModelConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new Error('the top level must be a JSON object');
  const problems: string[] = [];
  // Sizes must be positive; token ids may be 0. A missing optional key is undefined, a wrong one a problem.
  const int = (obj: Json, key: string, where: string, required = true, min = 1): number | undefined => {
    const v = obj[key];
    const kind = min === 0 ? 'a non-negative integer' : 'a positive integer';
    if (v === undefined || v === null) {
      if (required) problems.push(`${where}${key} is missing (${kind} is required)`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      problems.push(`${where}${key} must be ${kind}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  };

  const modelType = raw['model_type'];
  if (typeof modelType !== 'string' || !supportedModelTypes.includes(modelType)) {
    problems.push(
      `model_type must be one of ${supportedModelTypes.map((t) => `"${t}"`).join(', ')} (Llama architecture), got ${JSON.stringify(modelType)}`,
    );
  }
  const numLayers = int(raw, 'num_hidden_layers', '');
  const numHeads = int(raw, 'num_attention_heads', '');
  const hiddenSize = int(raw, 'hidden_size', '');
  const vocabSize = int(raw, 'vocab_size', '');
  const maxPositions = int(raw, 'max_position_embeddings', '');
  const numKvHeads = int(raw, 'num_key_value_heads', '', false) ?? numHeads;
  const headDim = int(raw, 'head_dim', '', false) ?? (hiddenSize && numHeads ? hiddenSize / numHeads : undefined);
  if (numHeads !== undefined && numKvHeads !== undefined && numHeads % numKvHeads !== 0) {
    problems.push(`num_attention_heads (${numHeads}) must be a multiple of num_key_value_heads (${numKvHeads})`);
  }
  if (headDim !== undefined && !Number.isInteger(headDim)) {
    problems.push(`hidden_size / num_attention_heads is not an integer; set head_dim`);
  }
  const bos = int(raw, 'bos_token_id', '', false, 0) ?? null;
  const eosRaw = raw['eos_token_id'];
  const eosList = Array.isArray(eosRaw) ? eosRaw : [eosRaw];
  const eosTokenIds = eosList.filter((v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0);
  if (eosRaw === undefined || eosTokenIds.length !== eosList.length || eosTokenIds.length === 0) {
    problems.push(`eos_token_id must be a token id or a non-empty list of token ids, got ${JSON.stringify(eosRaw)}`);
  }
  if (vocabSize !== undefined) {
    for (const id of [bos, ...eosTokenIds]) {
      if (id !== null && id >= vocabSize) problems.push(`special token id ${id} is not below vocab_size ${vocabSize}`);
    }
  }

  const llemma = raw['llemma'];
  let promptFormat = '';
  let contextLength = maxPositions;
  if (!isObject(llemma)) {
    problems.push('the "llemma" object is missing (format_version, prompt_format, optional context_length)');
  } else {
    if (llemma['format_version'] !== formatVersion) {
      problems.push(`llemma.format_version must be ${formatVersion}, got ${JSON.stringify(llemma['format_version'])}`);
    }
    const pf = llemma['prompt_format'];
    if (typeof pf !== 'string' || !isPromptFormatName(pf)) {
      problems.push(`llemma.prompt_format must be one of ${promptFormatNames.join(', ')}, got ${JSON.stringify(pf)}`);
    } else {
      promptFormat = pf;
    }
    const ctx = int(llemma, 'context_length', 'llemma.', false);
    if (ctx !== undefined) {
      if (maxPositions !== undefined && ctx > maxPositions) {
        problems.push(`llemma.context_length (${ctx}) exceeds max_position_embeddings (${maxPositions})`);
      }
      contextLength = ctx;
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return {
    numLayers: numLayers!,
    numHeads: numHeads!,
    numKvHeads: numKvHeads!,
    headDim: headDim!,
    hiddenSize: hiddenSize!,
    vocabSize: vocabSize!,
    bosTokenId: bos,
    eosTokenIds,
    contextLength: contextLength!,
    promptFormat,
  };
}
