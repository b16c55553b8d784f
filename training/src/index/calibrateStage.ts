/**
 * `llemma-train calibrate`: how the merged generator ranks, as `sources.json` (docs/model-format.md). It chooses the
 * decision procedures from the training files that are not held aside (procedures.ts), runs retrieval (an index of
 * those same files, with the run's score table) and the model folder's neural model (the product's TacticModel,
 * beam 32) on a sample of held-aside steps, half first steps and half later ones, and fits the model's table by rank
 * and each procedure's rate there (sourceCalibration.ts). The file source (the pairs of the same file above each
 * step) needs no model: its table by rank is fitted on every held-aside step whose goal is known. The merge rule is chosen on the same sample by two-fold
 * cross-fitting over files (tables fitted on one half of the files, every source and rule measured on the other),
 * and those figures are the report's; the tables written are then fitted on the whole sample. The held-out split is
 * not read. Writes out/<run>/sources.json and calibrate.{json,md}, and sources.json into the model folder with
 * `index.modelFolder`.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  buildRetrievalIndex,
  type MergeRule,
  mergeCandidates,
  mergeRules,
  modelScore,
  type ProposedTactic,
  readRetrievalIndex,
  readSourceTables,
  type SourceTables,
  sourceTablesFileName,
  TacticModel,
  tacticKey,
} from '@llemma/model';
import { unitInterval } from '../data/hashing';
import { isHeldAside } from '../data/tacticExamples';
import { contextIndex, fileExamplesOf, fileSource, modelTactics, retrievalSource } from '../eval/candidateSources';
import { signTestP } from '../eval/firstTactics';
import { readStepContexts } from '../eval/stepContexts';
import { type EvalStep, readSteps, sample } from '../eval/steps';
import type { RunConfig } from '../run/config';
import { dataOutputs, modelFolder } from '../run/layout';
import { formatJson } from '../util/formatJson';
import { type CalibrateReport, type CalibrateSet, markdownCalibrateReport } from './calibrateReport';
import { rankProcedures } from './procedures';
import { fitModelTable, fitProcedureScores } from './sourceCalibration';

/** One sampled held-aside step with every source's answer (the model's before calibration). */
interface Answered {
  step: EvalStep;
  fold: 0 | 1;
  retrieval: ProposedTactic[];
  model: ProposedTactic[];
  /** The file source's candidates, scored by the run's table (re-scored by rank with each fold's). */
  file: ProposedTactic[];
}

const depth = 32;

