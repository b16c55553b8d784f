/**
 * `llemma-train eval-sources`: every candidate source on every held-out step of the run (first steps and all steps,
 * of `evalSources.sources`; a seeded sample of `evalSources.maxSteps` for a quick check), top-1/8/32 exact match,
 * paired sign tests against the frequency list and against retrieval alone, and the time for 32 candidates. The
 * sources: the frequency lists, retrieval, retrieval filled up with the frequency list, the file source (the same
 * file's goal-known pairs above the step's declaration), the neural model (the model folder's, through the product's
 * TacticModel: beam 32; unless `evalSources.model` is false), the decision procedures and the merged generator (the
 * product's MergedTacticSource with the folder's sources.json): retrieval and the procedures (the default before the
 * file source), with the file too (the default for the embedded model), and with the model as well. `evalSources.steps: "first"` takes first steps only. With
 * `evalSources.split: "heldaside"` it measures on the held-aside training files instead, with every index built from
 * the other training files: that is where variants are chosen, so the held-out split is only read to report. Writes
 * out/<run>/<sourcesReportName>.{json,md}; no model folder or model card is touched (run/ writes the card's block
 * when `evalSources.card` asks).
 */
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  buildRetrievalIndex,
  type RetrievalIndex,
  readRetrievalIndex,
  readSourceTables,
  TacticModel,
  type TacticSource,
} from '@llemma/model';
import { isHeldAside } from '../data/tacticExamples';
import type { RunConfig } from '../run/config';
import { dataOutputs, modelFolder } from '../run/layout';
import {
  type CandidateSource,
  contextIndex,
  fileExamplesOf,
  fileSource,
  filledSource,
  frequencySource,
  mergedSource,
  modelSource,
  proceduresSource,
  retrievalSource,
} from './candidateSources';
import { cutoffs, figures, paired, runSources } from './compare';
import { markdownSourcesReport, type SourcesReport, type StepSet } from './sourcesReport';
import { readStepContexts } from './stepContexts';
import { type EvalStep, readSteps, sample } from './steps';

