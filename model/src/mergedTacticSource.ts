// The candidate generator of suggestions and proof search: retrieval (the model folder's retrieval.bin), the file
// above the proof (retrieval/fileSource.ts), the neural model and the decision procedures, asked at once, their
// candidates put on one calibrated scale (sources.json), merged, de-duplicated and ranked (mergeCandidates.ts), each
// tagged with its source(s). Retrieval and the file answer in a few milliseconds on this thread while the model
// generates in its worker, so the merge costs about what the model costs alone.

import { type CreateGeneratorOptions, parseModelSpec } from './generatorFactory';
import { mergeCandidates, type SourceCandidates } from './mergeCandidates';
import { type TacticSourceName, tacticSourceNames } from './modelChoices';
import { ProcedureSource } from './procedures';
import type { ProofContext } from './prompts';
import { FileSource } from './retrieval/fileSource';
import { LazyRetrieval } from './retrieval/loadRetrieval';
import { RetrievalSource } from './retrieval/retrievalSource';
import { modelScore, readSourceTables, type SourceTables, stepKind } from './sourceTables';
import { TacticModel } from './tacticModel';
import type { ProposedTactic, TacticBudget, TacticSource, TacticSourceDescription } from './tacticSource';

/** A source that can also be let go of (the model's worker or HTTP client). */
interface ModelPart extends TacticSource {
  dispose(): Promise<void>;
}

export interface MergedParts {
  /** Retrieval; `available` says whether the folder has an index (absent: it has). */
  retrieval?: TacticSource & { available?(): Promise<boolean> };
  /** The pairs of the file above the proof (the context's `fileExamples`). */
  file?: TacticSource;
  model?: ModelPart;
  procedures?: ProcedureSource;
  /** The tables that put the sources on one scale; read once, on the first request. */
  tables: () => Promise<SourceTables>;
  /** What `describe()` names as the source when no model is asked: the model folder, or the server's URL. */
  origin: string;
  /** Sources asked for that cannot be had at all, each with the reason. */
  unavailable?: string[];
}

export interface MergedOptions extends CreateGeneratorOptions {
  /** The sources to ask (default: all of `tacticSourceNames`). */
  sources?: readonly TacticSourceName[];
  /** Sources left out of `sources` on purpose, each with the reason, for `describe()`. */
  notAsked?: readonly string[];
}

export class MergedTacticSource implements TacticSource {
  private tablesRead: Promise<SourceTables> | undefined;

  constructor(private readonly parts: MergedParts) {}

  /**
   * The merged generator for a model spec: a folder gives retrieval (its retrieval.bin, if any), the model and its
   * sources.json; a server URL gives the model, and the default tables. Nothing is loaded yet.
   */
  static fromSpec(spec: string, options: MergedOptions = {}): MergedTacticSource {
    const wanted = options.sources ?? tacticSourceNames;
    const parsed = parseModelSpec(spec, options.cwd);
    const folder = parsed.kind === 'folder' ? parsed.folder : undefined;
    const tables = async () => (await readSourceTables(folder)).tables;
    let tablesRead: Promise<SourceTables> | undefined;
    const once = () => {
      tablesRead ??= tables();
      return tablesRead;
    };
    return new MergedTacticSource({
      ...(wanted.includes('retrieval') && folder ? { retrieval: new RetrievalSource(new LazyRetrieval(folder)) } : {}),
      ...(wanted.includes('file') ? { file: new FileSource(async () => (await once()).file) } : {}),
      ...(wanted.includes('model') ? { model: TacticModel.fromSpec(spec, options) } : {}),
      ...(wanted.includes('procedures')
        ? { procedures: new ProcedureSource(async () => (await once()).procedures) }
        : {}),
      tables: once,
      origin: folder ?? (parsed.kind === 'url' ? parsed.baseUrl : spec),
      unavailable: [
        ...(wanted.includes('retrieval') && !folder
          ? ['retrieval: a model server has no model folder, so no retrieval.bin']
          : []),
        ...(options.notAsked ?? []),
      ],
    });
  }

  private tables(): Promise<SourceTables> {
    this.tablesRead ??= this.parts.tables();
    return this.tablesRead;
  }

  async proposeTactics(context: ProofContext, budget: TacticBudget): Promise<ProposedTactic[]> {
    const { retrieval, file, model, procedures } = this.parts;
    // The model alone is the Llemma search as it was: its own scores, nothing to put on a common scale.
    if (model && !retrieval && !file && !procedures) return model.proposeTactics(context, budget);
    // Retrieval's index, the file's pairs, the procedures and the score tables are Lean's: a state from Isabelle gets
    // the model alone.
    if (context.prover === 'isabelle') return model ? proposeOrNone(model, context, budget) : [];
    const tables = await this.tables();
    const step = stepKind(context);
    // The model first: it generates in its worker (or on its server) while retrieval runs here.
    const fromModel = model ? proposeOrNone(model, context, budget) : Promise.resolve([]);
    const lists: Promise<SourceCandidates>[] = [
      fromModel.then((tactics) => ({
        source: 'model' as const,
        tactics: tactics.map((t) => ({
          ...t,
          score: modelScore(tables.model, t.rank, step),
          source: 'model' as const,
        })),
      })),
    ];
    if (retrieval)
      lists.push(retrieval.proposeTactics(context, budget).then((tactics) => ({ source: 'retrieval', tactics })));
    if (file) lists.push(file.proposeTactics(context, budget).then((tactics) => ({ source: 'file', tactics })));
    if (procedures) {
      lists.push(procedures.proposeTactics(context, budget).then((tactics) => ({ source: 'procedures', tactics })));
    }
    const answered = await Promise.all(lists);
    budget.signal?.throwIfAborted();
    return mergeCandidates(answered, budget.candidates, tables.merge);
  }

  async describe(): Promise<TacticSourceDescription> {
    const { retrieval, file, model, procedures } = this.parts;
    const sources: TacticSourceName[] = [];
    const skippedSources: string[] = [...(this.parts.unavailable ?? [])];
    if (retrieval) {
      if ((await retrieval.available?.()) ?? true) sources.push('retrieval');
      else skippedSources.push('retrieval: the model folder has no retrieval.bin');
    }
    if (file) sources.push('file');
    if (model) sources.push('model');
    if (procedures) {
      if ((await this.tables()).procedures.length > 0) sources.push('procedures');
      else skippedSources.push('procedures: none are listed');
    }
    const base: TacticSourceDescription = model
      ? await model.describe()
      : { source: this.parts.origin, provider: 'none', promptFormat: 'none' };
    return { ...base, sources, ...(skippedSources.length > 0 ? { skippedSources } : {}) };
  }

  async dispose(): Promise<void> {
    await this.parts.model?.dispose();
  }
}

/**
 * The model's tactics, or none when the prompt does not fit its context (a RangeError): the other sources still
 * answer for a goal too long for a small model. Every other failure is the caller's to see.
 */
async function proposeOrNone(
  model: TacticSource,
  context: ProofContext,
  budget: TacticBudget,
): Promise<ProposedTactic[]> {
  try {
    return await model.proposeTactics(context, budget);
  } catch (err) {
    if (err instanceof RangeError || (err as Error).name === 'RangeError') return [];
    throw err;
  }
}
