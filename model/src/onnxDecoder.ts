// One decoding step of a decoder-with-past ONNX model, with the key/value cache kept between steps. Rows of a
// batch are independent sequences; prompts of different lengths are left-padded and masked, so every row's next
// token sits in the last column. The cache lives in host memory (the Node binding cannot keep tensors on a CUDA
// device between runs; see docs/model-format.md).

import * as ort from 'onnxruntime-node';
import type { DecoderIo } from './ioSpec';

/** The key/value cache of a batch, opaque to the generation loops. */
export interface KvCache {
  readonly rows: number;
  /** Positions held so far, padding included (the same for every row). */
  readonly length: number;
  /** [key, value] per layer, each [rows, kvHeads, length, headDim]. */
  readonly tensors: readonly ort.Tensor[];
  /** attention_mask of the cached positions, [rows, length]. */
  readonly mask: BigInt64Array;
  /** position_ids of the next token of each row (its count of real tokens so far). */
  readonly nextPosition: readonly number[];
}

export interface StepOutput<C> {
  /** Next-token logits of each row. */
  logits: Float32Array[];
  cache: C;
}

/** What the generation loops need from a model; a test can supply its own. */
export interface Decoder<C> {
  readonly vocabSize: number;
  /** Runs whole prompts (one row each); the returned logits predict each prompt's next token. */
  prefill(prompts: readonly (readonly number[])[]): Promise<StepOutput<C>>;
  /** Appends one token to every row of the cache. */
  step(cache: C, tokens: readonly number[]): Promise<StepOutput<C>>;
  /** Row `rows[i]` of `cache` becomes row i: rows may repeat (beam forks) or be dropped (finished beams). */
  selectRows(cache: C, rows: readonly number[]): C;
}

