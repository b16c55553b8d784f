/**
 * The model-producing commands of `llemma-train` (index, calibrate, tokenizer, pack, train, export, eval,
 * eval-sources, all), one entry each, for
 * cli.ts to dispatch to. Each reads the run config (runConfig.ts) and prints a short summary on stdout; progress
 * goes to stderr. Errors are thrown, and cli.ts turns them into exit code 1.
 */
import { describeSources, runEvalSourcesStage } from '../eval/sourcesStage';
import { describeEval, runEvalStage } from '../eval/stage';
import { runExportStage } from '../export/stage';
import { describeCalibrate, runCalibrateStage } from '../index/calibrateStage';
import { describeIndex, runIndexStage } from '../index/stage';
import { runPackStage } from '../pack/stage';
import { runTokenizerStage } from '../tokenizer/stage';
import { runAll } from './all';
import { loadRunConfig, type RunConfig } from './runConfig';
import { runTrainStage } from './stage';

type Command = (run: RunConfig, log: (line: string) => void) => Promise<string>;

export const modelCommands: Record<string, Command> = {
  index: async (run, log) => describeIndex(await runIndexStage(run, log)),
  calibrate: async (run, log) => describeCalibrate(await runCalibrateStage(run, log)),
  tokenizer: async (run, log) => {
    const r = await runTokenizerStage(run, log);
    return (
      `tokenizer: ${r.vocabSize} ids (${r.alphabet} characters, ${r.merges} merges); ` +
      `held-out ${r.heldOut.charsPerToken} characters per token; ${r.leanSymbolsWhole}/${r.leanSymbols} Lean symbols whole\n` +
      `wrote ${run.runDir}/tokenizer.json`
    );
  },
  pack: async (run, log) => {
    const r = await runPackStage(run, log);
    const s = (name: 'train' | 'heldout') => {
      const x = r.splits[name];
      return `${name}: ${x.examples} examples (${x.tooLong} too long${x.targetTooLong ? `, ${x.targetTooLong} with too long a target` : ''}) in ${x.rows} rows, ${x.targetTokens}/${x.tokens} target tokens`;
    };
    return `${s('train')}\n${s('heldout')}\nwrote ${run.runDir}/pack/index.json`;
  },
  train: async (run, log) => {
    const r = await runTrainStage(run, { log });
    return `train: ${r.steps}/${r.max_steps} steps, ${r.tokens} tokens, ${r.wall_s} s on ${r.device}\ncheckpoint ${r.checkpoint}`;
  },
  export: async (run, log) => {
    const r = await runExportStage(run, log);
    const worst = Math.max(r.maxAbsDiff.prompt, r.maxAbsDiff.cachedStep);
    return `export: ${r.folder} (${(r.folderBytes / 1e6).toFixed(1)} MB); max |ONNX − PyTorch| ${worst.toExponential(2)} ≤ ${r.tolerance}`;
  },
  eval: async (run, log) => describeEval(await runEvalStage(run, log)),
  'eval-sources': async (run, log) => describeSources(await runEvalSourcesStage(run, log)),
  all: async (run, log) => {
    const r = await runAll(run, log);
    return `${describeEval(r.eval)}\nmodel folder ${r.export.folder}`;
  },
};

/** Runs one of the model commands; returns the text to print. */
export async function runModelCommand(
  command: string,
  configFile: string | undefined,
  log: (line: string) => void,
): Promise<string> {
  const run = modelCommands[command];
  if (!run) throw new Error(`unknown command "${command}"`);
  return run(loadRunConfig(configFile), log);
}
