// Beam search inside ONE ONNX Runtime run: a model folder's optional generation.onnx wraps model.onnx in ONNX
// Runtime's com.microsoft.BeamSearch operator (built by training/python/llemma_train/generation_graph.py; see
// docs/model-format.md). On CUDA this keeps the key/value cache on the device for the whole search, which the
// Node binding cannot do across runs. ONNX Runtime returns token sequences and one score each; per-token
// log-probabilities are recomputed here by one forward pass of model.onnx per returned sequence, which also lets
// stop strings (the operator stops only at EOS) cut a sequence and score exactly the tokens kept.
//
// This is a library path next to beamSearch.ts, not the product's default: its search differs from beamSearch.ts
// where sequences end (see graphBeamSearch below) and it needs a second session on the same weights.

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { CandidatePool, type CompletionTracker, makeCandidate } from './completion';
import { type ModelConfig, parseModelConfig } from './config';
import { createSession, type SessionOptions } from './executionProviders';
import { checkDecoderIo, type DecoderIo } from './ioSpec';
import { logSumExp, rowMax } from './logits';
import { halfToFloatTable } from './onnxDecoder';
import { type Candidate, throwIfAborted } from './types';

/** ONNX Runtime's BeamSearch refuses longer sequences (prompt included) and more beams. */
export const maxGraphLength = 4096;
export const maxGraphBeams = 128;

const graphInputs = [
  'input_ids',
  'max_length',
  'min_length',
  'num_beams',
  'num_return_sequences',
  'length_penalty',
  'repetition_penalty',
] as const;
const graphOutputs = ['sequences', 'sequences_scores'] as const;

/** One sequence returned by the operator. */
export interface GraphSequence {
  /** Generated tokens, without the prompt; an EOS that ended the sequence is included. */
  tokenIds: number[];
  finishedByEos: boolean;
  /** The operator's score: sum of log-probabilities (EOS included) / (whole length without EOS)^lengthPenalty. */
  score: number;
}

export interface GraphRunParams {
  width: number;
  /** Sequences to return, at most `width`. */
  returned: number;
  maxNewTokens: number;
  /** ONNX Runtime's length_penalty; 0 (the default here) makes scores plain sums of log-probabilities. */
  lengthPenalty?: number;
}

/**
 * A session on generation.onnx. `eosId` must be the graph's eos_token_id (config.json's first) and `vocabSize` its
 * pad_token_id (config.json's vocab_size), as llemma_train.generation_graph builds it.
 */
export class GenerationGraph {
  constructor(
    readonly session: ort.InferenceSession,
    readonly eosId: number,
    readonly vocabSize: number,
  ) {
    const problems: string[] = [];
    for (const n of graphInputs) if (!session.inputNames.includes(n)) problems.push(`input "${n}" is missing`);
    for (const n of graphOutputs) if (!session.outputNames.includes(n)) problems.push(`output "${n}" is missing`);
    if (problems.length > 0) {
      throw new Error(
        `not a BeamSearch generation graph (build it with llemma_train.generation_graph):\n${problems.join('\n')}`,
      );
    }
  }

  /** Runs the whole beam search for one prompt. The operator's output is checked before use. */
  async run(promptIds: readonly number[], params: GraphRunParams): Promise<GraphSequence[]> {
    const { width, returned, lengthPenalty = 0 } = params;
    if (promptIds.length === 0) throw new RangeError('the prompt is empty');
    if (!Number.isInteger(width) || width < 1 || width > maxGraphBeams) {
      throw new RangeError(`beam width must be an integer from 1 to ${maxGraphBeams}, got ${width}`);
    }
    if (!Number.isInteger(returned) || returned < 1 || returned > width) {
      throw new RangeError(`the number of sequences returned must be from 1 to the beam width, got ${returned}`);
    }
    const maxLength = Math.min(promptIds.length + params.maxNewTokens, maxGraphLength);
    if (maxLength <= promptIds.length || params.maxNewTokens < 1) {
      throw new RangeError(
        `no room to generate: the prompt has ${promptIds.length} tokens, ${params.maxNewTokens} new tokens were ` +
          `asked for and the BeamSearch operator stops at ${maxGraphLength} in all`,
      );
    }
    const i32 = (v: number) => new ort.Tensor('int32', Int32Array.of(v), [1]);
    const f32 = (v: number) => new ort.Tensor('float32', Float32Array.of(v), [1]);
    const out = await this.session.run({
      input_ids: new ort.Tensor('int32', Int32Array.from(promptIds), [1, promptIds.length]),
      max_length: i32(maxLength),
      min_length: i32(0),
      num_beams: i32(width),
      num_return_sequences: i32(returned),
      length_penalty: f32(lengthPenalty),
      repetition_penalty: f32(1),
    });
    return this.read(out, promptIds, returned, maxLength);
  }