export async function runEvalSourcesStage(
  run: RunConfig,
  log: (line: string) => void = () => {},
): Promise<SourcesReport> {
  const started = performance.now();
  const cfg = run.stages.evalSources;
  const indexCfg = run.stages.index;
  const outputs = dataOutputs(run.runDir);
  const format = run.data.data.tactics.promptFormat;
  const inSources = (s: EvalStep) => cfg.sources.length === 0 || cfg.sources.includes(s.source);
  const indexed = (s: EvalStep) => indexCfg.sources.length === 0 || indexCfg.sources.includes(s.source);
  // Inline tactics (not steps) are known goals to index, but neither steps to evaluate nor frequencies to count.
  const trainingRows = await readSteps(outputs.tacticsTrain, format, []);
  const training = trainingRows.filter((s) => !s.inline);
  const aside = (s: EvalStep) => isHeldAside(s, indexCfg.heldAsideFraction, run.data.seed);
  const tuning = cfg.split === 'heldaside';
  const known = tuning ? training.filter((s) => !aside(s)) : training;
  const wantedStep = (s: EvalStep) => !s.inline && (cfg.steps === 'all' || s.step === 0);
  // Every row of the files evaluated, inline ones too: the file source's pairs above each step come from them.
  const evaluatedFiles = tuning
    ? trainingRows.filter((s) => aside(s) && inSources(s))
    : await readSteps(outputs.tacticsHeldOut, format, cfg.sources);
  const all = evaluatedFiles.filter(wantedStep);
  const evaluated = sample(all, cfg.maxSteps, run.data.seed);
  log(
    `eval-sources: ${evaluated.length} steps (${cfg.split}${evaluated.length < all.length ? `, a sample of ${all.length}` : ''}), ` +
      `${known.length} training steps known`,
  );

  let goals: RetrievalIndex;
  let index: SourcesReport['index'];
  const loaded = await readRetrievalIndex(run.runDir);
  if (tuning) {
    const examples = known
      .filter((s) => s.goal !== null && indexed(s))
      .map(
        (s) =>
          ({ goal: s.goal as string, tactic: s.gold, step: s.step === 0 && !s.inline ? 'first' : 'later' }) as const,
      );
    // The run's score table, so that retrieval's scores are on the scale the merged generator merges on.
    goals = buildRetrievalIndex(examples, indexCfg.retrieval, loaded?.index.tables.calibration);
    index = { file: '(built in memory from the training files not held aside)', entries: goals.size, provenance: {} };
  } else {
    if (!loaded) throw new Error(`${run.runDir}/retrieval.bin is missing: run "llemma-train index" first`);
    goals = loaded.index;
    index = { file: path.join(run.runDir, 'retrieval.bin'), entries: goals.size, provenance: loaded.provenance };
  }
  const context = contextIndex(known.filter(indexed), cfg.unknownGoal, indexCfg.retrieval);
  const frequency = frequencySource(known.filter(inSources), 32);
  const retrieval = retrievalSource(goals, { query: cfg.unknownGoal, index: context });

  // The model folder's model, procedures and tables: the merged generator as the product runs it.
  const folder = modelFolder(run);
  const { tables, from } = await readSourceTables(existsSync(folder) ? folder : undefined);
  const examples = fileExamplesOf(evaluatedFiles);
  const sources: CandidateSource[] = [
    frequency,
    retrieval,
    filledSource(retrieval, frequency, 'retrieval+frequency'),
    fileSource(examples, tables.file),
  ];
  const hasModel = cfg.model && existsSync(path.join(folder, 'model.onnx'));
  const model = hasModel
    ? TacticModel.fromSpec(folder, { sessionOptions: { executionProviders: ['cpu'] } })
    : undefined;
  let modelInfo: SourcesReport['model'];
  let asked: TacticSource | undefined;
  try {
    const contexts = model
      ? await readStepContexts(tuning ? outputs.tacticsTrain : outputs.tacticsHeldOut, format, evaluated)
      : new Map();
    const evaluatedIndex = new Map(evaluated.map((s, i) => [s, i]));
    const contextOf = (step: EvalStep) => contexts.get(evaluatedIndex.get(step) ?? -1);
    // Asked again by the merged generator (not from a memo): its row's time is the whole generator's, model included.
    asked = model;
    if (asked) {
      modelInfo = { folder, tables: from, contexts: contexts.size };
      log(`eval-sources: the model of ${folder} on ${contexts.size} steps whose prompt reads back into a context`);
      sources.push(modelSource(asked, contextOf));
    } else {
      log(
        `eval-sources: ${cfg.model ? `${folder} has no model.onnx` : 'evalSources.model is false'}: no model row, and the merged generator without the model`,
      );
    }
    sources.push(proceduresSource(tables));
    // Without the model: the product's default for the embedded model (docs/search.md), and the same without the file
    // (what the file adds); with the model, beside.
    sources.push(mergedSource({ retrieval, model: undefined, context: contextOf }, tables, 'retrieval+procedures'));
    sources.push(
      mergedSource(
        { retrieval, file: examples, model: undefined, context: contextOf },
        tables,
        'retrieval+file+procedures',
      ),
    );
    if (asked) sources.push(mergedSource({ retrieval, file: examples, model: asked, context: contextOf }, tables));
  } catch (err) {
    await model?.dispose();
    throw err;
  }
  const runs = await runSources(sources, evaluated, log).finally(() => model?.dispose());

  const every = evaluated.map((_, i) => i);
  const sets: StepSet[] = (
    [
      ['first steps', every.filter((i) => evaluated[i]?.step === 0)],
      ...(cfg.steps === 'all' ? [['all steps', every] as const] : []),
    ] as const
  ).map(([name, subset]) => ({
    name,
    steps: subset.length,
    goalKnown: subset.filter((i) => evaluated[i]?.goal !== null).length,
    sources: runs.map((r) => figures(r, subset)),
    paired: runs
      .slice(1)
      .flatMap((r) =>
        runs
          .filter((o) => o !== r && (o.name === frequency.name || o.name === retrieval.name))
          .flatMap((o) => cutoffs.map((k) => paired(r, o, subset, k))),
      ),
  }));
  const report: SourcesReport = {
    run: run.data.run,
    split: cfg.split,
    sources: cfg.sources,
    unknownGoal: cfg.unknownGoal,
    index,
    ...(modelInfo ? { model: modelInfo } : {}),
    ...(evaluated.length < all.length ? { sampledFrom: all.length } : {}),
    sets,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    steps: evaluated.map((s) => ({ path: s.path, theorem: s.theorem, line: s.line, step: s.step })),
    ranks: Object.fromEntries(runs.map((r) => [r.name, [...r.ranks]])),
  };
  const base = path.join(run.runDir, sourcesReportName(cfg));
  writeFileSync(`${base}.json`, `${JSON.stringify(report)}\n`);
  writeFileSync(`${base}.md`, markdownSourcesReport(report));

  return report;
}

/** The report's file name without extension: `eval-sources`, with `-heldaside`, `-first`, `-nomodel` as configured. */
export function sourcesReportName(cfg: RunConfig['stages']['evalSources']): string {
  return `eval-sources${cfg.split === 'heldaside' ? '-heldaside' : ''}${cfg.steps === 'first' ? '-first' : ''}${cfg.model ? '' : '-nomodel'}`;
}

/** The headline lines for the terminal; the report's Markdown (`name`.md, sourcesReportName) has the rest. */
export function describeSources(r: SourcesReport, name: string): string {
  const lines = r.sets.map((set) => {
    const cells = set.sources.map(
      (s) =>
        `${s.name} ${((100 * s.hits.top1) / set.steps).toFixed(1)}/${((100 * s.hits.top8) / set.steps).toFixed(1)}/${((100 * s.hits.top32) / set.steps).toFixed(1)} %`,
    );
    return `${set.name} (${set.steps}), top-1/8/32: ${cells.join('; ')}`;
  });
  return [...lines, `wrote out/${path.join(r.run, `${name}.md`)} (${r.seconds} s)`].join('\n');
}
