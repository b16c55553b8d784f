/**
 * The CLI's one way out to the terminal. Everything printed may hold text from outside (a model's candidates, a model
 * server's or the REPL's messages, goals), so every write goes through `forDisplay` (JSON through `jsonForDisplay`);
 * messages from the core get their remedies in the CLI's words (flags and environment variables, not VS Code
 * settings).
 */
import { forDisplay, jsonForDisplay, type ModelDescription } from '../../protocol';
import { toLlemmaError } from '../errors';
import { type FrontEndWords, renderRemedies } from '../remedies';

/** How the CLI user changes what a message points to. */
export const cliWords: FrontEndWords = {
  settings: {
    'lean.replCommand': '`--repl "<command line>"` (or the environment variable LLEMMA_REPL)',
    'lean.replPath': '`--repl "lake env <path to the repl executable>"`',
    'lean.requestTimeoutMs': '`--timeout <ms>`',
    'lean.importTimeoutMs': '`--timeout <ms>`',
    'lean.tacticTimeoutMs': '`--timeout <ms>`',
    'model.path': '`--model <folder|url>` (or the environment variable LLEMMA_MODEL)',
    'model.executionProvider': '`--ep <list>`',
    'model.generationGraph': '`--generation-graph <auto|on|off>`',
  },
  restart: 'run the command again',
};

/** A message from the core (or any error text) in the CLI's words, safe for a terminal. */
export function cliMessage(message: string): string {
  return forDisplay(renderRemedies(message, cliWords));
}

export function printText(text: string): void {
  process.stdout.write(forDisplay(text));
}

export function printJson(value: unknown): void {
  process.stdout.write(`${jsonForDisplay(value)}\n`);
}

/** `llemma: <message>` on stderr. */
export function printError(message: string): void {
  process.stderr.write(`llemma: ${cliMessage(message)}\n`);
}

/** A failed operation: its message on stderr (and as JSON on stdout with `--json`); exit code 1. */
export function printFailure(args: { json: boolean }, err: unknown): number {
  const e = toLlemmaError(err);
  if (args.json) printJson({ error: { code: e.code, message: cliMessage(e.message) } });
  printError(e.message);
  return 1;
}

/** The model as one line: where it came from, where it ran, the providers it skipped, how it searched. */
export function modelLine(m: ModelDescription): string {
  const skipped = m.skippedProviders ? ` (skipped: ${m.skippedProviders.join('; ')})` : '';
  return `${m.source} on ${m.provider}${skipped}${m.generationGraph ? `, ${m.generationGraph}` : ''}`;
}
