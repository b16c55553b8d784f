// One decoding step of a decoder-with-past ONNX model, with the key/value cache kept between steps. Rows of a
// batch are independent sequences; prompts of different lengths are left-padded and masked, so every row's next
// token sits in the last column. The cache lives in host memory (the Node binding cannot keep tensors on a CUDA
// device between runs; see docs/model-format.md).
//
// Where the time goes (docs/performance.md): the graph returns the whole cache (`present.*`) every step, and the
// Node binding copies every output into a fresh ArrayBuffer; that copy cannot be avoided (pre-allocated outputs
// are written and then copied again). Everything else is kept off the per-step path:
// - a cache is *consumed* by step() and selectRows(), so its buffers can be reused: selectRows reorders rows in
//   place with block copies (copyWithin) when the new rows fit in the old buffer, which beam search arranges so
//   that only forked beams move; otherwise it gathers into spare buffers kept from earlier caches;
// - an unpadded cache has no mask array: attention_mask is a view of one shared all-ones buffer;
// - logits are views of the output, last position only; the prompt runs without fetching its logits (S × vocab
//   floats) and its last token runs as an ordinary step.

import * as ort from 'onnxruntime-node';
import type { DecoderIo } from './ioSpec';

/** The key/value cache of a batch, opaque to the generation loops. */
export interface KvCache {
  readonly rows: number;
  /** Positions held so far, padding included (the same for every row). */
  readonly length: number;
  /** [key, value] per layer, each [rows, kvHeads, length, headDim]. */
  readonly tensors: readonly ort.Tensor[];
  /** attention_mask of the cached positions, [rows, length]; null when no row has padding (all ones). */
  readonly mask: BigInt64Array | null;
  /** position_ids of the next token of each row (its count of real tokens so far). */
  readonly nextPosition: readonly number[];
}

export interface StepOutput<C> {
  /** Next-token logits of each row (may be views into a shared output buffer: read, don't keep for long). */
  logits: Float32Array[];
  cache: C;
}

/**
 * What the generation loops need from a model; a test can supply its own. `step` and `selectRows` consume the
 * cache they are given: from then on only the cache they return may be used (its buffers are reused).
 */
export interface Decoder<C> {
  readonly vocabSize: number;
  /** Runs whole prompts (one row each); the returned logits predict each prompt's next token. */
  prefill(prompts: readonly (readonly number[])[]): Promise<StepOutput<C>>;
  /** Appends one token to every row of the cache. */
  step(cache: C, tokens: readonly number[]): Promise<StepOutput<C>>;
  /**
   * Row `rows[i]` of `cache` becomes row i: rows may repeat (beam forks) or be dropped (finished beams). Cheapest
   * when most rows stay where they are (`rows[i] === i`).
   */
  selectRows(cache: C, rows: readonly number[]): C;
}

type KvData = Float32Array | Uint16Array;

class OnnxKvCache implements KvCache {
  /** Set once step() or selectRows() has taken this cache over. */
  consumed = false;

  constructor(
    readonly rows: number,
    readonly length: number,
    readonly tensors: ort.Tensor[],
    readonly mask: BigInt64Array | null,
    readonly nextPosition: readonly number[],
    /** The whole arrays behind `tensors` (a tensor may view only their start), to reuse once consumed. */
    readonly buffers: readonly KvData[],
  ) {}
}

let halfTable: Float32Array | undefined;

/** float16 bits → float32, for models whose logits are float16 (Node has no Float16Array before v24). */
export function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) table[h] = sign * 2 ** -14 * (frac / 1024);
    else if (exp === 31) table[h] = frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else table[h] = sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  halfTable = table;
  return table;
}

/**
 * An order of row copies (destination, source) that reorders rows inside one buffer without reading a row
 * after it was overwritten; null when the moves form a cycle (a swap), which needs a second buffer.
 */
export function inPlaceMoves(rows: readonly number[]): Array<[number, number]> | null {
  const m = rows.length;
  const readers = new Int32Array(m);
  let pending: number[] = [];
  for (let j = 0; j < m; j++) {
    const src = rows[j]!;
    if (src === j) continue;
    pending.push(j);
    if (src < m) readers[src]!++;
  }
  const moves: Array<[number, number]> = [];
  while (pending.length > 0) {
    const still: number[] = [];
    for (const j of pending) {
      // Slot j may be overwritten once no pending move still reads it.
      if (readers[j] !== 0) {
        still.push(j);
        continue;
      }
      const src = rows[j]!;
      moves.push([j, src]);
      if (src < m) readers[src]!--;
    }
    if (still.length === pending.length) return null;
    pending = still;
  }
  return moves;
}

