// Builds the ONNX graph of the tiny Llama decoder with past key/values, in the Optimum / transformers.js I/O
// convention the model folder contract requires (docs/model-format.md). Standard opset-17 operators only, so
// every execution provider can run it. Layout of every tensor follows Hugging Face's LlamaForCausalLM.

import { contractNames, type IoNames } from '../src/ioSpec';
import {
  type AttributeValue,
  DataType,
  encodeModel,
  floatBytes,
  int64Bytes,
  type NodeInit,
  type TensorInit,
  type ValueInfoInit,
} from './onnxProto';
import type { TinyLlamaWeights } from './tinyLlama';

export type { IoNames };
export const standardIoNames: IoNames = contractNames;

class GraphBuilder {
  readonly nodes: NodeInit[] = [];
  readonly initializers: TensorInit[] = [];
  private counter = 0;

  op(opType: string, inputs: string[], attributes?: Record<string, AttributeValue>, output?: string): string {
    const out = output ?? `${opType.toLowerCase()}_${this.counter++}`;
    this.nodes.push({ opType, inputs, outputs: [out], attributes });
    return out;
  }

  floats(name: string, dims: number[], values: Float32Array | number[]): string {
    this.initializers.push({ name, dataType: DataType.float, dims, raw: floatBytes(values) });
    return name;
  }

  ints(name: string, values: number[]): string {
    this.initializers.push({ name, dataType: DataType.int64, dims: [values.length], raw: int64Bytes(values) });
    return name;
  }

  scalar(name: string, value: number): string {
    this.initializers.push({ name, dataType: DataType.float, dims: [], raw: floatBytes([value]) });
    return name;
  }
}

function rmsNorm(g: GraphBuilder, x: string, weight: string, eps: string): string {
  const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
  const rms = g.op('Sqrt', [g.op('Add', [meanSquare, eps])]);
  return g.op('Mul', [g.op('Div', [x, rms]), weight]);
}

/** Hugging Face's rotate-half RoPE: x * cos + cat(-x2, x1) * sin, with x1/x2 the two halves of the head dim. */
function rope(g: GraphBuilder, x: string, cos: string, sin: string): string {
  const x1 = g.op('Slice', [x, 'c_zero', 'c_half', 'c_axis3']);
  const x2 = g.op('Slice', [x, 'c_half', 'c_headdim', 'c_axis3']);
  const rotated = g.op('Concat', [g.op('Neg', [x2]), x1], { axis: 3 });
  return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])]);
}

/**
 * With `float16Io` the key/value cache and the logits cross the graph boundary as float16 (as in a half-precision
 * export) while the arithmetic stays float32: Cast nodes convert at the edges.
 */
