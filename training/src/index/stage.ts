/**
 * `llemma-train index`: the retrieval index of a run (model/src/retrieval) from its training split's examples whose
 * goal is known, written as out/<run>/retrieval.bin and, with `index.modelFolder`, into the run's model folder,
 * where the runtime finds it (docs/model-format.md). Scores are calibrated first: an index of the training files
 * that are not held aside answers every held-aside goal, and how often each share of votes was right becomes the
 * score table (calibration.ts). The held-out split is not read.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  buildRetrievalIndex,
  encodeRetrievalIndex,
  type RetrievalIndex,
  type RetrievalParams,
  retrievalFileName,
} from '@llemma/model';
import { isHeldAside } from '../data/tacticExamples';
import { normalizeTactic } from '../eval/firstTactics';
import type { RunConfig } from '../run/config';
import { dataOutputs, modelFolder } from '../run/layout';
import { formatJson } from '../util/formatJson';
import { type CalibrationFit, fitCalibration } from './calibration';
import { type GoalExample, readGoalExamples, retrievalExample } from './goalExamples';

export interface IndexReport {
  file: string;
  /** The copy in the model folder, when index.modelFolder is set. */
  modelFolderFile?: string;
  sources: string[];
  params: RetrievalParams;
  counts: { examples: number; firstSteps: number; templates: number; terms: number; postings: number; bytes: number };
  calibration: CalibrationFit & { heldAsideExamples: number; indexedExamples: number };
  seconds: { read: number; calibrate: number; build: number };
}

/** Candidates per held-aside goal that the calibration looks at: as many as one search expansion asks for. */
const calibrationDepth = 32;

export async function runIndexStage(run: RunConfig, log: (line: string) => void = () => {}): Promise<IndexReport> {
  const cfg = run.stages.index;
  const outputs = dataOutputs(run.runDir);
  const format = run.data.data.tactics.promptFormat;
  let t0 = performance.now();
  const lap = () => {
    const s = Number(((performance.now() - t0) / 1000).toFixed(1));
    t0 = performance.now();
    return s;
  };
  const examples = await readGoalExamples(outputs.tacticsTrain, format, cfg.sources);
  const read = lap();
  log(`index: ${examples.length} training examples whose goal is known`);
  const aside = (e: GoalExample) => isHeldAside(e, cfg.heldAsideFraction, run.data.seed);
  const rest = examples.filter((e) => !aside(e));
  const heldAside = examples.filter(aside);
  const fit = calibrate(buildRetrievalIndex(rest.map(retrievalExample), cfg.retrieval), heldAside);
  const calibrate_ = lap();
  log(`index: calibrated on ${heldAside.length} held-aside goals (${rest.length} indexed)`);
  const index = buildRetrievalIndex(examples.map(retrievalExample), cfg.retrieval, fit.calibration);
  const bytes = encodeRetrievalIndex(index.tables, {
    run: run.data.run,
    examples: examples.length,
    sources: cfg.sources.join(', ') || 'all',
    seed: run.data.seed,
  });
  const file = path.join(run.runDir, retrievalFileName);
  writeFileSync(file, bytes);
  const build = lap();
  let modelFolderFile: string | undefined;
  if (cfg.modelFolder) {
    mkdirSync(modelFolder(run), { recursive: true });
    modelFolderFile = path.join(modelFolder(run), retrievalFileName);
    copyFileSync(file, modelFolderFile);
  }
  const t = index.tables;
  const report: IndexReport = {
    file,
    ...(modelFolderFile ? { modelFolderFile } : {}),
    sources: cfg.sources,
    params: cfg.retrieval,
    counts: {
      examples: examples.length,
      firstSteps: examples.filter((e) => e.step === 0 && !e.inline).length,
      templates: t.templates.length,
      terms: t.vocabulary.length,
      postings: t.postingEntry.length,
      bytes: bytes.byteLength,
    },
    calibration: { ...fit, heldAsideExamples: heldAside.length, indexedExamples: rest.length },
    seconds: { read, calibrate: calibrate_, build },
  };
  writeFileSync(path.join(run.runDir, 'index.json'), formatJson(report));
  return report;
}

/** The score table from an index's answers on goals it does not contain. */
export function calibrate(index: RetrievalIndex, heldAside: readonly GoalExample[]): CalibrationFit {
  const observations: { share: number; right: boolean }[] = [];
  for (const e of heldAside) {
    const gold = normalizeTactic(e.tactic);
    for (const c of index.query(e.goal, calibrationDepth, { step: retrievalExample(e).step })) {
      observations.push({ share: c.share, right: normalizeTactic(c.tactic) === gold });
    }
  }
  return fitCalibration(observations);
}

/** One line for people. */
export function describeIndex(r: IndexReport): string {
  const c = r.counts;
  return (
    `index: ${c.examples} goals (${c.firstSteps} first steps), ${c.templates} distinct tactics, ${c.terms} terms, ` +
    `${(c.bytes / 1e6).toFixed(1)} MB; calibrated on ${r.calibration.heldAsideExamples} held-aside goals; ` +
    `${(r.seconds.read + r.seconds.calibrate + r.seconds.build).toFixed(1)} s\nwrote ${r.file}` +
    (r.modelFolderFile ? ` and ${r.modelFolderFile}` : '')
  );
}
