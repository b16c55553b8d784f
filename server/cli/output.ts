/**
 * The CLI's one way out to the terminal. Everything printed may hold text from outside (a model's candidates, a model
 * server's or the REPL's messages, goals), so every write goes through `forDisplay` (JSON through `jsonForDisplay`);
 * messages from the core get their remedies in the CLI's words (flags and environment variables, not VS Code
 * settings).
 */
import { MultiBar, Presets } from 'cli-progress';
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
    'isabelle.path': '`--isabelle <path to the isabelle executable>`',
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
  // No neural model asked (the embedded folder's default sources): the folder is where retrieval and the tables are.
  if (m.provider === 'none') return `${m.source} (no neural model asked)`;
  const skipped = m.skippedProviders ? ` (skipped: ${m.skippedProviders.join('; ')})` : '';
  return `${m.source} on ${m.provider}${skipped}${m.generationGraph ? `, ${m.generationGraph}` : ''}`;
}

/** A long run's progress on the terminal: a bar that redraws in place on a TTY, one plain line per step otherwise. */
export interface ProgressDisplay {
  /** The bar's state (`done` of `total`) and a short status after it. */
  update(done: number, total: number, status: string): void;
  /** A line above the bar (or a plain line). */
  log(line: string): void;
  stop(): void;
}

export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!stream.isTTY) {
    return {
      update: (done, total, status) => stream.write(forDisplay(`[${done}/${total}] ${status}\n`)),
      log: (line) => stream.write(`${forDisplay(line)}\n`),
      stop: () => undefined,
    };
  }
  const bars = new MultiBar(
    {
      stream,
      format: '{bar} {value}/{total} {status}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  const bar = bars.create(1, 0, { status: '' });
  return {
    update: (done, total, status) => {
      bar.setTotal(Math.max(1, total));
      bar.update(done, { status: forDisplay(status) });
    },
    log: (line) => bars.log(`${forDisplay(line)}\n`),
    stop: () => bars.stop(),
  };
}
