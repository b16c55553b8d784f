/**
 * The server's one candidate generator, and server/'s one door to `model/`: the merged tactic source (retrieval, the
 * model and the decision procedures, as `model.sources` says) made from the settings on first use and replaced when
 * `model.path`, `model.executionProvider`, `model.generationGraph` or `model.sources` changes. The model runtime is
 * imported lazily, so a server that only shows goals never loads ONNX Runtime; what model/ says goes out as plain
 * data, and its errors as LlemmaError(ModelError). Prompts and completions stay inside model/.
 */

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type {
  MergedTacticSource,
  ProposedTactic,
  TacticBudget,
  TacticSource,
  TacticSourceDescription,
} from '@llemma/model';
import { autoTacticSources, type ExecutionProviderName } from '@llemma/model/choices';
import type { ProofContext } from '@llemma/model/prompts';
import { LlemmaErrorCode, type LlemmaSettings } from '../protocol';
import { LlemmaError } from './errors';
import { remedy } from './remedies';

export type { ProposedTactic, TacticBudget, TacticSource } from '@llemma/model';
// The model's types the rest of server/ programs against; its vocabulary (`@llemma/model/choices`, which imports
// nothing) the rest of server/ imports by name itself.
export type { ProofContext } from '@llemma/model/prompts';

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
  private current: { key: string; model: MergedTacticSource } | null = null;

  constructor(
    private readonly settings: () => LlemmaSettings,
    private readonly overrides: ModelOverrides = {},
  ) {}

  /**
   * The tactics of every source for a proof state, merged: best first, distinct, each with its source(s). Throws
   * LlemmaError(ModelError) when it cannot.
   */
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

  /** Which model and sources answer, on which provider, with which prompt format (loads the model if needed). */
  async describe(): Promise<TacticSourceDescription> {
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
    return JSON.stringify([
      s['model.path'],
      s['model.executionProvider'],
      s['model.generationGraph'],
      s['model.sources'],
    ]);
  }

  private async ensure(): Promise<MergedTacticSource> {
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
    // Settings arrive checked against their schema (protocol/settings.ts): the provider list and the mode are typed.
    const executionProviders = this.overrides.executionProviders ?? settings['model.executionProvider'];
    const sources = settings['model.sources'];
    // The embedded model: no folder or server named in the settings, on the command line or in the environment.
    const embedded = !configured && this.overrides.spec === undefined;
    const { ModelSpecError, MergedTacticSource } = await import('@llemma/model');
    let model: MergedTacticSource;
    try {
      model = MergedTacticSource.fromSpec(configured || fallback!, {
        // The server's working folder means nothing to the user: a configured folder must be absolute.
        cwd: configured ? null : this.overrides.cwd,
        sessionOptions: { executionProviders },
        generationGraph: settings['model.generationGraph'],
        sources: sources === 'auto' ? autoTacticSources(embedded) : sources,
        ...(sources === 'auto' && embedded
          ? {
              notAsked: ['model: the embedded one is asked only when listed (llemma.model.sources, --sources)'],
            }
          : {}),
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
}
