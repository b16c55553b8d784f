/**
 * `llemma-train eval-sources`: every candidate source on every held-out step of the run (first steps and all steps,
 * of `evalSources.sources`), top-1/8/32 exact match, paired sign tests against the frequency list and against
 * retrieval alone, and the time for 32 candidates. With `evalSources.split: "heldaside"` it measures on the held-aside
 * training files instead, with every index built from the other training files: that is where variants are chosen,
 * so the held-out split is only read to report. Writes out/<run>/eval-sources.{json,md} (…-heldaside.… when tuning);
 * no model folder or model card is touched.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildRetrievalIndex, type RetrievalIndex, readRetrievalIndex } from '@llemma/model';
import { isHeldAside } from '../data/tacticExamples';
import type { RunConfig, UnknownGoalQuery } from '../run/config';
import { dataOutputs } from '../run/layout';
import { type CandidateSource, contextGoal, filledSource, frequencySource, retrievalSource } from './candidateSources';
import { cutoffs, figures, paired, runSources } from './compare';
import { markdownSourcesReport, type SourcesReport, type StepSet } from './sourcesReport';
import { type EvalStep, readSteps } from './steps';

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
  const evaluated = tuning
    ? training.filter((s) => aside(s) && inSources(s))
    : (await readSteps(outputs.tacticsHeldOut, format, cfg.sources)).filter((s) => !s.inline);
  log(`eval-sources: ${evaluated.length} steps (${cfg.split}), ${known.length} training steps known`);

  let goals: RetrievalIndex;
  let index: SourcesReport['index'];
  if (tuning) {
    const examples = known
      .filter((s) => s.goal !== null && indexed(s))
      .map(
        (s) =>
          ({ goal: s.goal as string, tactic: s.gold, step: s.step === 0 && !s.inline ? 'first' : 'later' }) as const,
      );
    goals = buildRetrievalIndex(examples, indexCfg.retrieval);
    index = { file: '(built in memory from the training files not held aside)', entries: goals.size, provenance: {} };
  } else {
    const loaded = await readRetrievalIndex(run.runDir);
    if (!loaded) throw new Error(`${run.runDir}/retrieval.bin is missing: run "llemma-train index" first`);
    goals = loaded.index;
    index = { file: path.join(run.runDir, 'retrieval.bin'), entries: goals.size, provenance: loaded.provenance };
  }
  const context = contextIndex(known.filter(indexed), cfg.unknownGoal, indexCfg.retrieval);
  const frequency = frequencySource(known.filter(inSources), 32);
  const retrieval = retrievalSource(goals, { query: cfg.unknownGoal, index: context });
  const sources: CandidateSource[] = [frequency, retrieval, filledSource(retrieval, frequency, 'retrieval+frequency')];
  const runs = runSources(sources, evaluated, log);

  const all = evaluated.map((_, i) => i);
  const sets: StepSet[] = (
    [
      ['first steps', all.filter((i) => evaluated[i]?.step === 0)],
      ['all steps', all],
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
    sets,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    steps: evaluated.map((s) => ({ path: s.path, theorem: s.theorem, line: s.line, step: s.step })),
    ranks: Object.fromEntries(runs.map((r) => [r.name, [...r.ranks]])),
  };
  const base = path.join(run.runDir, tuning ? 'eval-sources-heldaside' : 'eval-sources');
  writeFileSync(`${base}.json`, `${JSON.stringify(report)}\n`);
  writeFileSync(`${base}.md`, markdownSourcesReport(report));
  return report;
}

/** Training steps keyed by what is known where the state is not (contextGoal), for queries on such steps. */
function contextIndex(
  steps: readonly EvalStep[],
  query: UnknownGoalQuery,
  params: RunConfig['stages']['index']['retrieval'],
): RetrievalIndex | undefined {
  if (query === 'none' || query === 'statement') return undefined;
  const examples = steps.flatMap((s) => {
    const goal = s.step > 0 ? contextGoal(s, query) : undefined;
    return goal === undefined ? [] : [{ goal, tactic: s.gold }];
  });
  return buildRetrievalIndex(examples, params);
}

/** The headline lines for the terminal; eval-sources.md has the rest. */
export function describeSources(r: SourcesReport): string {
  const lines = r.sets.map((set) => {
    const cells = set.sources.map(
      (s) =>
        `${s.name} ${((100 * s.hits.top1) / set.steps).toFixed(1)}/${((100 * s.hits.top8) / set.steps).toFixed(1)}/${((100 * s.hits.top32) / set.steps).toFixed(1)} %`,
    );
    return `${set.name} (${set.steps}), top-1/8/32: ${cells.join('; ')}`;
  });
  const file = path.join(r.run, r.split === 'heldout' ? 'eval-sources.md' : 'eval-sources-heldaside.md');
  return [...lines, `wrote out/${file} (${r.seconds} s)`].join('\n');
}
