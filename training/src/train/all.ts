/**
 * `llemma-train all`: data → index → tokenizer → pack → train → export → eval for one run config, each stage reading
 * what the previous one wrote under out/<run>/. The model folder (export.folder) ends with its MODEL_CARD.md.
 */
import { runDataStage } from '../data/pipeline';
import { describeEval, type EvalReport, runEvalStage } from '../eval/stage';
import { type ExportReport, runExportStage } from '../export/stage';
import { type IndexReport, runIndexStage } from '../index/stage';
import { type PackIndex, runPackStage } from '../pack/stage';
import { runTokenizerStage, type TokenizerReport } from '../tokenizer/stage';
import type { RunConfig } from './runConfig';
import { runTrainStage, type TrainSummary } from './stage';

export interface AllResult {
  index: IndexReport;
  tokenizer: TokenizerReport;
  pack: PackIndex;
  train: TrainSummary;
  export: ExportReport;
  eval: EvalReport;
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
  const exported = await timed('export', () => runExportStage(run, log));
  const evaluation = await timed('eval', () => runEvalStage(run, log));
  log(describeEval(evaluation));
  return { index, tokenizer, pack, train, export: exported, eval: evaluation };
}
