/**
 * `llemma-train <command> [--config <file.json>]`: the training workspace's command line. The commands (data …
 * all) are the table in run/commands.ts; this file parses the arguments, prints the usage and maps the outcome to an
 * exit code. One config file serves every run command (run/loadConfig.ts splits it between the data stage and the
 * model stages); a command with arguments of its own (`convert`) gets everything after its name instead.
 * Exit codes: 0 done, 1 the command failed, 2 the command line was wrong.
 */
import { commands, runCommand, takesArgs } from './run/commands';
import { UsageError } from './util/usageError';

export const usage = [
  'usage: llemma-train <command> [--config <file.json>]',
  '       llemma-train convert <hf-checkpoint-dir> <model-folder> [options]   (llemma-train convert --help)',
  '',
  'commands:',
  ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)}  ${c.summary}`),
  '',
  '--config <file.json>  a JSON file of overrides of the defaults (see training/README.md)',
  'Data folder: "dataDir" in the config, else $LLEMMA_DATA_DIR, else ../shared/data beside the repository.',
].join('\n');

export interface CliArgs {
  command: string;
  config?: string;
  /** The arguments after the name of a command that takes its own (convert). */
  args?: string[];
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
      const entry = Object.hasOwn(commands, a) ? commands[a] : undefined;
      if (entry && takesArgs(entry)) {
        if (config !== undefined) throw new Error(`${a} takes no --config`);
        return { command, args };
      }
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
  if (!Object.hasOwn(commands, args.command)) {
    process.stderr.write(`llemma-train: unknown command "${args.command}"\n\n${usage}\n`);
    return 2;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const entry = commands[args.command]!;
  try {
    if (takesArgs(entry)) {
      if (args.args?.some((a) => a === '--help' || a === '-h')) {
        process.stdout.write(`${entry.usage}\n`);
        return 0;
      }
      process.stdout.write(`${await entry.runArgs(args.args ?? [], log)}\n`);
      return 0;
    }
    const out = await runCommand(args.command, args.config, log);
    process.stdout.write(`${out}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError && takesArgs(entry)) {
      process.stderr.write(`llemma-train ${args.command}: ${e.message}\n\n${entry.usage}\n`);
      return 2;
    }
    process.stderr.write(`llemma-train: ${(e as Error).message}\n`);
    return 1;
  }
}
