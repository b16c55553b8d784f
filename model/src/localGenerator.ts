// The model run in the calling thread: tokenizer + ONNX decoder + a decoding strategy behind TacticGenerator.
// ONNX Runtime's run() blocks the thread between steps, so servers use WorkerGenerator (workerGenerator.ts),
// which runs this class in a worker thread; tests and the CLI may use it directly.
//
// Beam search runs step by step (beamSearch.ts) or, when the folder has a generation.onnx and the mode allows it,
// inside one ONNX Runtime run (graphBeamSearch.ts): "auto" uses the graph on CUDA only, where the step-by-step path
// would copy the whole key/value cache between the device and the host at every step.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beamSearch, beamSearchBatch } from './beamSearch';
import { CompletionTracker } from './completion';
import type { SessionOptions } from './executionProviders';
import {
  graphBeamSearch,
  type LoadedGraphBeamSearch,
  loadGraphBeamSearch,
  maxGraphBeams,
  maxGraphLength,
  OnnxSequenceScorer,
} from './graphBeamSearch';
import type { GenerationGraphMode } from './modelChoices';
import { type LoadedModel, loadModelFolder } from './modelFolder';
import { sample } from './sampling';
import {
  type Candidate,
  type GenerateOptions,
  type ModelInfo,
  type ResolvedOptions,
  resolveOptions,
  type TacticGenerator,
  throwIfAborted,
} from './types';

/** The generation graph a generator uses (null: none) and why, for ModelInfo. */
interface GraphChoice {
  graph: LoadedGraphBeamSearch | null;
  reason: string;
}

async function chooseGenerationGraph(
  model: LoadedModel,
  options: SessionOptions,
  mode: GenerationGraphMode,
): Promise<GraphChoice> {
  if (mode === 'off') return { graph: null, reason: 'generation graph off' };
  const exists = (await stat(join(model.folder, 'generation.onnx')).catch(() => null))?.isFile() === true;
  if (mode === 'auto' && !exists) return { graph: null, reason: 'no generation.onnx in the folder' };
  if (mode === 'auto' && model.provider !== 'cuda') {
    return {
      graph: null,
      reason: `generation.onnx is used on cuda only ("auto"); this model runs on ${model.provider}`,
    };
  }
  const scorer = new OnnxSequenceScorer(model.session, model.io);
  const sessionOptions: SessionOptions = { ...options, executionProviders: [model.provider] };
  try {
    const graph = await loadGraphBeamSearch(model.folder, sessionOptions, scorer);
    return {
      graph,
      reason: `beam search in one ONNX Runtime run (generation.onnx, ${mode === 'on' ? 'on' : 'auto on cuda'})`,
    };
  } catch (err) {
    if (mode === 'on') throw err;
    return { graph: null, reason: `generation.onnx not used: ${(err as Error).message}` };
  }
}

export class LocalGenerator implements TacticGenerator {
  constructor(
    readonly model: LoadedModel,
    private readonly graph: GraphChoice = { graph: null, reason: 'generation graph not loaded' },
  ) {}

  /**
   * Loads a model folder, and its generation.onnx as `generationGraph` says. A generation.onnx that cannot be
   * used is an error with "on"; with "auto" the step-by-step search is used and info() says why.
   */
  static async load(
    folder: string,
    options: SessionOptions = {},
    generationGraph: GenerationGraphMode = 'auto',
  ): Promise<LocalGenerator> {
    const model = await loadModelFolder(folder, options);
    try {
      return new LocalGenerator(model, await chooseGenerationGraph(model, options, generationGraph));
    } catch (err) {
      await model.release();
      throw err;
    }
  }

  /** The prompt's ids and end rules; a RangeError when the prompt leaves no room in the context. */
  private prepare(prompt: string, o: ResolvedOptions): { promptIds: number[]; tracker: CompletionTracker } {
    const { tokenizer, config } = this.model;
    const promptIds = tokenizer.encode(prompt);
    const room = config.contextLength - promptIds.length;
    if (room < 1) {
      throw new RangeError(
        `the prompt has ${promptIds.length} tokens; the model's context length is ${config.contextLength}`,
      );
    }
    // Like vLLM, generation is cut short where the context is full rather than refusing the request.
    const tracker = new CompletionTracker(tokenizer.completionText(promptIds), {
      eosIds: new Set(config.eosTokenIds),
      stop: o.stop,
      maxNewTokens: Math.min(o.maxNewTokens, room),
    });
    return { promptIds, tracker };
  }

  /**
   * Beam searches of all prompts run in one decoder batch (prompts × beam width rows; beamSearchBatch). Sampling,
   * and beam search in generation.onnx, run prompt after prompt. A prompt too long for the context fails the
   * whole call before anything runs.
   */
  async generateBatch(prompts: readonly string[], opts: GenerateOptions): Promise<Candidate[][]> {
    const o = resolveOptions(opts);
    throwIfAborted(o.signal);
    const jobs = prompts.map((p) => this.prepare(p, o));
    if (o.temperature > 0 || this.graph.graph !== null || jobs.length <= 1) {
      const out: Candidate[][] = [];
      for (const job of jobs) out.push(await this.run(job, o));
      return out;
    }
    return beamSearchBatch(this.model.decoder, jobs, { width: o.beamWidth, n: o.n, signal: o.signal });
  }

  /**
   * Every distinct candidate that a step-by-step beam search of `opts.beamWidth` finished, best mean first: not only
   * the best `n` (`opts.n` is ignored), for evaluations that rank them another way.
   */
  async finishedBeamCandidates(prompt: string, opts: GenerateOptions): Promise<Candidate[]> {
    const o = resolveOptions(opts);
    throwIfAborted(o.signal);
    const { promptIds, tracker } = this.prepare(prompt, o);
    return beamSearch(this.model.decoder, promptIds, tracker, {
      width: o.beamWidth,
      n: Number.POSITIVE_INFINITY,
      signal: o.signal,
    });
  }

  async generate(prompt: string, opts: GenerateOptions): Promise<Candidate[]> {
    const o = resolveOptions(opts);
    throwIfAborted(o.signal);
    return this.run(this.prepare(prompt, o), o);
  }

  /** One prepared prompt: beam search (in generation.onnx when it is used and the search fits) or sampling. */
  private run(
    { promptIds, tracker }: { promptIds: number[]; tracker: CompletionTracker },
    o: ResolvedOptions,
  ): Promise<Candidate[]> {
    const { decoder } = this.model;
    if (o.temperature === 0) {
      const g = this.graph.graph;
      // Searches beyond the operator's limits run step by step.
      if (g && o.beamWidth <= maxGraphBeams && promptIds.length + tracker.maxNewTokens <= maxGraphLength) {
        return graphBeamSearch(g.graph, g.scorer, promptIds, tracker, { width: o.beamWidth, n: o.n, signal: o.signal });
      }
      return beamSearch(decoder, promptIds, tracker, { width: o.beamWidth, n: o.n, signal: o.signal });
    }
    return sample(decoder, promptIds, tracker, {
      n: o.n,
      temperature: o.temperature,
      seed: o.seed,
      signal: o.signal,
    });
  }

  info(): ModelInfo {
    const { folder, provider, skippedProviders, config } = this.model;
    return {
      folder,
      provider,
      skippedProviders,
      promptFormat: config.promptFormat,
      contextLength: config.contextLength,
      vocabSize: config.vocabSize,
      generationGraph: { used: this.graph.graph !== null, reason: this.graph.reason },
    };
  }

  async release(): Promise<void> {
    await this.graph.graph?.release();
    await this.model.release();
  }
}
