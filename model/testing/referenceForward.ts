// An independent reference forward pass of the tiny Llama model in plain TypeScript (float64 arithmetic, no
// KV cache: every call recomputes the whole sequence). It shares nothing with the ONNX graph but the weight
// arrays, so agreement between the two checks the graph, the KV-cache bookkeeping and the decoding loops.
// Written from the Hugging Face LlamaForCausalLM definition: RMSNorm, rotate-half RoPE, GQA via repeat_kv
// (query head h reads key/value head floor(h / groups)), SwiGLU MLP, untied LM head.

import type { TinyLlamaWeights } from './tinyLlama';

type Vec = Float64Array;

function matVec(x: Vec, w: Float32Array, outDim: number): Vec {
  const out = new Float64Array(outDim);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const row = i * outDim;
    for (let o = 0; o < outDim; o++) out[o]! += xi * w[row + o]!;
  }
  return out;
}

function rmsNorm(x: Vec, weight: Float32Array, eps: number): Vec {
  let sumSquares = 0;
  for (const v of x) sumSquares += v * v;
  const inv = 1 / Math.sqrt(sumSquares / x.length + eps);
  return x.map((v, i) => v * inv * weight[i]!);
}

/** Rotates one head vector in place for absolute position `pos`. */
function applyRope(head: Vec, pos: number, theta: number): void {
  const half = head.length / 2;
  for (let j = 0; j < half; j++) {
    const angle = pos * theta ** ((-2 * j) / head.length);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const a = head[j]!;
    const b = head[j + half]!;
    head[j] = a * c - b * s;
    head[j + half] = b * c + a * s;
  }
}

/**
 * Logits at every position of `ids`. `mask` (1 = real token, 0 = padding) and `positions` default to an
 * unpadded sequence; padded positions are never attended to, as in the attention_mask convention.
 */
export function referenceLogits(
  w: TinyLlamaWeights,
  ids: readonly number[],
  mask?: readonly number[],
  positions?: readonly number[],
): Float64Array[] {
  const s = w.spec;
  const { hiddenSize: h, numHeads: nh, numKvHeads: nkv, headDim: d } = s;
  const n = ids.length;
  const pos = positions ?? ids.map((_, i) => i);
  const visible = mask ?? ids.map(() => 1);
  let xs: Vec[] = ids.map((id) => Float64Array.from(w.embed.subarray(id * h, (id + 1) * h)));
  for (const layer of w.layers) {
    const normed = xs.map((x) => rmsNorm(x, layer.inputNorm, s.rmsNormEps));
    const split = (v: Vec, heads: number, t: number) =>
      Array.from({ length: heads }, (_, k) => {
        const head = v.slice(k * d, (k + 1) * d);
        if (t >= 0) applyRope(head, pos[t]!, s.ropeTheta);
        return head;
      });
    const qs = normed.map((x, t) => split(matVec(x, layer.wq, nh * d), nh, t));
    const ks = normed.map((x, t) => split(matVec(x, layer.wk, nkv * d), nkv, t));
    const vs = normed.map((x) => split(matVec(x, layer.wv, nkv * d), nkv, -1));
    const next: Vec[] = [];
    for (let t = 0; t < n; t++) {
      const concat = new Float64Array(nh * d);
      for (let head = 0; head < nh; head++) {
        const kvHead = Math.floor(head / (nh / nkv));
        const q = qs[t]![head]!;
        const allowed: number[] = [];
        for (let u = 0; u <= t; u++) if (visible[u] === 1) allowed.push(u);
        const scores = allowed.map((u) => {
          const k = ks[u]![kvHead]!;
          let dot = 0;
          for (let j = 0; j < d; j++) dot += q[j]! * k[j]!;
          return dot / Math.sqrt(d);
        });
        const max = Math.max(...scores);
        const exps = scores.map((sc) => Math.exp(sc - max));
        const total = exps.reduce((a, b) => a + b, 0);
        allowed.forEach((u, idx) => {
          const v = vs[u]![kvHead]!;
          const p = exps[idx]! / total;
          for (let j = 0; j < d; j++) concat[head * d + j]! += p * v[j]!;
        });
      }
      const attnOut = matVec(concat, layer.wo, h);
      const h1 = xs[t]!.map((v, i) => v + attnOut[i]!);
      const hn = rmsNorm(h1, layer.postNorm, s.rmsNormEps);
      const gate = matVec(hn, layer.wGate, s.intermediateSize);
      const up = matVec(hn, layer.wUp, s.intermediateSize);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
      const down = matVec(act, layer.wDown, h);
      next.push(h1.map((v, i) => v + down[i]!));
    }
    xs = next;
  }
  return xs.map((x) => matVec(rmsNorm(x, w.finalNorm, s.rmsNormEps), w.lmHead, s.vocabSize));
}

export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i]! - max);
  const logZ = max + Math.log(total);
  return Float64Array.from({ length: logits.length }, (_, i) => logits[i]! - logZ);
}

/** Greedy decoding by full recomputation: the reference the runtime's greedy/beam-1 output must equal. */
export function referenceGreedy(
  w: TinyLlamaWeights,
  promptIds: readonly number[],
  maxNewTokens: number,
): { ids: number[]; logprobs: number[]; margins: number[] } {
  const seq = [...promptIds];
  const ids: number[] = [];
  const logprobs: number[] = [];
  const margins: number[] = [];
  for (let step = 0; step < maxNewTokens; step++) {
    const last = referenceLogits(w, seq).at(-1)!;
    const lp = logSoftmax(last);
    let best = 0;
    for (let i = 1; i < lp.length; i++) if (lp[i]! > lp[best]!) best = i;
    let second = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < lp.length; i++) if (i !== best) second = Math.max(second, lp[i]!);
    ids.push(best);
    logprobs.push(lp[best]!);
    margins.push(lp[best]! - second);
    seq.push(best);
  }
  return { ids, logprobs, margins };
}