  private read(
    out: ort.InferenceSession.OnnxValueMapType,
    promptIds: readonly number[],
    returned: number,
    maxLength: number,
  ): GraphSequence[] {
    const seqs = out['sequences'];
    const scores = out['sequences_scores'];
    const dims = seqs?.dims.join(',');
    if (!seqs || !(seqs.data instanceof Int32Array) || dims !== `1,${returned},${maxLength}`) {
      throw new Error(`BeamSearch returned sequences of shape [${dims}], expected [1, ${returned}, ${maxLength}]`);
    }
    if (!scores || !(scores.data instanceof Float32Array) || scores.data.length !== returned) {
      throw new Error(`BeamSearch returned ${scores?.data.length ?? 'no'} scores for ${returned} sequences`);
    }
    const data = seqs.data;
    const p = promptIds.length;
    const result: GraphSequence[] = [];
    for (let r = 0; r < returned; r++) {
      const row = Array.from(data.subarray(r * maxLength, (r + 1) * maxLength));
      if (row.slice(0, p).some((t, i) => t !== promptIds[i])) throw new Error('BeamSearch changed the prompt');
      // The rest of a row is padded with pad_token_id, which the builder sets to vocab_size (no token has it).
      // Sequences never hold EOS (an extension by EOS ends one, without the EOS), so a shorter one ended at EOS.
      let end = maxLength;
      while (end > p && row[end - 1] === this.vocabSize) end--;
      const generated = row.slice(p, end);
      if (generated.some((t) => t < 0 || t >= this.vocabSize || t === this.eosId)) {
        throw new Error(
          `BeamSearch returned a sequence with a token id outside the vocabulary (${this.vocabSize}) or an EOS ` +
            'before its end; was generation.onnx built by llemma_train.generation_graph for this folder?',
        );
      }
      const finishedByEos = end < maxLength;
      const score = scores.data[r]!;
      if (!Number.isFinite(score)) throw new Error(`BeamSearch returned the score ${score}`);
      result.push({ tokenIds: finishedByEos ? [...generated, this.eosId] : generated, finishedByEos, score });
    }
    return result;
  }
}

/** Log-probabilities of a continuation's tokens after a prompt. */
export interface SequenceScorer {
  score(promptIds: readonly number[], continuation: readonly number[]): Promise<number[]>;
}

/** Scores with one run of model.onnx over prompt + continuation (empty past), float64 log-softmax per row. */
export class OnnxSequenceScorer implements SequenceScorer {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly io: DecoderIo,
  ) {}

  async score(promptIds: readonly number[], continuation: readonly number[]): Promise<number[]> {
    if (continuation.length === 0) return [];
    const ids = [...promptIds, ...continuation];
    const n = ids.length;
    const { names, numLayers, kvHeads, headDim, kvType, vocabSize } = this.io;
    const feeds: Record<string, ort.Tensor> = {
      [names.inputIds]: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      [names.attentionMask]: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    };
    if (names.positionIds !== null) {
      feeds[names.positionIds] = new ort.Tensor(
        'int64',
        BigInt64Array.from(ids, (_, i) => BigInt(i)),
        [1, n],
      );
    }
    const empty = () =>
      kvType === 'float16'
        ? new ort.Tensor('float16', new Uint16Array(0), [1, kvHeads, 0, headDim])
        : new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    for (let i = 0; i < numLayers; i++) {
      feeds[names.pastKey(i)] = empty();
      feeds[names.pastValue(i)] = empty();
    }
    const out = await this.session.run(feeds, [names.logits]);
    const data = out[names.logits]?.data;
    if (!data || data.length !== n * vocabSize) throw new Error('model.onnx returned logits of the wrong size');
    const row = new Float32Array(vocabSize);
    return continuation.map((token, j) => {
      const start = (promptIds.length - 1 + j) * vocabSize;
      if (data instanceof Float32Array) row.set(data.subarray(start, start + vocabSize));
      else if (data instanceof Uint16Array) {
        const table = halfToFloatTable();
        for (let v = 0; v < vocabSize; v++) row[v] = table[data[start + v]!]!;
      } else throw new Error('model.onnx returned logits that are neither float32 nor float16');
      return row[token]! - logSumExp(row, rowMax(row));
    });
  }
}

