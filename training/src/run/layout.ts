/**
 * Where a run's files are: the training workspace and the repository, the data folder, the run's out folder
 * (out/<run>/) and the files in it that one stage writes and a later one (or the model card) reads, and the model
 * folder. Each name is spelled here once; a stage's scratch files stay inside the stage.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RunConfig, TrainingConfig } from './config';

/** The training workspace's folder (holds package.json) and the repository root above it. */
export const workspaceDir = path.resolve(import.meta.dirname, '..', '..');
export const repoDir = path.resolve(workspaceDir, '..');

/** A config path relative to `base` unless absolute. */
export function resolveIn(base: string, p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(base, p);
}

/** The data folder: the config's, else $LLEMMA_DATA_DIR, else ../shared/data beside the repository. */
export function resolveDataDir(config: TrainingConfig, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = config.dataDir
    ? [config.dataDir]
    : [env['LLEMMA_DATA_DIR'], path.resolve(repoDir, '..', 'shared', 'data')];
  const found = candidates.find((d): d is string => typeof d === 'string' && d !== '' && existsSync(d));
  if (!found) {
    throw new Error(
      `no data folder: tried ${candidates.filter(Boolean).join(', ')} (set LLEMMA_DATA_DIR or "dataDir" in the config)`,
    );
  }
  return path.resolve(found);
}

/** out/<run>: every stage's files. */
export function runDirOf(config: TrainingConfig): string {
  return path.join(resolveIn(workspaceDir, config.outDir), config.run);
}

/** The files of a run's out folder that are read after the stage that writes them. */
export function runFiles(runDir: string) {
  const train = path.join(runDir, 'train');
  return {
    /** The data stage's report.json (its `outputs` name the tactic files and mixture shards: dataOutputs). */
    dataReport: path.join(runDir, 'report.json'),
    tokenizer: path.join(runDir, 'tokenizer.json'),
    tokenizerReport: path.join(runDir, 'tokenizer-report.json'),
    pack: path.join(runDir, 'pack'),
    packIndex: path.join(runDir, 'pack', 'index.json'),
    /** The trainer's folder: run.json (its config), loss.jsonl, summary.json, checkpoints/. */
    train,
    trainerConfig: path.join(train, 'run.json'),
    trainSummary: path.join(train, 'summary.json'),
    lossLog: path.join(train, 'loss.jsonl'),
    lossPng: path.join(train, 'loss.png'),
    /** The export stage's scratch folder and its check (export.json). */
    export: path.join(runDir, 'export'),
    exportReport: path.join(runDir, 'export', 'export.json'),
    evalReport: path.join(runDir, 'eval.json'),
  };
}

/** What the data stage wrote for this run (report.json's `outputs`), checked to exist. */
export function dataOutputs(runDir: string): { tacticsTrain: string; tacticsHeldOut: string; mixture: string[] } {
  const reportFile = runFiles(runDir).dataReport;
  if (!existsSync(reportFile)) throw new Error(`${reportFile} is missing: run "llemma-train data" first`);
  const outputs = JSON.parse(readFileSync(reportFile, 'utf8')).outputs as {
    tacticsTrain: string;
    tacticsHeldOut: string;
    mixture: string[];
  };
  const abs = (f: string) => path.resolve(runDir, f);
  return {
    tacticsTrain: abs(outputs.tacticsTrain),
    tacticsHeldOut: abs(outputs.tacticsHeldOut),
    mixture: outputs.mixture.map(abs),
  };
}

/** The model folder the export writes and eval (and `index.modelFolder`) read: export.folder, else out/<run>/model. */
export function modelFolder(run: RunConfig): string {
  const f = run.stages.export.folder;
  return f ? resolveIn(workspaceDir, f) : path.join(run.runDir, 'model');
}
