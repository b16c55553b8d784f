// A model as a tactic source: the prompt is rendered in the model's own format (the folder's config.json or the URL
// names it), the completions are read back with that same format, trimmed, deduplicated and ranked. Callers hand in
// a proof state and get tactics; no prompt text or completion leaves model/.

import { type CreateGeneratorOptions, createGenerator, type GeneratorInfo } from './generatorFactory';
import { type ProofContext, promptFormatFor } from './prompts';
import type { ProposedTactic, TacticBudget, TacticSource, TacticSourceDescription } from './tacticSource';
import type { TacticGenerator } from './types';

/** A text generator that can say what it is and be stopped: what `createGenerator` makes. */
export interface DescribedGenerator extends TacticGenerator {
  info(): Promise<GeneratorInfo>;
  dispose(): Promise<void>;
}

/** What a loaded model or a model server says about itself, as the user is shown it. */
export function describeModel(info: GeneratorInfo): TacticSourceDescription {
  if ('backend' in info) {
    return {
      source: `${info.url}${info.model ? ` (${info.model})` : ''}`,
      provider: 'http',
      promptFormat: info.promptFormat,
    };
  }
  return {
    source: info.folder,
    provider: info.provider,
    ...(info.skippedProviders.length ? { skippedProviders: [...info.skippedProviders] } : {}),
    ...(info.generationGraph.used ? { generationGraph: info.generationGraph.reason } : {}),
    promptFormat: info.promptFormat,
  };
}

export class TacticModel implements TacticSource {
  private loaded: GeneratorInfo | null = null;

  constructor(private readonly generator: DescribedGenerator) {}

  /** The tactic model for a model spec (a folder or an http(s) URL, `createGenerator`); nothing is loaded yet. */
  static fromSpec(spec: string, options: CreateGeneratorOptions = {}): TacticModel {
    return new TacticModel(createGenerator(spec, options));
  }

  /** Loads the model (once it has answered, it is not asked again) and says what it is. */
  async info(): Promise<GeneratorInfo> {
    const info = this.loaded ?? (await this.generator.info());
    this.loaded = info;
    return info;
  }

  async describe(): Promise<TacticSourceDescription> {
    return describeModel(await this.info());
  }

  async proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]> {
    const format = promptFormatFor((await this.info()).promptFormat, context);
    const completions = await this.generator.generate(format.render(context), {
      n: budget.candidates,
      beamWidth: budget.beamWidth,
      temperature: budget.temperature ?? 0,
      maxNewTokens: budget.maxNewTokens,
      stop: format.stop,
      ...(budget.signal ? { signal: budget.signal } : {}),
    });
    // Completions are distinct as text; two may still hold the same tactic (they differ in the space around it).
    const seen = new Set<string>();
    const tactics: ProposedTactic[] = [];
    for (const c of completions) {
      const tactic = format.parseCompletion(c.text).trim();
      if (seen.has(tactic)) continue;
      seen.add(tactic);
      tactics.push({
        tactic,
        // On its own the model ranks by its mean token log-probability; the merged generator recalibrates it.
        score: c.meanLogprob,
        rank: tactics.length,
        source: 'model',
        meanLogprob: c.meanLogprob,
        logprob: c.logprob,
        tokens: c.tokenIds.length,
        finishReason: c.finishReason,
      });
    }
    return tactics;
  }

  async dispose(): Promise<void> {
    this.loaded = null;
    await this.generator.dispose();
  }
}