export async function runCalibrateStage(
  run: RunConfig,
  log: (line: string) => void = () => {},
): Promise<CalibrateReport> {
  const started = performance.now();
  const cfg = run.stages.calibrate;
  const indexCfg = run.stages.index;
  const outputs = dataOutputs(run.runDir);
  const format = run.data.data.tactics.promptFormat;
  const folder = modelFolder(run);
  if (!existsSync(path.join(folder, 'model.onnx'))) {
    throw new Error(`${folder} has no model.onnx: calibrate measures the model folder's model (run "export" first)`);
  }
  const loaded = await readRetrievalIndex(run.runDir);
  if (!loaded) throw new Error(`${run.runDir}/retrieval.bin is missing: run "llemma-train index" first`);

  const rows = await readSteps(outputs.tacticsTrain, format, []);
  const aside = (s: EvalStep) => isHeldAside(s, indexCfg.heldAsideFraction, run.data.seed);
  const indexed = (s: EvalStep) => indexCfg.sources.length === 0 || indexCfg.sources.includes(s.source);
  const inSources = (s: EvalStep) => run.stages.evalSources.sources.includes(s.source);
  const known = rows.filter((s) => !aside(s));
  const ranking = rankProcedures(known, cfg.procedures);
  const chosen = ranking.filter((r) => r.chosen).map((r) => r.tactic);
  log(`calibrate: ${chosen.length} procedures: ${chosen.join(', ')}`);

  const heldAside = rows.filter((s) => !s.inline && aside(s) && inSources(s));
  const half = Math.floor(cfg.steps / 2);
  const sampled = [
    ...sample(
      heldAside.filter((s) => s.step === 0),
      half,
      run.data.seed,
    ),
    ...sample(
      heldAside.filter((s) => s.step > 0),
      cfg.steps - half,
      run.data.seed,
    ),
  ];
  const goals = buildRetrievalIndex(
    known
      .filter((s) => s.goal !== null && indexed(s))
      .map((s) => ({ goal: s.goal as string, tactic: s.gold, step: s.step === 0 && !s.inline ? 'first' : 'later' })),
    indexCfg.retrieval,
    loaded.index.tables.calibration,
  );
  const training = known.filter((s) => !s.inline && indexed(s));
  const unknown = run.stages.evalSources.unknownGoal;
  const retrieval = retrievalSource(goals, {
    query: unknown,
    index: contextIndex(training, unknown, indexCfg.retrieval),
  });
  // The file source on every held-aside step (it needs no model), by rank: what its table is fitted on.
  const inFile = fileSource(
    fileExamplesOf(rows.filter((s) => aside(s) && inSources(s))),
    (await readSourceTables(undefined)).tables.file,
  );
  const fileAnswers = new Map<EvalStep, ProposedTactic[]>();
  for (const s of heldAside) fileAnswers.set(s, await inFile.ranked(s, depth));
  const contexts = await readStepContexts(outputs.tacticsTrain, format, sampled);
  log(`calibrate: ${sampled.length} held-aside steps sampled (${contexts.size} with a context for the model)`);

  // Two halves of the files, by a hash of their own (not the held-out or held-aside hash).
  const foldOf = (s: EvalStep) =>
    unitInterval(`${s.source}/${s.path}`, (run.data.seed ^ 0x666f6c64) >>> 0) < 0.5 ? 0 : 1;
  const model = TacticModel.fromSpec(folder, { sessionOptions: { executionProviders: ['cpu'] } });
  const answered: Answered[] = [];
  try {
    for (const [i, step] of sampled.entries()) {
      answered.push({
        step,
        fold: foldOf(step),
        retrieval: retrieval
          .scored(step, depth)
          .map((t, rank) => ({ tactic: t.tactic, score: t.score, rank, source: 'retrieval' })),
        model: await modelTactics(model, contexts.get(i), depth),
        file: fileAnswers.get(step) ?? [],
      });
      if ((i + 1) % 200 === 0) log(`calibrate: ${i + 1}/${sampled.length}`);
    }
  } finally {
    await model.dispose();
  }

  // Procedure rates from every held-aside step of the fitting files (they need no model), not only the sample's.
  const kindOf = (s: EvalStep) => (s.step === 0 ? ('first' as const) : ('later' as const));
  const fileRanks = (files: (s: EvalStep) => boolean) =>
    [...fileAnswers].flatMap(([s, tactics]) =>
      files(s)
        ? tactics.map((t) => ({ rank: t.rank, step: kindOf(s), right: tacticKey(t.tactic) === tacticKey(s.gold) }))
        : [],
    );
  const fit = (records: readonly Answered[], files: (s: EvalStep) => boolean, merge: MergeRule): SourceTables => ({
    formatVersion: 1,
    procedures: fitProcedureScores(
      chosen,
      heldAside.filter(files).map((s) => ({ gold: s.gold, step: kindOf(s) })),
    ),
    model: fitModelTable(
      records.flatMap((r) =>
        r.model.map((t) => ({
          rank: t.rank,
          step: kindOf(r.step),
          right: tacticKey(t.tactic) === tacticKey(r.step.gold),
        })),
      ),
    ).table,
    file: fitModelTable(fileRanks(files)).table,
    merge,
    provenance: {},
  });
  const ranks = new Map<string, number[]>();
  const record = (name: string, i: number, tactics: readonly { tactic: string }[]) => {
    const gold = tacticKey((answered[i] as Answered).step.gold);
    let list = ranks.get(name);
    if (!list) {
      list = new Array(answered.length).fill(-1);
      ranks.set(name, list);
    }
    list[i] = tactics.slice(0, depth).findIndex((t) => tacticKey(t.tactic) === gold);
  };
  for (const f of [0, 1] as const) {
    const tables = fit(
      answered.filter((a) => a.fold !== f),
      (s) => foldOf(s) !== f,
      'max',
    );
    for (const [i, a] of answered.entries()) {
      if (a.fold !== f) continue;
      const step = kindOf(a.step);
      const model = a.model.map((t) => ({ ...t, score: modelScore(tables.model, t.rank, step) }));
      const fromFileScored = a.file.map((t) => ({ ...t, score: modelScore(tables.file, t.rank, step) }));
      const procedures = tables.procedures
        .map((p) => ({ tactic: p.tactic, score: p.logProbability[step], rank: 0, source: 'procedures' as const }))
        .sort((x, y) => y.score - x.score);
      record('retrieval', i, a.retrieval);
      record('model', i, a.model);
      record('procedures', i, procedures);
      record('file', i, a.file);
      const fromRetrieval = { source: 'retrieval' as const, tactics: a.retrieval };
      const fromFile = { source: 'file' as const, tactics: fromFileScored };
      const fromProcedures = { source: 'procedures' as const, tactics: procedures };
      const lists = [fromRetrieval, fromFile, { source: 'model' as const, tactics: model }, fromProcedures];
      for (const rule of mergeRules) record(`merged (${rule})`, i, mergeCandidates(lists, depth, rule));
      // Without the model: what the neural model adds to the merge; without the file too: what the file adds.
      for (const rule of mergeRules) {
        record(
          `retrieval+file+procedures (${rule})`,
          i,
          mergeCandidates([fromRetrieval, fromFile, fromProcedures], depth, rule),
        );
      }
      record('retrieval+procedures', i, mergeCandidates([fromRetrieval, fromProcedures], depth, 'max'));
    }
  }
  const sets = (['first steps', 'later steps'] as const).map((name): CalibrateSet => {
    const subset = answered.flatMap((a, i) => ((a.step.step === 0) === (name === 'first steps') ? [i] : []));
    const within = (name_: string, k: number) =>
      subset.filter((i) => {
        const r = ranks.get(name_)?.[i] ?? -1;
        return r >= 0 && r < k;
      }).length;
    const variants = [...ranks.keys()].map((v) => ({
      name: v,
      top1: within(v, 1),
      top8: within(v, 8),
      top32: within(v, 32),
    }));
    const paired = variants
      .filter((v) => v.name !== 'retrieval')
      .map((v) => {
        const hit = (n: string, i: number) => {
          const r = ranks.get(n)?.[i] ?? -1;
          return r >= 0 && r < 8;
        };
        const sourceOnly = subset.filter((i) => hit(v.name, i) && !hit('retrieval', i)).length;
        const retrievalOnly = subset.filter((i) => hit('retrieval', i) && !hit(v.name, i)).length;
        return { source: v.name, sourceOnly, retrievalOnly, p: signTestP(sourceOnly, retrievalOnly) };
      });
    return { name, steps: subset.length, variants, paired };
  });
  // The rule with more top-8 hits over the whole sample; a tie keeps the simpler `max`.
  // Over the merge of every source and the embedded model's default (all but the model).
  const top8 = (rule: MergeRule) =>
    sets.reduce(
      (n, s) =>
        n +
        s.variants
          .filter((v) => v.name === `merged (${rule})` || v.name === `retrieval+file+procedures (${rule})`)
          .reduce((m, v) => m + v.top8, 0),
      0,
    );
  const merge: MergeRule = top8('noisyOr') > top8('max') ? 'noisyOr' : 'max';

  const modelFit = fitModelTable(
    answered.flatMap((r) =>
      r.model.map((t) => ({
        rank: t.rank,
        step: kindOf(r.step),
        right: tacticKey(t.tactic) === tacticKey(r.step.gold),
      })),
    ),
  );
  const tables: SourceTables = {
    ...fit(answered, () => true, merge),
    model: modelFit.table,
    provenance: {
      run: run.data.run,
      modelFolder: path.relative(path.dirname(run.runDir), folder),
      procedures:
        `bare tactics closing a goal on their own in ≥ ${cfg.procedures.minFiles} training files (not held aside), ` +
        `in ≥ ${Math.round(100 * cfg.procedures.minClosingShare)} % of their uses, most files first, at most ` +
        `${cfg.procedures.count}; excluded: ${cfg.procedures.exclude.join(', ') || 'none'}`,
      scores: `held-aside ${run.stages.evalSources.sources.join(', ') || 'all'} steps: ${heldAside.length} for the procedures and the file source (${[...fileAnswers.values()].filter((t) => t.length > 0).length} with candidates from their file), ${sampled.length} sampled for the model`,
      merge: `chosen by top-8 on the sample (all sources, and all but the model), cross-fitted over two halves of its files`,
      seed: run.data.seed,
    },
  };
  const evidence = new Map(ranking.map((r) => [r.tactic, r]));
  const file = path.join(run.runDir, sourceTablesFileName);
  writeFileSync(
    file,
    formatJson({
      ...tables,
      procedures: tables.procedures.map((p) => {
        const e = evidence.get(p.tactic);
        return { ...p, evidence: { files: e?.files, closing: e?.closing, closingShare: round(e?.closingShare ?? 0) } };
      }),
    }),
  );
  let modelFolderFile: string | undefined;
  if (indexCfg.modelFolder) {
    mkdirSync(folder, { recursive: true });
    modelFolderFile = path.join(folder, sourceTablesFileName);
    copyFileSync(file, modelFolderFile);
  }
  const report: CalibrateReport = {
    run: run.data.run,
    folder,
    heldAside: {
      steps: heldAside.length,
      sampled: {
        first: sampled.filter((s) => s.step === 0).length,
        later: sampled.filter((s) => s.step > 0).length,
      },
      withContext: contexts.size,
    },
    procedures: { ranking: ranking.slice(0, 60), chosen },
    model: modelFit,
    tables,
    sets,
    files: { sources: file, ...(modelFolderFile ? { modelFolder: modelFolderFile } : {}) },
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
  writeFileSync(path.join(run.runDir, 'calibrate.json'), formatJson(report));
  writeFileSync(path.join(run.runDir, 'calibrate.md'), markdownCalibrateReport(report));
  return report;
}

function round(x: number): number {
  return Number(x.toFixed(3));
}

/** The headline lines for the terminal; calibrate.md has the rest. */
export function describeCalibrate(r: CalibrateReport): string {
  const lines = r.sets.map((set) => {
    const cells = set.variants.map(
      (v) =>
        `${v.name} ${((100 * v.top1) / set.steps).toFixed(1)}/${((100 * v.top8) / set.steps).toFixed(1)}/${((100 * v.top32) / set.steps).toFixed(1)} %`,
    );
    return `held-aside ${set.name} (${set.steps}), top-1/8/32: ${cells.join('; ')}`;
  });
  return [
    `calibrate: ${r.procedures.chosen.length} procedures (${r.procedures.chosen.join(', ')}); merge rule ${r.tables.merge}`,
    ...lines,
    `wrote ${r.files.sources}${r.files.modelFolder ? ` and ${r.files.modelFolder}` : ''} (${r.seconds} s)`,
  ].join('\n');
}
