/**
 * The commands of `llemma-train`, one entry each: the line the usage text shows and what runs. cli.ts parses the
 * command line and dispatches here. Each command reads the run config (loadConfig.ts) and returns a short summary
 * for stdout; progress goes to `log` (stderr). Errors are thrown, and cli.ts turns them into exit code 1.
 */
import { convertUsage, parseConvertArgs } from '../convert/options';
import { describeConversion, runConvertStage } from '../convert/stage';
import { runDataStage } from '../data/pipeline';
import type { DataReport } from '../data/report';
import { describeSources, runEvalSourcesStage, sourcesReportName } from '../eval/sourcesStage';
import { describeEval } from '../eval/stage';
import { describeCalibrate, runCalibrateStage } from '../index/calibrateStage';
import { describeIndex, runIndexStage } from '../index/stage';
import { runPackStage } from '../pack/stage';
import { runTokenizerStage } from '../tokenizer/stage';
import { runTrainStage } from '../train/stage';
import { evaluateModel, exportModel, runAll } from './all';
import type { RunConfig } from './config';
import { loadRunConfig } from './loadConfig';
import { writeSourcesCard } from './modelCard';

/** A command of a run: it reads the run config (`--config`) and takes no other arguments. */
export interface RunCommand {
  /** One line for the usage text. */
  summary: string;
  run: (run: RunConfig, log: (line: string) => void) => Promise<string>;
}

/** A command with its own arguments (no run config): `convert`. */
export interface ArgsCommand {
  summary: string;
  /** Its usage text, shown with `<command> --help` and after a wrong command line. */
  usage: string;
  /** Parses `args` (throwing a UsageError for a wrong command line) and runs. */
  runArgs: (args: readonly string[], log: (line: string) => void) => Promise<string>;
}

export type Command = RunCommand | ArgsCommand;

export function takesArgs(command: Command): command is ArgsCommand {
  return 'runArgs' in command;
}

/** In the order the usage text lists them. */
export const commands: Record<string, Command> = {
  data: {
    summary: 'corpora → deduplicated, decontaminated mixture shards + tactic examples + report (training/out/<run>/)',
    run: async (run, log) => describeData(await runDataStage(run.data, { log })),
  },
  index: {
    summary: 'goal-known training examples → retrieval.bin (retrieval index, scores calibrated on held-aside files)',
    run: async (run, log) => describeIndex(await runIndexStage(run, log)),
  },
  calibrate: {
    summary:
      "decision procedures chosen from data, the model's and the procedures' scores calibrated on held-aside steps, the merge rule → sources.json (needs index and the model folder)",
    run: async (run, log) => describeCalibrate(await runCalibrateStage(run, log)),
  },
  tokenizer: {
    summary: 'tactic examples + mixture sample → BPE tokenizer.json (Llama layout, byte fallback)',
    run: async (run, log) => {
      const r = await runTokenizerStage(run, log);
      return (
        `tokenizer: ${r.vocabSize} ids (${r.alphabet} characters, ${r.merges} merges); ` +
        `held-out ${r.heldOut.charsPerToken} characters per token; ${r.leanSymbolsWhole}/${r.leanSymbols} Lean symbols whole\n` +
        `wrote ${run.runDir}/tokenizer.json`
      );
    },
  },
  pack: {
    summary: 'examples → packed uint16 token rows with loss masks (pack/index.json)',
    run: async (run, log) => {
      const r = await runPackStage(run, log);
      const s = (name: 'train' | 'heldout') => {
        const x = r.splits[name];
        return `${name}: ${x.examples} examples (${x.tooLong} too long${x.targetTooLong ? `, ${x.targetTooLong} with too long a target` : ''}) in ${x.rows} rows, ${x.targetTokens}/${x.tokens} target tokens`;
      };
      return `${s('train')}\n${s('heldout')}\nwrote ${run.runDir}/pack/index.json`;
    },
  },
  train: {
    summary: 'the PyTorch trainer on the packed rows (continues from its last checkpoint when nothing changed)',
    run: async (run, log) => {
      const r = await runTrainStage(run, { log });
      return `train: ${r.steps}/${r.max_steps} steps, ${r.tokens} tokens, ${r.wall_s} s on ${r.device}\ncheckpoint ${r.checkpoint}`;
    },
  },
  export: {
    summary:
      'newest checkpoint → model folder (config.json, tokenizer.json, model.onnx, MODEL_CARD.md), checked in model/',
    run: async (run, log) => {
      const r = await exportModel(run, log);
      const worst = Math.max(r.maxAbsDiff.prompt, r.maxAbsDiff.cachedStep);
      return `export: ${r.folder} (${(r.folderBytes / 1e6).toFixed(1)} MB); max |ONNX − PyTorch| ${worst.toExponential(2)} ≤ ${r.tolerance}`;
    },
  },
  eval: {
    summary: 'first-tactic top-1/top-n exact match on held-out theorems vs the frequency baseline',
    run: async (run, log) => describeEval(await evaluateModel(run, log)),
  },
  'eval-sources': {
    summary:
      'every candidate source (frequency list, retrieval, model, procedures, merged) on all held-out steps: top-1/8/32, sign tests',
    run: async (run, log) => {
      const report = await runEvalSourcesStage(run, log);
      const name = sourcesReportName(run.stages.evalSources);
      // Only when asked (evalSources.card): the tables go into the model card, a block of their own.
      const card = run.stages.evalSources.card ? `\nwrote the tables into ${writeSourcesCard(run, report, name)}` : '';
      return describeSources(report, name) + card;
    },
  },
  convert: {
    summary: 'a Hugging Face Llama checkpoint → model folder (fp32/fp16/int4), checked against PyTorch',
    usage: convertUsage,
    runArgs: async (args, log) => describeConversion(await runConvertStage(parseConvertArgs(args), log)),
  },
  all: {
    summary: 'data → index → tokenizer → pack → train → export → eval',
    run: async (run, log) => {
      const r = await runAll(run, log);
      return `${describeEval(r.eval)}\nmodel folder ${r.export.folder}`;
    },
  },
};

/** Runs one command with the run config of `configFile` (or the defaults); returns the text to print. */
export async function runCommand(
  command: string,
  configFile: string | undefined,
  log: (line: string) => void,
): Promise<string> {
  const entry = commands[command];
  if (!entry || takesArgs(entry)) throw new Error(`unknown command "${command}"`);
  return entry.run(loadRunConfig(configFile), log);
}

/** The data stage's counts per source, its overlaps and where its report is. */
function describeData(report: DataReport): string {
  const lines = report.sources.map(
    (s) =>
      `${s.name}: read ${s.read}, exact dups ${s.exactDuplicates}, near dups ${s.nearDuplicates}, ` +
      `contaminated ${s.contaminated}, kept ${s.kept}; tactic examples ${s.tactics.train} train / ${s.tactics.heldOut} held out`,
  );
  const dropped = report.overlaps.filter((o) => o.dropped).length;
  lines.push(`overlaps: ${report.overlaps.length} (${dropped} on dropped documents or proofs)`);
  lines.push(`report: ${report.runDir}/report.md (${(report.timingsMs['total'] ?? 0) / 1000} s)`);
  return lines.join('\n');
}
