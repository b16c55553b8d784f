/**
 * The server's one model, and server/'s one door to `model/`: a tactic source chosen from the settings on first use
 * and replaced when `model.path`, `model.executionProvider` or `model.generationGraph` changes. The model runtime is
 * imported lazily, so a server that only shows goals never loads ONNX Runtime; what model/ says goes out as plain
 * data, and its errors as LlemmaError(ModelError). Prompts and completions stay inside model/.
 */

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  type ExecutionProviderName,
  executionProviderNames,
  generationGraphModes,
  isGenerationGraphMode,
  readExecutionProviders,
} from '../model/src/modelChoices';
import type { ProofContext } from '../model/src/prompts';
import type { TacticModel } from '../model/src/tacticModel';
import type { ProposedTactic, TacticBudget, TacticSource } from '../model/src/tacticSource';
import { LlemmaErrorCode, type LlemmaSettings, type ModelDescription } from '../protocol';
import { LlemmaError } from './errors';
import { remedy } from './remedies';

// The model vocabulary the rest of server/ uses, handed on from model/ (these modules import nothing at run time).
export {
  defaultMaxNewTokens,
  type ExecutionProviderName,
  executionProviderNames,
  type GenerationGraphMode,
  generationGraphModes,
  isGenerationGraphMode,
  readExecutionProviders,
} from '../model/src/modelChoices';
export type { ProofContext } from '../model/src/prompts';
export type { ProposedTactic, TacticBudget, TacticSource } from '../model/src/tacticSource';

/**
 * The model shipped with the project (`model/default/`). Both this file's folder (`server/`) and the bundle's
 * (`dist/`) sit one level below the repository (or extension) root.
 */
const embeddedModelFolder = path.resolve(__dirname, '..', 'model', 'default');

/** What a front end says about the model beside the settings. */
export interface ModelOverrides {
  /** The model when `model.path` is empty (CLI `--model`, environment `LLEMMA_MODEL`); else the embedded model. */
  spec?: string;
  /** Base of a relative folder in `spec`; default: the process's working folder. */
  cwd?: string;
  /** Execution providers that beat `model.executionProvider` (CLI `--ep`). */
  executionProviders?: readonly ExecutionProviderName[];
}

export class ModelHost implements TacticSource {
  private current: { key: string; model: TacticModel } | null = null;

  constructor(
    private readonly settings: () => LlemmaSettings,
    private readonly overrides: ModelOverrides = {},
  ) {}

  /** The model's tactics for a proof state, best first, distinct. Throws LlemmaError(ModelError) when it cannot. */
  async proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]> {
    const model = await this.ensure();
    try {
      await this.describe();
      return await model.proposeTactics(context, budget);
    } catch (err) {
      if (budget.signal?.aborted) throw new LlemmaError(LlemmaErrorCode.Cancelled, 'The request was cancelled.');
      if (err instanceof LlemmaError) throw err;
      throw new LlemmaError(LlemmaErrorCode.ModelError, `The model failed: ${(err as Error).message}`);
    }
  }

  /** Which model answers, on which provider, with which prompt format (loads the model if needed). */
  async describe(): Promise<ModelDescription> {
    const model = await this.ensure();
    try {
      return await model.describe();
    } catch (err) {
      throw new LlemmaError(LlemmaErrorCode.ModelError, `The model could not be loaded: ${(err as Error).message}`);
    }
  }

  /** Drops the model when the settings that choose it changed; the next request loads the new one. */
  async settingsChanged(): Promise<void> {
    if (this.current && this.current.key !== this.keyOf(this.settings())) await this.dispose();
  }

  async dispose(): Promise<void> {
    const current = this.current;
    this.current = null;
    await current?.model.dispose();
  }

  private keyOf(s: LlemmaSettings): string {
    return `${s['model.path']}\u0000${s['model.executionProvider']}\u0000${s['model.generationGraph']}`;
  }

  private async ensure(): Promise<TacticModel> {
    const settings = this.settings();
    const key = this.keyOf(settings);
    if (this.current?.key === key) return this.current.model;
    await this.dispose();
    const configured = settings['model.path'].trim();
    const fallback =
      this.overrides.spec ??
      (existsSync(path.join(embeddedModelFolder, 'model.onnx')) ? embeddedModelFolder : undefined);
    if (!configured && !fallback) {
      throw new LlemmaError(
        LlemmaErrorCode.ModelError,
        `No model: none is configured (${remedy.setting('model.path')}) and there is no embedded model at ${embeddedModelFolder}.`,
      );
    }
    const executionProviders = this.overrides.executionProviders ?? this.providersOf(settings);
    const graphMode = settings['model.generationGraph'].trim() || 'auto';
    if (!isGenerationGraphMode(graphMode)) {
      throw new LlemmaError(
        LlemmaErrorCode.ModelError,
        `Unknown generation-graph mode ${graphMode} (${remedy.setting('model.generationGraph')}): use ${generationGraphModes.join(', ')}.`,
      );
    }
    const { ModelSpecError, TacticModel } = await import('../model/src/index');
    let model: TacticModel;
    try {
      model = TacticModel.fromSpec(configured || fallback!, {
        // The server's working folder means nothing to the user: a configured folder must be absolute.
        cwd: configured ? null : this.overrides.cwd,
        sessionOptions: { executionProviders },
        generationGraph: graphMode,
      });
    } catch (err) {
      if (err instanceof ModelSpecError && err.kind === 'relativeFolder') {
        throw new LlemmaError(
          LlemmaErrorCode.ModelError,
          `The model (${remedy.setting('model.path')}) must be an absolute folder path or an http(s) URL (got ${configured}).`,
        );
      }
      throw new LlemmaError(LlemmaErrorCode.ModelError, (err as Error).message);
    }
    this.current = { key, model };
    return model;
  }

  /** `model.executionProvider` as providers to try: `auto`, or a list. */
  private providersOf(settings: LlemmaSettings): 'auto' | readonly ExecutionProviderName[] {
    const { providers, unknown } = readExecutionProviders(settings['model.executionProvider']);
    if (unknown.length > 0) {
      throw new LlemmaError(
        LlemmaErrorCode.ModelError,
        `Unknown execution provider ${unknown.join(', ')} (${remedy.setting('model.executionProvider')}): use auto, or a list of ${executionProviderNames.join(', ')}.`,
      );
    }
    return providers.length > 0 ? providers : 'auto';
  }
}