/** IEEE half → float, for models whose logits are float16. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

export class OnnxDecoder implements Decoder<KvCache> {
  readonly vocabSize: number;

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly io: DecoderIo,
  ) {
    this.vocabSize = io.vocabSize;
  }

  async prefill(prompts: readonly (readonly number[])[]): Promise<StepOutput<KvCache>> {
    const rows = prompts.length;
    const width = Math.max(...prompts.map((p) => p.length));
    if (rows === 0 || width === 0) throw new Error('prefill needs at least one non-empty prompt');
    const ids = new BigInt64Array(rows * width);
    const mask = new BigInt64Array(rows * width);
    const positions = new BigInt64Array(rows * width);
    prompts.forEach((p, r) => {
      const pad = width - p.length;
      p.forEach((id, j) => {
        ids[r * width + pad + j] = BigInt(id);
        mask[r * width + pad + j] = 1n;
        positions[r * width + pad + j] = BigInt(j);
      });
      // Padded slots get position 1 like Hugging Face's cumsum(mask) - 1 filled with 1; they are masked anyway.
      for (let j = 0; j < pad; j++) positions[r * width + j] = 1n;
    });
    const empty: KvCache = {
      rows,
      length: 0,
      tensors: this.emptyPast(rows),
      mask: new BigInt64Array(0),
      nextPosition: prompts.map(() => 0),
    };
    return this.run(
      empty,
      ids,
      width,
      mask,
      positions,
      prompts.map((p) => p.length),
    );
  }

  async step(cache: KvCache, tokens: readonly number[]): Promise<StepOutput<KvCache>> {
    if (tokens.length !== cache.rows) throw new Error(`step: ${tokens.length} tokens for ${cache.rows} rows`);
    const ids = BigInt64Array.from(tokens, (t) => BigInt(t));
    const positions = BigInt64Array.from(cache.nextPosition, (p) => BigInt(p));
    return this.run(
      cache,
      ids,
      1,
      new BigInt64Array(cache.rows).fill(1n),
      positions,
      cache.nextPosition.map((p) => p + 1),
    );
  }

  selectRows(cache: KvCache, rows: readonly number[]): KvCache {
    if (rows.length === cache.rows && rows.every((r, i) => r === i)) return cache;
    const gather = <T extends Float32Array | Uint16Array | BigInt64Array>(data: T, rowSize: number): T => {
      const out = new (data.constructor as new (n: number) => T)(rows.length * rowSize);
      rows.forEach((r, i) => {
        out.set(data.subarray(r * rowSize, (r + 1) * rowSize) as never, i * rowSize);
      });
      return out;
    };
    const tensors = cache.tensors.map((t) => {
      const rowSize = t.size / cache.rows;
      const data = gather(t.data as Float32Array | Uint16Array, rowSize);
      return new ort.Tensor(t.type as 'float32', data as Float32Array, [rows.length, ...t.dims.slice(1)]);
    });
    return {
      rows: rows.length,
      length: cache.length,
      tensors,
      mask: gather(cache.mask, cache.length),
      nextPosition: rows.map((r) => cache.nextPosition[r]!),
    };
  }

  private emptyPast(rows: number): ort.Tensor[] {
    const { numLayers, kvHeads, headDim, kvType } = this.io;
    const make = () =>
      kvType === 'float16'
        ? new ort.Tensor('float16', new Uint16Array(0), [rows, kvHeads, 0, headDim])
        : new ort.Tensor('float32', new Float32Array(0), [rows, kvHeads, 0, headDim]);
    return Array.from({ length: numLayers * 2 }, make);
  }

  private async run(
    cache: KvCache,
    ids: BigInt64Array,
    width: number,
    newMask: BigInt64Array,
    positions: BigInt64Array,
    nextPosition: number[],
  ): Promise<StepOutput<KvCache>> {
    const { rows, length } = cache;
    const total = length + width;
    const mask = new BigInt64Array(rows * total);
    for (let r = 0; r < rows; r++) {
      mask.set(cache.mask.subarray(r * length, (r + 1) * length), r * total);
      mask.set(newMask.subarray(r * width, (r + 1) * width), r * total + length);
    }
    const names = this.io.names;
    const feeds: Record<string, ort.Tensor> = {
      [names.inputIds]: new ort.Tensor('int64', ids, [rows, width]),
      [names.attentionMask]: new ort.Tensor('int64', mask, [rows, total]),
    };
    if (names.positionIds !== null) feeds[names.positionIds] = new ort.Tensor('int64', positions, [rows, width]);
    for (let i = 0; i < this.io.numLayers; i++) {
      feeds[names.pastKey(i)] = cache.tensors[2 * i]!;
      feeds[names.pastValue(i)] = cache.tensors[2 * i + 1]!;
    }
    const out = await this.session.run(feeds);
    const logitsTensor = out[names.logits]!;
    const vocab = this.io.vocabSize;
    const lastOffset = (r: number) => (r * width + width - 1) * vocab;
    const logits: Float32Array[] = [];
    for (let r = 0; r < rows; r++) {
      if (logitsTensor.data instanceof Uint16Array) {
        // float16 arrives as raw bits (Node has no Float16Array before v24).
        const raw = logitsTensor.data.subarray(lastOffset(r), lastOffset(r) + vocab);
        logits.push(Float32Array.from(raw, halfToFloat));
      } else if (logitsTensor.type === 'float16') {
        const raw = logitsTensor.data as unknown as ArrayLike<number>;
        logits.push(Float32Array.from({ length: vocab }, (_, j) => raw[lastOffset(r) + j]!));
      } else {
        logits.push((logitsTensor.data as Float32Array).slice(lastOffset(r), lastOffset(r) + vocab));
      }
    }
    const tensors: ort.Tensor[] = [];
    for (let i = 0; i < this.io.numLayers; i++) {
      tensors.push(out[names.presentKey(i)]!, out[names.presentValue(i)]!);
    }
    return { logits, cache: { rows, length: total, tensors, mask, nextPosition } };
  }
}
