/**
 * The server's one model: created from the settings on first use, replaced when `model.path` or
 * `model.executionProvider` changes. The model runtime (`model/`) is imported lazily, so a server that only shows
 * goals never loads ONNX Runtime. Candidates come back as plain `{tactic, meanLogprob}` records: nothing past this
 * file sees a model type.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { LlemmaErrorCode, type LlemmaSettings, type ModelDescription } from '../protocol';
import { LlemmaError } from './errors';
import { remedy } from './remedies';

type ModelModule = typeof import('@llemma/model');
type Generator = ReturnType<ModelModule['createGenerator']>;
type ExecutionProvider = import('@llemma/model').ExecutionProviderName;
type GenerationGraphMode = import('@llemma/model').GenerationGraphMode;
const knownProviders: readonly ExecutionProvider[] = ['cuda', 'webgpu', 'cpu'];

/**
 * The model shipped with the project (`model/default/`). Both this file's folder (`server/`) and the bundle's
 * (`dist/`) sit one level below the repository (or extension) root.
 */
export const embeddedModelFolder = path.resolve(__dirname, '..', 'model', 'default');

/** Where a model comes from when nothing is configured: `LLEMMA_MODEL`, else the embedded default model. */
export function defaultModelSpec(): string | undefined {
  if (process.env['LLEMMA_MODEL']) return process.env['LLEMMA_MODEL'];
  return existsSync(path.join(embeddedModelFolder, 'model.onnx')) ? embeddedModelFolder : undefined;
}

export interface ModelCandidate {
  /** The tactic as the prompt format reads it out of the completion; still untrusted text. */
  tactic: string;
  meanLogprob: number;
  /** Rank among the model's candidates, 0 = likeliest. */
  rank: number;
}

export interface GenerationRequest {
  goals: readonly string[];
  theorem?: string;
  tactics?: readonly string[];
  beamWidth: number;
  candidates: number;
  maxNewTokens: number;
  signal?: AbortSignal;
}

export class ModelHost {
  private current: { key: string; generator: Generator; module: ModelModule } | null = null;
  private description: ModelDescription | null = null;

  constructor(private readonly settings: () => LlemmaSettings) {}

  /** The model's candidates for a proof state, best first, distinct. Throws LlemmaError(ModelError) when it cannot. */
  async generate(req: GenerationRequest): Promise<{ candidates: ModelCandidate[]; model: ModelDescription }> {
    const { generator, module } = await this.ensure();
    try {
      const model = await this.describe();
      const format = module.getPromptFormat(model.promptFormat);
      const prompt = format.render({
        goals: req.goals,
        ...(req.theorem !== undefined ? { theorem: req.theorem } : {}),
        ...(req.tactics !== undefined ? { tactics: req.tactics } : {}),
      });
      const out = await generator.generate(prompt, {
        n: req.candidates,
        beamWidth: req.beamWidth,
        temperature: 0,
        maxNewTokens: req.maxNewTokens,
        stop: format.stop,
        ...(req.signal ? { signal: req.signal } : {}),
      });
      const seen = new Set<string>();
      const candidates: ModelCandidate[] = [];
      for (const c of out) {
        const tactic = format.parseCompletion(c.text).trim();
        if (seen.has(tactic)) continue;
        seen.add(tactic);
        candidates.push({ tactic, meanLogprob: c.meanLogprob, rank: candidates.length });
      }
      return { candidates, model };
    } catch (err) {
      if (req.signal?.aborted) throw new LlemmaError(LlemmaErrorCode.Cancelled, 'The request was cancelled.');
      if (err instanceof LlemmaError) throw err;
      throw new LlemmaError(LlemmaErrorCode.ModelError, `The model failed: ${(err as Error).message}`);
    }
  }

  /** Which model answers, on which provider, with which prompt format (loads the model if needed). */
  async describe(): Promise<ModelDescription> {
    if (this.description) return this.description;
    const { generator, key } = await this.ensure();
    let info: Awaited<ReturnType<Generator['info']>>;
    try {
      info = await generator.info();
    } catch (err) {
      throw new LlemmaError(LlemmaErrorCode.ModelError, `The model could not be loaded: ${(err as Error).message}`);
    }
    const description: ModelDescription =
      'backend' in info
        ? {
            source: `${info.url}${info.model ? ` (${info.model})` : ''}`,
            provider: 'http',
            promptFormat: info.promptFormat,
          }
        : {
            source: info.folder,
            provider: info.provider,
            ...(info.skippedProviders.length ? { skippedProviders: [...info.skippedProviders] } : {}),
            ...(info.generationGraph.used ? { generationGraph: info.generationGraph.reason } : {}),
            promptFormat: info.promptFormat,
          };
    if (this.current?.key === key) this.description = description;
    return description;
  }

  /** Drops the model when the settings that choose it changed; the next request loads the new one. */
  async settingsChanged(): Promise<void> {
    if (this.current && this.current.key !== this.keyOf(this.settings())) await this.dispose();
  }

  async dispose(): Promise<void> {
    const current = this.current;
    this.current = null;
    this.description = null;
    await current?.generator.dispose();
  }

  private keyOf(s: LlemmaSettings): string {
    return `${s['model.path']}\u0000${s['model.executionProvider']}\u0000${s['model.generationGraph']}`;
  }

  private async ensure(): Promise<{ generator: Generator; module: ModelModule; key: string }> {
    const settings = this.settings();
    const key = this.keyOf(settings);
    if (this.current?.key === key) return this.current;
    await this.dispose();
    const configured = settings['model.path'].trim();
    // The server's working folder means nothing to the user: a configured folder must be absolute.
    if (configured && !/^https?:\/\//i.test(configured) && !path.isAbsolute(configured)) {
      throw new LlemmaError(
        LlemmaErrorCode.ModelError,
        `The model (${remedy.setting('model.path')}) must be an absolute folder path or an http(s) URL (got ${configured}).`,
      );
    }
    const spec = configured || defaultModelSpec();
    if (!spec) {
      throw new LlemmaError(
        LlemmaErrorCode.ModelError,
        `No model: none is configured (${remedy.setting('model.path')}) and there is no embedded model at ${embeddedModelFolder}.`,
      );
    }
    const module = await import('@llemma/model');
    const ep = settings['model.executionProvider'];
    const names: readonly string[] = ep === 'auto' ? [] : ep;
    const unknown = names.filter((n) => !knownProviders.includes(n as ExecutionProvider));
    if (unknown.length > 0) {
      throw new LlemmaError(
        LlemmaErrorCode.ModelError,
        `Unknown execution provider ${unknown.join(', ')} (${remedy.setting('model.executionProvider')}): use auto, or a list of ${knownProviders.join(', ')}.`,
      );
    }
    const graphMode = settings['model.generationGraph'].trim() || 'auto';
    if (!(module.generationGraphModes as readonly string[]).includes(graphMode)) {
      throw new LlemmaError(
        LlemmaErrorCode.ModelError,
        `Unknown generation-graph mode ${graphMode} (${remedy.setting('model.generationGraph')}): use ${module.generationGraphModes.join(', ')}.`,
      );
    }
    let generator: Generator;
    try {
      generator = module.createGenerator(spec, {
        sessionOptions: { executionProviders: names.length ? (names as ExecutionProvider[]) : 'auto' },
        generationGraph: graphMode as GenerationGraphMode,
      });
    } catch (err) {
      throw new LlemmaError(LlemmaErrorCode.ModelError, (err as Error).message);
    }
    this.current = { key, generator, module };
    return this.current;
  }
}
