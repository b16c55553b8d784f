// The model run in the calling thread: tokenizer + ONNX decoder + a decoding strategy behind TacticGenerator.
// ONNX Runtime's run() blocks the thread between steps, so servers use WorkerGenerator (workerGenerator.ts),
// which runs this class in a worker thread; tests and the CLI may use it directly.

import { beamSearch } from './beamSearch';
import { CompletionTracker } from './completion';
import type { SessionOptions } from './executionProviders';
import { type LoadedModel, loadModelFolder } from './modelFolder';
import { sample } from './sampling';
import {
  type Candidate,
  type GenerateOptions,
  type ModelInfo,
  resolveOptions,
  type TacticGenerator,
  throwIfAborted,
} from './types';

export class LocalGenerator implements TacticGenerator {
  constructor(readonly model: LoadedModel) {}

  static async load(folder: string, options: SessionOptions = {}): Promise<LocalGenerator> {
    return new LocalGenerator(await loadModelFolder(folder, options));
  }

  async generate(prompt: string, opts: GenerateOptions): Promise<Candidate[]> {
    const o = resolveOptions(opts);
    throwIfAborted(o.signal);
    const { tokenizer, decoder, config } = this.model;
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
    if (o.temperature === 0) {
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
    };
  }

  release(): Promise<void> {
    return this.model.release();
  }
}
