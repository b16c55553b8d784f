// Model folders for `npm run bench:model`, built at bench time with the test model's TypeScript ONNX builder
// (model/testing) into .cache/bench-model/: random weights, so they measure speed only. The tokenizer is the
// tiny test tokenizer (Llama-style BPE, byte fallback) padded with placeholder pieces up to the vocabulary size,
// so that every id the model can generate decodes to some text.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TinyLlamaSpec } from '../testing/tinyLlama';
import { buildTinyModel } from '../testing/tinyModelFolder';
import { buildTinyTokenizer } from '../testing/tinyTokenizer';

export interface BenchModelSpec {
  name: string;
  /** Dimensions on top of the tiny model's defaults; vocabSize included. */
  spec: Partial<TinyLlamaSpec>;
  seed: number;
}

/** ~15 M parameters, 58 MB fp32, a Llama 2 sized (32 000) vocabulary: the shape planned for the default model. */
export const defaultShaped: BenchModelSpec = {
  name: 'llama-15m-v32k',
  spec: {
    vocabSize: 32000,
    hiddenSize: 192,
    numLayers: 6,
    numHeads: 3,
    numKvHeads: 1,
    headDim: 64,
    intermediateSize: 512,
    maxPositionEmbeddings: 4096,
  },
  seed: 1234,
};

export interface BuiltBenchModel {
  dir: string;
  spec: TinyLlamaSpec;
  /** Parameter count and bytes of all weights (embedding table included). */
  params: number;
  weightBytes: number;
  /** Bytes of weights that every decoding step reads in full: all but the embedding table (only rows are gathered). */
  streamedBytes: number;
  onnxBytes: number;
}

function tokenizerWithVocab(size: number): Record<string, unknown> {
  const tok = buildTinyTokenizer();
  const json = structuredClone(tok.tokenizer) as { model: { vocab: Record<string, number> } };
  // Placeholder pieces: never produced by the encoder (no merges lead to them), decoded as their text.
  for (let id = tok.size; id < size; id++) json.model.vocab[`▁w${id.toString(36)}`] = id;
  return json;
}

function countParams(spec: TinyLlamaSpec): { params: number; embed: number } {
  const { vocabSize: v, hiddenSize: h, numHeads: nh, numKvHeads: nkv, headDim: d, intermediateSize: im } = spec;
  const layer = 2 * h + h * nh * d + 2 * h * nkv * d + nh * d * h + 3 * h * im;
  return { params: v * h * 2 + h + spec.numLayers * layer, embed: v * h };
}

/** Writes (or reuses, when the same spec was built before) the model folder under `root`. */
export function ensureBenchModel(root: string, m: BenchModelSpec): BuiltBenchModel {
  const dir = join(root, m.name);
  const stamp = join(dir, 'bench-spec.json');
  const wanted = JSON.stringify(m);
  let spec: TinyLlamaSpec;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(join(dir, 'model.onnx'))) {
    spec = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as TinyLlamaSpec;
  } else {
    const built = buildTinyModel({ spec: m.spec, seed: m.seed });
    spec = built.weights.spec;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), built.onnx);
    const vocab = spec.vocabSize;
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerWithVocab(vocab)));
    writeFileSync(join(dir, 'config.json'), built.configJson);
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    writeFileSync(stamp, wanted);
  }
  const { params, embed } = countParams(spec);
  return {
    dir,
    spec,
    params,
    weightBytes: params * 4,
    streamedBytes: (params - embed) * 4,
    onnxBytes: readFileSync(join(dir, 'model.onnx')).length,
  };
}
