/**
 * `llemma-train <command> [--config <file.json>]`: the training workspace's command line. `data` is dispatched here;
 * the model stages (tokenizer … all) are in train/commands.ts. One config file serves every command (train/runConfig.ts
 * splits it between the data stage and the model stages).
 * Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.
 */
import { runDataStage } from './data/pipeline';
import { modelCommands, runModelCommand } from './train/commands';
import { loadRunConfig } from './train/runConfig';

export const usage = `usage: llemma-train <command> [--config <file.json>]

commands:
  data        corpora → deduplicated, decontaminated mixture shards + tactic examples + report (training/out/<run>/)
  index       goal-known training examples → retrieval.bin (retrieval index, scores calibrated on held-aside files)
  calibrate   decision procedures chosen from data, the model's and the procedures' scores calibrated on held-aside
              steps, the merge rule → sources.json (needs index and the model folder)
  tokenizer   tactic examples + mixture sample → BPE tokenizer.json (Llama layout, byte fallback)
  pack        examples → packed uint16 token rows with loss masks (pack/index.json)
  train       the PyTorch trainer on the packed rows (continues from its last checkpoint when nothing changed)
  export      newest checkpoint → model folder (config.json, tokenizer.json, model.onnx, MODEL_CARD.md), checked in model/
  eval        first-tactic top-1/top-n exact match on held-out theorems vs the frequency baseline
  eval-sources  every candidate source (frequency list, retrieval, model, procedures, merged) on all held-out steps:
              top-1/8/32, sign tests (evalSources.maxSteps: a sample)
  all         data → index → tokenizer → pack → train → export → eval

--config <file.json>  a JSON file of overrides of the defaults (see training/README.md)
Data folder: "dataDir" in the config, else $LLEMMA_DATA_DIR, else ../shared/data beside the repository.`;

export interface CliArgs {
  command: string;
  config?: string;
}

/** Parses argv (without node and the script); throws a message for the user on a wrong command line. */
export function parseArgs(argv: readonly string[]): CliArgs | 'help' {
  const args = [...argv];
  let command: string | undefined;
  let config: string | undefined;
  while (args.length > 0) {
    const a = args.shift() as string;
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--config' || a.startsWith('--config=')) {
      config = a.startsWith('--config=') ? a.slice('--config='.length) : args.shift();
      if (!config) throw new Error('--config needs a file');
    } else if (a.startsWith('-')) {
      throw new Error(`unknown option ${a}`);
    } else if (command === undefined) {
      command = a;
    } else {
      throw new Error(`unexpected argument ${a}`);
    }
  }
  if (command === undefined) throw new Error('no command given');
  return config === undefined ? { command } : { command, config };
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs | 'help';
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`llemma-train: ${(e as Error).message}\n\n${usage}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (Object.hasOwn(modelCommands, args.command)) {
    try {
      const out = await runModelCommand(args.command, args.config, (line) => process.stderr.write(`${line}\n`));
      process.stdout.write(`${out}\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`llemma-train: ${(e as Error).message}\n`);
      return 1;
    }
  }
  if (args.command !== 'data') {
    process.stderr.write(`llemma-train: unknown command "${args.command}"\n\n${usage}\n`);
    return 2;
  }
  try {
    const config = loadRunConfig(args.config).data;
    const report = await runDataStage(config, { log: (line) => process.stderr.write(`${line}\n`) });
    process.stdout.write(summary(report));
    return 0;
  } catch (e) {
    process.stderr.write(`llemma-train: ${(e as Error).message}\n`);
    return 1;
  }
}

function summary(report: Awaited<ReturnType<typeof runDataStage>>): string {
  const lines = report.sources.map(
    (s) =>
      `${s.name}: read ${s.read}, exact dups ${s.exactDuplicates}, near dups ${s.nearDuplicates}, ` +
      `contaminated ${s.contaminated}, kept ${s.kept}; tactic examples ${s.tactics.train} train / ${s.tactics.heldOut} held out`,
  );
  const dropped = report.overlaps.filter((o) => o.dropped).length;
  lines.push(`overlaps: ${report.overlaps.length} (${dropped} on dropped documents or proofs)`);
  lines.push(`report: ${report.runDir}/report.md (${(report.timingsMs['total'] ?? 0) / 1000} s)`);
  return `${lines.join('\n')}\n`;
}
