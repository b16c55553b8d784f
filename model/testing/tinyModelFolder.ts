// Writes a complete model folder (model.onnx, tokenizer.json, config.json) for the tiny Llama test model.
// The shipped fixture model/testing/tiny-llama/ is this function's output with the default options; tests
// call it with options to make deliberately broken variants.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSpec, makeWeights, type TinyLlamaSpec, type TinyLlamaWeights } from './tinyLlama';
import { buildTinyLlamaOnnx, type IoNames, standardIoNames } from './tinyLlamaGraph';
import { buildTinyTokenizer } from './tinyTokenizer';

export const tinyModelSeed = 20240601;

export interface TinyModelOptions {
  seed?: number;
  ioNames?: IoNames;
  /** Changes to the spec (e.g. numKvHeads equal to numHeads for a model without GQA). */
  spec?: Partial<TinyLlamaSpec>;
  promptFormat?: string;
  /** Key/value cache and logits as float16 at the graph boundary. */
  float16Io?: boolean;
}

export interface TinyModel {
  weights: TinyLlamaWeights;
  onnx: Uint8Array;
  tokenizerJson: string;
  configJson: string;
}

export function buildTinyModel(options: TinyModelOptions = {}): TinyModel {
  const tok = buildTinyTokenizer();
  const spec = { ...defaultSpec(tok.size), ...options.spec };
  const weights = makeWeights(spec, options.seed ?? tinyModelSeed);
  const config = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: spec.vocabSize,
    hidden_size: spec.hiddenSize,
    intermediate_size: spec.intermediateSize,
    num_hidden_layers: spec.numLayers,
    num_attention_heads: spec.numHeads,
    num_key_value_heads: spec.numKvHeads,
    head_dim: spec.headDim,
    max_position_embeddings: spec.maxPositionEmbeddings,
    rms_norm_eps: spec.rmsNormEps,
    rope_theta: spec.ropeTheta,
    bos_token_id: tok.bosId,
    eos_token_id: tok.eosId,
    torch_dtype: options.float16Io ? 'float16' : 'float32',
    llemma: {
      format_version: 1,
      prompt_format: options.promptFormat ?? 'llemma-fewshot',
      context_length: spec.maxPositionEmbeddings,
    },
  };
  return {
    weights,
    onnx: buildTinyLlamaOnnx(weights, options.ioNames ?? standardIoNames, options.float16Io),
    tokenizerJson: `${JSON.stringify(tok.tokenizer, null, 2)}\n`,
    configJson: `${JSON.stringify(config, null, 2)}\n`,
  };
}

export function writeTinyModelFolder(dir: string, options: TinyModelOptions = {}): TinyModel {
  const model = buildTinyModel(options);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), model.onnx);
  writeFileSync(join(dir, 'tokenizer.json'), model.tokenizerJson);
  writeFileSync(join(dir, 'config.json'), model.configJson);
  return model;
}
