/**
 * `llemma-train all`: data → index → tokenizer → pack → train → export → eval for one run config, each stage reading
 * what the previous one wrote under out/<run>/. The model folder (export.folder) ends with its MODEL_CARD.md, which
 * run/ writes after the export and again after the evaluation: the card reads every stage's records, so no stage
 * writes it.
 */
import { runDataStage } from '../data/pipeline';
import { describeEval, type EvalReport, runEvalStage } from '../eval/stage';
import { type ExportReport, runExportStage } from '../export/stage';
import { type IndexReport, runIndexStage } from '../index/stage';
import type { PackIndex } from '../pack/packIndex';
import { runPackStage } from '../pack/stage';
import { runTokenizerStage, type TokenizerReport } from '../tokenizer/stage';
import { runTrainStage, type TrainSummary } from '../train/stage';
import type { RunConfig } from './config';
import { writeModelCard } from './modelCard';

export interface AllResult {
  index: IndexReport;
  tokenizer: TokenizerReport;
  pack: PackIndex;
  train: TrainSummary;
  export: ExportReport;
  eval: EvalReport;
}

/** The export stage, then the model card (only once the export's logit check has passed). */
export async function exportModel(run: RunConfig, log: (line: string) => void = () => {}): Promise<ExportReport> {
  const report = await runExportStage(run, log);
  writeModelCard(run, report.folder);
  return report;
}

/** The eval stage, then the model card again, now with the evaluation's numbers. */
export async function evaluateModel(run: RunConfig, log: (line: string) => void = () => {}): Promise<EvalReport> {
  const report = await runEvalStage(run, log);
  writeModelCard(run, report.folder);
  return report;
}

export async function runAll(run: RunConfig, log: (line: string) => void): Promise<AllResult> {
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    log(`== ${name}`);
    const result = await f();
    log(`== ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return result;
  };
  await timed('data', () => runDataStage(run.data, { log }));
  const index = await timed('index', () => runIndexStage(run, log));
  const tokenizer = await timed('tokenizer', () => runTokenizerStage(run, log));
  const pack = await timed('pack', () => runPackStage(run, log));
  const train = await timed('train', () => runTrainStage(run, { log, fresh: true }));
  const exported = await timed('export', () => exportModel(run, log));
  const evaluation = await timed('eval', () => evaluateModel(run, log));
  log(describeEval(evaluation));
  return { index, tokenizer, pack, train, export: exported, eval: evaluation };
}