export function buildTinyLlamaOnnx(
  w: TinyLlamaWeights,
  names: IoNames = standardIoNames,
  float16Io = false,
): Uint8Array {
  const s = w.spec;
  const { hiddenSize: h, numHeads: nh, numKvHeads: nkv, headDim: d } = s;
  const groups = nh / nkv;
  const g = new GraphBuilder();
  g.ints('c_zero', [0]);
  g.ints('c_half', [d / 2]);
  g.ints('c_headdim', [d]);
  g.ints('c_axis3', [3]);
  g.ints('c_axes_last', [-1]);
  g.ints('c_q_shape', [0, 0, nh, d]);
  g.ints('c_kv_shape', [0, 0, nkv, d]);
  g.ints('c_q_grouped', [0, nkv, groups, -1, d]);
  g.ints('c_attn_heads', [0, nh, -1, d]);
  g.ints('c_attn_flat', [0, 0, nh * d]);
  g.ints('c_unsq_2', [2]);
  g.ints('c_unsq_1', [1]);
  g.ints('c_unsq_mask', [1, 2, 3]);
  g.ints('c_dim1', [1]);
  g.scalar('c_eps', s.rmsNormEps);
  g.scalar('c_scale', 1 / Math.sqrt(d));
  g.scalar('c_masked', -1e9);
  const invFreq = Array.from({ length: d / 2 }, (_, j) => s.ropeTheta ** ((-2 * j) / d));
  g.floats('c_inv_freq', [d / 2], invFreq);
  g.initializers.push({ name: 'c_one_i64', dataType: DataType.int64, dims: [], raw: int64Bytes([1]) });
  g.initializers.push({ name: 'c_zero_i64', dataType: DataType.int64, dims: [], raw: int64Bytes([0]) });

  // Rotary angles from position_ids (or 0..S-1 after the past when the graph has no position_ids input).
  let positions: string;
  if (names.positionIds !== null) {
    positions = names.positionIds;
  } else {
    const seqLen = g.op('Gather', [g.op('Shape', [names.inputIds]), 'c_one_i64']);
    const total = g.op('Gather', [g.op('Shape', [names.attentionMask]), 'c_one_i64']);
    positions = g.op('Unsqueeze', [
      g.op('Range', [g.op('Sub', [total, seqLen]), total, 'c_one_i64']),
      g.ints('c_start0', [0]),
    ]);
  }
  const angles = g.op('Mul', [
    g.op('Unsqueeze', [g.op('Cast', [positions], { to: DataType.float }), 'c_axes_last']),
    'c_inv_freq',
  ]);
  const fullAngles = g.op('Concat', [angles, angles], { axis: -1 });
  const cos = g.op('Unsqueeze', [g.op('Cos', [fullAngles]), 'c_unsq_1']); // [B, 1, S, D]
  const sin = g.op('Unsqueeze', [g.op('Sin', [fullAngles]), 'c_unsq_1']);

  // Causal mask combined with the padding mask: query i (absolute position T-S+i) sees key j when j <= T-S+i
  // and attention_mask[b, j] = 1. Shape [B, 1, 1, S, T], broadcast over the grouped heads.
  const totalLen = g.op('Gather', [g.op('Shape', [names.attentionMask]), 'c_one_i64']);
  const queryLen = g.op('Gather', [g.op('Shape', [names.inputIds]), 'c_one_i64']);
  const keyIdx = g.op('Range', ['c_zero_i64', totalLen, 'c_one_i64']);
  const queryIdx = g.op('Range', [g.op('Sub', [totalLen, queryLen]), totalLen, 'c_one_i64']);
  const causal = g.op('LessOrEqual', [keyIdx, g.op('Unsqueeze', [queryIdx, 'c_dim1'])]); // [S, T]
  const padding = g.op('Unsqueeze', [g.op('Cast', [names.attentionMask], { to: DataType.bool }), 'c_unsq_mask']);
  const allowed = g.op('And', [causal, padding]);

  let x = g.op('Gather', [g.floats('embed_tokens', [s.vocabSize, h], w.embed), names.inputIds], { axis: 0 });
  w.layers.forEach((lw, i) => {
    const p = `layers.${i}.`;
    const xn = rmsNorm(g, x, g.floats(`${p}input_layernorm`, [h], lw.inputNorm), 'c_eps');
    const heads = (weight: Float32Array, name: string, n: number, shape: string) => {
      const proj = g.op('MatMul', [xn, g.floats(`${p}${name}`, [h, n * d], weight)]);
      return g.op('Transpose', [g.op('Reshape', [proj, shape])], { perm: [0, 2, 1, 3] }); // [B, n, S, D]
    };
    const q = rope(g, heads(lw.wq, 'q_proj', nh, 'c_q_shape'), cos, sin);
    const k = rope(g, heads(lw.wk, 'k_proj', nkv, 'c_kv_shape'), cos, sin);
    const v = heads(lw.wv, 'v_proj', nkv, 'c_kv_shape');
    // Past followed by the new positions; with float16Io the output is a float16 copy, attention uses float32.
    const extend = (past: string, fresh: string, present: string) => {
      if (!float16Io) return g.op('Concat', [past, fresh], { axis: 2 }, present);
      const full = g.op('Concat', [g.op('Cast', [past], { to: DataType.float }), fresh], { axis: 2 });
      g.op('Cast', [full], { to: DataType.float16 }, present);
      return full;
    };
    const presentK = extend(names.pastKey(i), k, names.presentKey(i));
    const presentV = extend(names.pastValue(i), v, names.presentValue(i));
    // Grouped-query attention without copying K/V: query heads are grouped [B, kv, groups, S, D] and MatMul
    // broadcasts each key/value head over its group (HF's repeat_kv maps query head h to kv head h / groups).
    const qg = g.op('Reshape', [q, 'c_q_grouped']);
    const kT = g.op('Unsqueeze', [g.op('Transpose', [presentK], { perm: [0, 1, 3, 2] }), 'c_unsq_2']);
    const scores = g.op('Mul', [g.op('MatMul', [qg, kT]), 'c_scale']);
    const probs = g.op('Softmax', [g.op('Where', [allowed, scores, 'c_masked'])], { axis: -1 });
    const attn = g.op('MatMul', [probs, g.op('Unsqueeze', [presentV, 'c_unsq_2'])]); // [B, kv, groups, S, D]
    const merged = g.op('Transpose', [g.op('Reshape', [attn, 'c_attn_heads'])], { perm: [0, 2, 1, 3] });
    const attnOut = g.op('MatMul', [
      g.op('Reshape', [merged, 'c_attn_flat']),
      g.floats(`${p}o_proj`, [nh * d, h], lw.wo),
    ]);
    const h1 = g.op('Add', [x, attnOut]);
    const hn = rmsNorm(g, h1, g.floats(`${p}post_attention_layernorm`, [h], lw.postNorm), 'c_eps');
    const gate = g.op('MatMul', [hn, g.floats(`${p}gate_proj`, [h, s.intermediateSize], lw.wGate)]);
    const up = g.op('MatMul', [hn, g.floats(`${p}up_proj`, [h, s.intermediateSize], lw.wUp)]);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]); // SwiGLU: silu(gate) * up
    const down = g.op('MatMul', [act, g.floats(`${p}down_proj`, [s.intermediateSize, h], lw.wDown)]);
    x = g.op('Add', [h1, down]);
  });
  const final = rmsNorm(g, x, g.floats('norm', [h], w.finalNorm), 'c_eps');
  const logits = g.op(
    'MatMul',
    [final, g.floats('lm_head', [h, s.vocabSize], w.lmHead)],
    undefined,
    float16Io ? undefined : names.logits,
  );
  if (float16Io) g.op('Cast', [logits], { to: DataType.float16 }, names.logits);
  const ioFloat = float16Io ? DataType.float16 : DataType.float;

  const kvShape = (len: string) => ['batch_size', nkv, len, d];
  const inputs: ValueInfoInit[] = [
    { name: names.inputIds, elemType: DataType.int64, shape: ['batch_size', 'sequence_length'] },
    { name: names.attentionMask, elemType: DataType.int64, shape: ['batch_size', 'total_sequence_length'] },
  ];
  if (names.positionIds !== null) {
    inputs.push({ name: names.positionIds, elemType: DataType.int64, shape: ['batch_size', 'sequence_length'] });
  }
  const outputs: ValueInfoInit[] = [
    { name: names.logits, elemType: ioFloat, shape: ['batch_size', 'sequence_length', s.vocabSize] },
  ];
  for (let i = 0; i < s.numLayers; i++) {
    inputs.push({ name: names.pastKey(i), elemType: ioFloat, shape: kvShape('past_sequence_length') });
    inputs.push({ name: names.pastValue(i), elemType: ioFloat, shape: kvShape('past_sequence_length') });
    outputs.push({ name: names.presentKey(i), elemType: ioFloat, shape: kvShape('total_sequence_length') });
    outputs.push({ name: names.presentValue(i), elemType: ioFloat, shape: kvShape('total_sequence_length') });
  }
  return encodeModel({
    irVersion: 8,
    opsetVersion: 17,
    producerName: 'llemma-vscode tiny-llama generator',
    graphName: 'tiny_llama_decoder_with_past',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs,
    outputs,
  });
}
