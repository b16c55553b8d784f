// The graph inputs and outputs a model.onnx must have (Optimum / transformers.js decoder-with-past naming) and
// the check of a loaded session against them and against config.json. Each mismatch gets its own line.

import type { InferenceSession } from 'onnxruntime-node';
import type { ModelConfig } from './config';

export interface IoNames {
  inputIds: string;
  attentionMask: string;
  /** null when the graph computes positions itself (it then has no position_ids input). */
  positionIds: string | null;
  pastKey: (layer: number) => string;
  pastValue: (layer: number) => string;
  logits: string;
  presentKey: (layer: number) => string;
  presentValue: (layer: number) => string;
}

export const contractNames: IoNames = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  pastKey: (i) => `past_key_values.${i}.key`,
  pastValue: (i) => `past_key_values.${i}.value`,
  logits: 'logits',
  presentKey: (i) => `present.${i}.key`,
  presentValue: (i) => `present.${i}.value`,
};

export type KvType = 'float32' | 'float16';

/** Everything the decoder needs to feed a session. */
export interface DecoderIo {
  names: IoNames;
  numLayers: number;
  kvHeads: number;
  headDim: number;
  kvType: KvType;
  vocabSize: number;
}

type Meta = InferenceSession.ValueMetadata;

function describeShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

/** Checks a session's declared I/O; throws an Error listing every problem, one per line. */
export function checkDecoderIo(inputs: readonly Meta[], outputs: readonly Meta[], config: ModelConfig): DecoderIo {
  const problems: string[] = [];
  const names = { ...contractNames };
  const byName = (list: readonly Meta[]) => new Map(list.map((m) => [m.name, m]));
  const ins = byName(inputs);
  const outs = byName(outputs);

  if (ins.has('use_cache_branch')) {
    problems.push(
      'input "use_cache_branch": Optimum\'s merged decoder (decoder_model_merged.onnx) is not supported; export one ' +
        'decoder-with-past graph that also runs the prompt with an empty past (docs/model-format.md)',
    );
  }
  if (!ins.has(names.positionIds!)) names.positionIds = null;

  const expectedInputs: string[] = [names.inputIds, names.attentionMask];
  if (names.positionIds) expectedInputs.push(names.positionIds);
  const expectedOutputs: string[] = [names.logits];
  const pastNames: string[] = [];
  const presentNames: string[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    pastNames.push(names.pastKey(i), names.pastValue(i));
    presentNames.push(names.presentKey(i), names.presentValue(i));
  }
  expectedInputs.push(...pastNames);
  expectedOutputs.push(...presentNames);

  const missingIn = expectedInputs.filter((n) => !ins.has(n));
  const missingOut = expectedOutputs.filter((n) => !outs.has(n));
  const unexpectedIn = inputs.map((m) => m.name).filter((n) => !expectedInputs.includes(n) && n !== 'use_cache_branch');
  for (const n of missingIn) problems.push(`input "${n}" is missing`);
  for (const n of missingOut) problems.push(`output "${n}" is missing`);
  for (const n of unexpectedIn) problems.push(`input "${n}" is not part of the contract`);
  if (missingIn.length + missingOut.length + unexpectedIn.length > 0) {
    problems.push(
      `expected inputs input_ids, attention_mask, position_ids (optional), past_key_values.{0..${config.numLayers - 1}}.key|value ` +
        `and outputs logits, present.{0..${config.numLayers - 1}}.key|value (config.json num_hidden_layers = ${config.numLayers}); ` +
        `the graph has inputs ${inputs.map((m) => m.name).join(', ') || '(none)'} and outputs ${outputs.map((m) => m.name).join(', ') || '(none)'}`,
    );
  }

  const tensorMeta = (m: Meta | undefined, label: string) => {
    if (m && !m.isTensor) problems.push(`${label} "${m.name}" is not a tensor`);
    return m?.isTensor ? m : undefined;
  };
  for (const n of [names.inputIds, names.attentionMask, names.positionIds]) {
    const m = n ? tensorMeta(ins.get(n), 'input') : undefined;
    if (m && m.type !== 'int64') problems.push(`input "${n}" must be int64, the graph declares ${m.type}`);
  }
  const kvTypes = new Set<string>();
  const checkKv = (m: Meta | undefined, label: string) => {
    const t = tensorMeta(m, label);
    if (!t) return;
    kvTypes.add(t.type);
    if (t.shape.length !== 4) {
      problems.push(
        `${label} "${t.name}" must have 4 dimensions [batch, kv_heads, sequence, head_dim], got ${describeShape(t.shape)}`,
      );
      return;
    }
    const [, heads, , dim] = t.shape;
    if (typeof heads === 'number' && heads !== config.numKvHeads) {
      problems.push(
        `${label} "${t.name}" has ${heads} key/value heads (dimension 1) but config.json says num_key_value_heads = ${config.numKvHeads}`,
      );
    }
    if (typeof dim === 'number' && dim !== config.headDim) {
      problems.push(
        `${label} "${t.name}" has head size ${dim} (dimension 3) but config.json implies head_dim = ${config.headDim}`,
      );
    }
  };
  for (const n of pastNames) checkKv(ins.get(n), 'input');
  for (const n of presentNames) checkKv(outs.get(n), 'output');
  const kvType = [...kvTypes][0] ?? 'float32';
  if (kvTypes.size > 1) problems.push(`key/value tensors mix element types: ${[...kvTypes].join(', ')}`);
  else if (kvType !== 'float32' && kvType !== 'float16') {
    problems.push(`key/value tensors must be float32 or float16, the graph declares ${kvType}`);
  }
  const logits = tensorMeta(outs.get(names.logits), 'output');
  if (logits) {
    if (logits.type !== 'float32' && logits.type !== 'float16') {
      problems.push(`output "logits" must be float32 or float16, the graph declares ${logits.type}`);
    }
    const vocab = logits.shape.at(-1);
    if (logits.shape.length !== 3) {
      problems.push(`output "logits" must be [batch, sequence, vocab], got ${describeShape(logits.shape)}`);
    } else if (typeof vocab === 'number' && vocab !== config.vocabSize) {
      problems.push(
        `output "logits" has vocabulary size ${vocab} but config.json says vocab_size = ${config.vocabSize}`,
      );
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return {
    names,
    numLayers: config.numLayers,
    kvHeads: config.numKvHeads,
    headDim: config.headDim,
    kvType: kvType as KvType,
    vocabSize: config.vocabSize,
  };
}