/**
 * glibc's malloc serves a block at least as large as its mmap threshold (128 KiB at first) with a fresh mmap,
 * and raises the threshold to the size of a freed mmapped block (at most 32 MiB). The binding allocates every
 * output in a new ArrayBuffer, and `present.*` grow by one position per step, so each one is just above the
 * threshold the previous one set: every step maps fresh memory and page-faults on all of it (measured on a
 * 2-core VM: 500–2000 faults and 25–85 ms per step where the model needs 3–6 ms). Allocating and dropping one
 * 32 MiB block lifts the threshold once; the outputs then come from the heap and reuse its freed blocks. With
 * another allocator this is a harmless short-lived allocation. Costs: up to 64 MiB of freed heap (glibc's trim
 * threshold follows at 2×) may stay with the process instead of going back to the system.
 */
let mallocPrimed = false;
function primeMallocThreshold(): void {
  if (mallocPrimed) return;
  mallocPrimed = true;
  const block = new Uint8Array(32 * 1024 * 1024 - 64 * 1024);
  block[0] = 1;
}

/** How long spare cache buffers are kept after the last decoding step. */
const spareKeepMs = 30_000;

export class OnnxDecoder implements Decoder<KvCache> {
  readonly vocabSize: number;
  private readonly presentNames: string[];
  /** attention_mask of unpadded rows: views of this all-ones array. */
  private ones = new BigInt64Array(0);
  /** One spare array per cache tensor, from consumed caches: selectRows gathers into them. */
  private spare: (KvData | undefined)[] = [];
  private lastUse = 0;
  private spareTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly io: DecoderIo,
  ) {
    this.vocabSize = io.vocabSize;
    primeMallocThreshold();
    this.presentNames = [];
    for (let i = 0; i < io.numLayers; i++) this.presentNames.push(io.names.presentKey(i), io.names.presentValue(i));
  }

  async prefill(prompts: readonly (readonly number[])[]): Promise<StepOutput<KvCache>> {
    const rows = prompts.length;
    const width = Math.max(0, ...prompts.map((p) => p.length));
    if (rows === 0 || prompts.some((p) => p.length === 0)) {
      throw new Error('prefill needs at least one prompt, and no empty prompt');
    }
    const padded = prompts.some((p) => p.length !== width);
    const empty = new OnnxKvCache(
      rows,
      0,
      this.emptyPast(rows),
      padded ? new BigInt64Array(0) : null,
      prompts.map(() => 0),
      [],
    );
    const ids = new BigInt64Array(rows * width);
    const positions = new BigInt64Array(rows * width);
    const mask = padded ? new BigInt64Array(rows * width) : null;
    prompts.forEach((p, r) => {
      const pad = width - p.length;
      for (let j = 0; j < p.length; j++) {
        ids[r * width + pad + j] = BigInt(p[j]!);
        positions[r * width + pad + j] = BigInt(j);
        if (mask) mask[r * width + pad + j] = 1n;
      }
      // Padded slots get position 1 like Hugging Face's cumsum(mask) - 1 filled with 1; they are masked anyway.
      for (let j = 0; j < pad; j++) positions[r * width + j] = 1n;
    });
    const lengths = prompts.map((p) => p.length);
    if (padded || width === 1) return this.forward(empty, ids, width, mask, positions, lengths, true);
    // Unpadded: all positions but the last without fetching logits (rows × width × vocab floats, mostly unused),
    // then the last token as an ordinary step. The same arithmetic, split in two runs.
    const headIds = new BigInt64Array(rows * (width - 1));
    const headPositions = new BigInt64Array(rows * (width - 1));
    for (let r = 0; r < rows; r++) {
      headIds.set(ids.subarray(r * width, (r + 1) * width - 1), r * (width - 1));
      headPositions.set(positions.subarray(r * width, (r + 1) * width - 1), r * (width - 1));
    }
    const head = await this.forward(
      empty,
      headIds,
      width - 1,
      null,
      headPositions,
      lengths.map((n) => n - 1),
      false,
    );
    return this.step(
      head.cache,
      prompts.map((p) => p[width - 1]!),
    );
  }

  async step(cache: KvCache, tokens: readonly number[]): Promise<StepOutput<KvCache>> {
    const c = this.live(cache);
    if (tokens.length !== c.rows) throw new Error(`step: ${tokens.length} tokens for ${c.rows} rows`);
    const ids = new BigInt64Array(c.rows);
    const positions = new BigInt64Array(c.rows);
    for (let r = 0; r < c.rows; r++) {
      ids[r] = BigInt(tokens[r]!);
      positions[r] = BigInt(c.nextPosition[r]!);
    }
    const newMask = c.mask === null ? null : this.onesView(c.rows);
    return this.forward(
      c,
      ids,
      1,
      newMask,
      positions,
      c.nextPosition.map((p) => p + 1),
      true,
    );
  }

  selectRows(cache: KvCache, rows: readonly number[]): KvCache {
    const c = this.live(cache);
    if (rows.length === c.rows && rows.every((r, i) => r === i)) return c;
    for (const r of rows) {
      if (!Number.isInteger(r) || r < 0 || r >= c.rows) throw new RangeError(`selectRows: no row ${r} in ${c.rows}`);
    }
    const m = rows.length;
    const moves = m <= c.rows ? inPlaceMoves(rows) : null;
    const tensors: ort.Tensor[] = [];
    let buffers: KvData[];
    if (moves) {
      // Rows move inside the arrays this cache already has; the result views their first m rows.
      c.tensors.forEach((t) => {
        const data = t.data as KvData;
        const rowSize = data.length / c.rows;
        for (const [dst, src] of moves) data.copyWithin(dst * rowSize, src * rowSize, (src + 1) * rowSize);
        tensors.push(this.tensor(t, data.subarray(0, m * rowSize), m));
      });
      buffers = [...c.buffers];
    } else {
      buffers = c.tensors.map((t, i) => {
        const data = t.data as KvData;
        const rowSize = data.length / c.rows;
        const out = this.takeSpare(i, m * rowSize, data);
        // Runs of consecutive source rows are copied as one block.
        for (let j = 0; j < m; ) {
          let end = j + 1;
          while (end < m && rows[end] === rows[end - 1]! + 1) end++;
          const src = rows[j]!;
          out.set(data.subarray(src * rowSize, (src + end - j) * rowSize), j * rowSize);
          j = end;
        }
        tensors.push(this.tensor(t, out.subarray(0, m * rowSize), m));
        return out;
      });
    }
    let mask: BigInt64Array | null = null;
    if (c.mask !== null) {
      mask = new BigInt64Array(m * c.length);
      rows.forEach((r, i) => {
        mask!.set(c.mask!.subarray(r * c.length, (r + 1) * c.length), i * c.length);
      });
    }
    c.consumed = true;
    if (!moves) this.recycle(c);
    return new OnnxKvCache(
      m,
      c.length,
      tensors,
      mask,
      rows.map((r) => c.nextPosition[r]!),
      buffers,
    );
  }

  private tensor(like: ort.Tensor, data: KvData, rows: number): ort.Tensor {
    const dims = [rows, ...like.dims.slice(1)];
    return like.type === 'float16'
      ? new ort.Tensor('float16', data as Uint16Array, dims)
      : new ort.Tensor('float32', data as Float32Array, dims);
  }

  private live(cache: KvCache): OnnxKvCache {
    if (!(cache instanceof OnnxKvCache)) throw new TypeError('not a key/value cache made by this decoder');
    if (cache.consumed) {
      throw new Error('this key/value cache was consumed by step() or selectRows(); use the cache they returned');
    }
    return cache;
  }

  private onesView(n: number): BigInt64Array {
    if (this.ones.length < n) this.ones = new BigInt64Array(Math.max(n, 2 * this.ones.length)).fill(1n);
    return this.ones.subarray(0, n);
  }

  /** A spare array of at least n elements for cache tensor i, else a new one. */
  private takeSpare(i: number, n: number, like: KvData): KvData {
    const s = this.spare[i];
    if (s && s.length >= n && s.constructor === like.constructor) {
      this.spare[i] = undefined;
      return s;
    }
    return like instanceof Uint16Array ? new Uint16Array(n) : new Float32Array(n);
  }

  /** Keeps the arrays of a consumed cache as spares (the largest one per tensor) for a while. */
  private recycle(c: OnnxKvCache): void {
    c.buffers.forEach((b, i) => {
      const s = this.spare[i];
      if (b.length > 0 && (!s || s.length < b.length)) this.spare[i] = b;
    });
    this.lastUse = Date.now();
    if (this.spareTimer === null) this.scheduleSpareRelease(spareKeepMs);
  }

  private scheduleSpareRelease(ms: number): void {
    this.spareTimer = setTimeout(() => {
      this.spareTimer = null;
      const idle = Date.now() - this.lastUse;
      if (idle >= spareKeepMs) this.spare = [];
      else this.scheduleSpareRelease(spareKeepMs - idle);
    }, ms);
    this.spareTimer.unref();
  }

  private emptyPast(rows: number): ort.Tensor[] {
    const { numLayers, kvHeads, headDim, kvType } = this.io;
    const make = () =>
      kvType === 'float16'
        ? new ort.Tensor('float16', new Uint16Array(0), [rows, kvHeads, 0, headDim])
        : new ort.Tensor('float32', new Float32Array(0), [rows, kvHeads, 0, headDim]);
    return Array.from({ length: numLayers * 2 }, make);
  }

  /**
   * Runs `width` new positions on top of `cache` (consuming it). `newMask` is the mask of the new positions, or
   * null when the cache has no mask and the new positions are real tokens (the mask is then all ones).
   */
  private async forward(
    cache: OnnxKvCache,
    ids: BigInt64Array,
    width: number,
    newMask: BigInt64Array | null,
    positions: BigInt64Array,
    nextPosition: number[],
    wantLogits: boolean,
  ): Promise<StepOutput<KvCache>> {
    const { rows, length } = cache;
    const total = length + width;
    let mask: BigInt64Array | null = null;
    if (cache.mask !== null || newMask !== null) {
      const old = cache.mask ?? this.onesView(rows * length);
      const fresh = newMask ?? this.onesView(rows * width);
      mask = new BigInt64Array(rows * total);
      for (let r = 0; r < rows; r++) {
        mask.set(old.subarray(r * length, (r + 1) * length), r * total);
        mask.set(fresh.subarray(r * width, (r + 1) * width), r * total + length);
      }
    }
    const names = this.io.names;
    const feeds: Record<string, ort.Tensor> = {
      [names.inputIds]: new ort.Tensor('int64', ids, [rows, width]),
      [names.attentionMask]: new ort.Tensor('int64', mask ?? this.onesView(rows * total), [rows, total]),
    };
    if (names.positionIds !== null) feeds[names.positionIds] = new ort.Tensor('int64', positions, [rows, width]);
    for (let i = 0; i < this.io.numLayers; i++) {
      feeds[names.pastKey(i)] = cache.tensors[2 * i]!;
      feeds[names.pastValue(i)] = cache.tensors[2 * i + 1]!;
    }
    this.live(cache);
    cache.consumed = true;
    const out = wantLogits ? await this.session.run(feeds) : await this.session.run(feeds, this.presentNames);
    this.recycle(cache);
    const logits: Float32Array[] = [];
    if (wantLogits) {
      const logitsTensor = out[names.logits]!;
      const vocab = this.io.vocabSize;
      for (let r = 0; r < rows; r++) {
        const start = (r * width + width - 1) * vocab;
        const data = logitsTensor.data;
        if (data instanceof Float32Array) {
          logits.push(data.subarray(start, start + vocab));
        } else if (data instanceof Uint16Array) {
          const table = halfToFloatTable();
          const row = new Float32Array(vocab);
          for (let j = 0; j < vocab; j++) row[j] = table[data[start + j]!]!;
          logits.push(row);
        } else {
          // A Float16Array (Node 24+) or another numeric array.
          const raw = data as unknown as ArrayLike<number>;
          logits.push(Float32Array.from({ length: vocab }, (_, j) => raw[start + j]!));
        }
      }
    }
    const tensors: ort.Tensor[] = [];
    for (const name of this.presentNames) tensors.push(out[name]!);
    return {
      logits,
      cache: new OnnxKvCache(
        rows,
        total,
        tensors,
        mask,
        nextPosition,
        tensors.map((t) => t.data as KvData),
      ),
    };
  }
}