export interface GraphBeamSearchParams {
  width: number;
  n: number;
  lengthPenalty?: number;
  signal?: AbortSignal;
}

/**
 * Beam search by the generation graph, returning candidates as beamSearch.ts does (distinct texts, best
 * meanLogprob first, up to `n`). The operator runs every beam to EOS or the tracker's maxNewTokens; all `width`
 * returned sequences are rescored by `scorer`, cut at the token that completes a stop string (that token is kept
 * and scored, as in beamSearch.ts), deduplicated by text and ranked by mean log-probability. Differences from
 * beamSearch.ts: the operator ranks finished sequences by its own score (sum / length^lengthPenalty with the
 * prompt in the length and EOS out of it) instead of the mean over generated tokens, and it does not know stop
 * strings, so beams run past them and a sequence is cut only afterwards.
 */
export async function graphBeamSearch(
  graph: GenerationGraph,
  scorer: SequenceScorer,
  promptIds: readonly number[],
  tracker: CompletionTracker,
  params: GraphBeamSearchParams,
): Promise<Candidate[]> {
  throwIfAborted(params.signal);
  const sequences = await graph.run(promptIds, {
    width: params.width,
    returned: params.width,
    maxNewTokens: tracker.maxNewTokens,
    lengthPenalty: params.lengthPenalty,
  });
  const pool = new CandidatePool();
  for (const seq of sequences) {
    throwIfAborted(params.signal);
    const logprobs = await scorer.score(promptIds, seq.tokenIds);
    let end = seq.tokenIds.length;
    let ending = tracker.check(seq.tokenIds);
    for (let k = 1; k <= seq.tokenIds.length; k++) {
      const e = tracker.check(seq.tokenIds.slice(0, k));
      if (e.reason !== null) {
        end = k;
        ending = e;
        break;
      }
    }
    pool.add(makeCandidate(seq.tokenIds.slice(0, end), logprobs.slice(0, end), ending));
  }
  return pool.best(params.n);
}

export interface LoadedGraphBeamSearch {
  config: ModelConfig;
  graph: GenerationGraph;
  scorer: OnnxSequenceScorer;
  release(): Promise<void>;
}

/**
 * Opens a model folder's generation.onnx and, unless `scorer` is given (LocalGenerator passes one on the session it
 * already has), a second session on its model.onnx for rescoring. The folder's other files are checked by
 * loadModelFolder, which the caller runs for the tokenizer; this checks config.json only as far as it needs it.
 * Nothing is left open when it throws.
 */
export async function loadGraphBeamSearch(
  folderPath: string,
  options: SessionOptions = {},
  scorer?: OnnxSequenceScorer,
): Promise<LoadedGraphBeamSearch> {
  const folder = resolve(folderPath);
  const graphPath = join(folder, 'generation.onnx');
  if (!(await stat(graphPath).catch(() => null))?.isFile()) {
    throw new Error(
      `${graphPath} is missing; build it with: cd training/python && python3 -m llemma_train.generation_graph ${folder}`,
    );
  }
  const config = parseModelConfig(await readFile(join(folder, 'config.json'), 'utf8'));
  const sessions: ort.InferenceSession[] = [];
  try {
    const gen = (await createSession(graphPath, options)).session;
    sessions.push(gen);
    const graph = new GenerationGraph(gen, config.eosTokenIds[0]!, config.vocabSize);
    let rescorer = scorer;
    if (!rescorer) {
      const dec = (await createSession(join(folder, 'model.onnx'), options)).session;
      sessions.push(dec);
      rescorer = new OnnxSequenceScorer(dec, checkDecoderIo(dec.inputMetadata, dec.outputMetadata, config));
    }
    return {
      config,
      graph,
      scorer: rescorer,
      release: async () => {
        for (const s of sessions) await s.release();
      },
    };
  } catch (err) {
    for (const s of sessions) await s.release();
    throw new Error(`model folder ${folder}: the generation graph cannot be used: ${(err as Error).message}`);
  }
}
