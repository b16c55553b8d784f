/** Argument parsing for the `llemma` CLI, kept apart from main() so it can be tested without running anything. */

import {
  defaultMaxNewTokens,
  type ExecutionProviderName,
  executionProviderNames,
  type GenerationGraphMode,
  generationGraphModes,
  isGenerationGraphMode,
  readExecutionProviders,
  readTacticSources,
  type TacticSourceName,
  tacticSourceNames,
} from '@llemma/model/choices';
import { defaultSettings } from '../../protocol';

const synopsis = {
  goal: 'llemma goal <file.lean|file.thy>:<line>:<col> [options]  the proof state at a position (1-based line and column)',
  candidates:
    'llemma candidates --goal "<tactic state>" [options]  ranked next tactics with their sources, unchecked (not run by Lean);\n' +
    '                                                   `llemma suggest --goal …` is the same command (its former name)',
  prove:
    "llemma prove <file.lean|file.thy>[:<theorem>] [options]  best-first proof search for a theorem's first `sorry`;\n" +
    '                                                   the proof is re-checked by Lean (Isabelle for a .thy file), the\n' +
    '                                                   file is not changed',
  bench:
    'llemma bench minif2f|report|merge|init …         miniF2F benchmark runs and their reports (llemma help bench)',
} as const;

/** Candidates per request unless a flag says otherwise: the settings' (Llemma: 32). */
const defaultCandidates = defaultSettings['search.candidatesPerExpansion'];

const replOptions = `  --repl "<command>"   command line that starts the Lean REPL in the project folder
                       (default: the environment's LLEMMA_REPL, else detected: \`lake exe repl\` or \`lake env repl\`)`;
const isabelleOptions = `  --isabelle <path>    the \`isabelle\` executable for .thy files (Isabelle2025-2; default: \`isabelle\` on PATH)
  --isabelle-session <name>  the session .thy files are checked in (default ${defaultSettings['isabelle.session']})`;
const sledgehammerOptions = `  --sledgehammer       for a .thy file, also ask Isabelle's Sledgehammer for steps at each expansion (off by default)
  --sledgehammer-time <seconds>  Sledgehammer's time limit per state (default ${defaultSettings['isabelle.sledgehammerSeconds']}; implies --sledgehammer)`;
const modelOptions = `  --model <dir|url>    a model folder (docs/model-format.md) or an OpenAI-compatible server URL
                       (default: the environment's LLEMMA_MODEL, else the embedded model)
  --ep <list>          execution providers to try, e.g. cuda,cpu (default: auto = ${executionProviderNames.join(', ')})
  --generation-graph <${generationGraphModes.join('|')}>  beam search inside the folder's generation.onnx: auto = on CUDA only (default)
  --sources <list>     candidate sources, merged: auto (default: retrieval,file,procedures, and the model when --model
                       names one) or a list of ${tacticSourceNames.join(',')}`;
const commonOptions = `  --json               print JSON instead of text
  --verbose            log to stderr
  --help               this command's help`;

const options = {
  goal: `${replOptions}
${isabelleOptions}
  --timeout <ms>       per-request timeout for the REPL (for a .thy file: for Isabelle)`,
  candidates: `${modelOptions}
  --n <k>              candidates to return (default ${defaultCandidates}, as the Llemma search)
  --beam <w>           beam width (default: n)
  --temperature <t>    0 (default) = beam search; above 0 = sampling
  --max-tokens <k>     new tokens per candidate (default ${defaultMaxNewTokens})`,
  prove: `${replOptions}
${isabelleOptions}
${sledgehammerOptions}
  --timeout <ms>       per-request timeout for the REPL; it also bounds each candidate tactic (default ${defaultSettings['lean.tacticTimeoutMs'] / 1000} s)
${modelOptions}
  --candidates <k>     candidates per expansion (default ${defaultCandidates}, as the Llemma search)
  --expansions <k>     expansions per theorem (default ${defaultSettings['search.maxExpansions']})
  --time <seconds>     wall time per theorem (default ${defaultSettings['search.timeLimitSeconds']})
  --budget <spec>      the three at once, e.g. candidates=32,expansions=100,time=600 (a later flag wins)
  --allow-native-decide  let proofs use native_decide (off by default)
  --processes <k>      REPL processes running candidate tactics at once (default ${defaultSettings['lean.checkProcesses']}, at most 8)`,
  // `llemma help bench` prints the bench commands' own help (server/cli/benchArgs.ts).
  bench: '',
} as const;

export type CommandName = keyof typeof synopsis;
const commandNames = Object.keys(synopsis) as CommandName[];
/** Former names that still work. */
const aliases: ReadonlyMap<string, CommandName> = new Map([['suggest', 'candidates']]);

/** The help text: every command, or one command with all its options. */
export function usage(command?: CommandName): string {
  if (command) return `Usage:\n  ${synopsis[command]}\n\nOptions:\n${options[command]}\n${commonOptions}\n`;
  return `Usage:
${commandNames.map((c) => `  ${synopsis[c]}`).join('\n')}
  llemma help [<command>]                          a command's options
  llemma --version

Options of goal:
${options.goal}
Options of candidates:
${options.candidates}
Options of prove (besides those of goal and candidates' --model, --ep, --generation-graph, --sources):
${options.prove
  .split('\n')
  .filter((l) => !/^ {2}--(repl|isabelle|model|ep|generation-graph|sources)\b|^ {23}\(default: the environment/.test(l))
  .join('\n')}
All:
${commonOptions}
`;
}

/** Bad usage: exit code 2. `showUsage`: the message alone does not tell the user how to call the command. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly showUsage: { command?: CommandName } | false = {},
  ) {
    super(message);
  }
}

/** The flags of any command that shape the core (server/cli/coreFromArgs.ts); a command has those it offers. */
export interface CoreArgs {
  json: boolean;
  verbose: boolean;
  repl?: string;
  /** The `isabelle` executable (`--isabelle`); absent: the setting's default, `isabelle` on PATH. */
  isabelle?: string;
  /** The Isabelle session (`--isabelle-session`); absent: the setting's default. */
  isabelleSession?: string;
  /** Sledgehammer asked on Isabelle states (`--sledgehammer`); absent: the setting's default, off. */
  sledgehammer?: boolean;
  /** Sledgehammer's time limit per state (`--sledgehammer-time`); absent: the setting's default. */
  sledgehammerSeconds?: number;
  timeoutMs?: number;
  model?: string;
  ep?: ExecutionProviderName[];
  generationGraph?: GenerationGraphMode;
  /** Candidate sources to merge (`--sources`); absent: the setting's default, all of them. */
  sources?: TacticSourceName[];
  allowNativeDecide?: boolean;
  processes?: number;
}

export interface GoalArgs
  extends Pick<CoreArgs, 'json' | 'verbose' | 'repl' | 'isabelle' | 'isabelleSession' | 'timeoutMs'> {
  command: 'goal';
  file: string;
  line: number;
  column: number;
}

export interface CandidatesArgs
  extends Pick<CoreArgs, 'json' | 'verbose' | 'model' | 'ep' | 'generationGraph' | 'sources'> {
  command: 'candidates';
  goal: string;
  n: number;
  beam?: number;
  temperature: number;
  maxTokens: number;
}

export interface ProveArgs extends CoreArgs {
  command: 'prove';
  file: string;
  /** The theorem to prove; absent: every declaration with a \`sorry\`, in file order. */
  theorem?: string;
  candidates?: number;
  expansions?: number;
  timeSeconds?: number;
  allowNativeDecide: boolean;
}

export type CliArgs =
  | { command: 'help'; topic?: CommandName }
  | { command: 'version' }
  /** The bench commands parse their own arguments (server/cli/benchArgs.ts). */
  | { command: 'bench'; argv: string[] }
  | GoalArgs
  | CandidatesArgs
  | ProveArgs;

/** The command a name (or a former name) stands for. */
const commandOf = (s: string | undefined): CommandName | undefined =>
  s === undefined ? undefined : (commandNames as readonly string[]).includes(s) ? (s as CommandName) : aliases.get(s);

export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('no command given');
  if (command === '--version' || command === '-V' || command === 'version') return { command: 'version' };
  if (command === 'help' || command === '--help' || command === '-h') {
    if (rest[0] === undefined) return { command: 'help' };
    const topic = commandOf(rest[0]);
    if (!topic) throw new UsageError(`no help for '${rest[0]}': it is not a command`);
    return { command: 'help', topic };
  }
  const name = commandOf(command);
  if (!name) throw new UsageError(`unknown command '${command}'`);
  return parseCommand(name, rest);
}

function parseCommand(command: CommandName, rest: string[]): CliArgs {
  if (command === 'bench') return { command, argv: rest };
  // `--help` anywhere after the command asks for that command's help, whatever else is on the line.
  if (rest.some((a) => a === '--help' || a === '-h')) return { command: 'help', topic: command };
  try {
    if (command === 'goal') return parseGoal(rest);
    if (command === 'candidates') return parseCandidates(rest);
    return parseProve(rest);
  } catch (err) {
    // A mistake in a command's options is best answered with that command's options.
    if (err instanceof UsageError && err.showUsage && err.showUsage.command === undefined) {
      throw new UsageError(err.message, { command });
    }
    throw err;
  }
}

/** Walks options; `take` gets each flag and a function that consumes its value; the rest are positionals. */
export function walk(args: string[], take: (flag: string, value: () => string) => boolean): string[] {
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const value = () => {
      if (eq > 0) return raw.slice(eq + 1);
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (take(flag, value)) continue;
    if (raw.startsWith('-')) throw new UsageError(`unknown option ${flag}`);
    positional.push(raw);
  }
  return positional;
}

function parseGoal(rest: string[]): GoalArgs {
  const out: GoalArgs = { command: 'goal', file: '', line: 0, column: 0, json: false, verbose: false };
  const positional = walk(rest, (flag, value) => {
    if (flag === '--json') out.json = true;
    else if (flag === '--verbose') out.verbose = true;
    else if (flag === '--repl') out.repl = value();
    else if (takeIsabelle(out, flag, value)) return true;
    else if (flag === '--timeout') out.timeoutMs = positiveInt(value(), '--timeout');
    else return false;
    return true;
  });
  if (positional.length !== 1) throw new UsageError('goal takes exactly one <file.lean|file.thy>:<line>:<col>');
  const m = /^(.+):(\d+):(\d+)$/.exec(positional[0]!);
  if (!m) throw new UsageError(`expected <file.lean|file.thy>:<line>:<col>, got '${positional[0]}'`);
  out.file = m[1]!;
  out.line = positiveInt(m[2]!, 'line');
  out.column = positiveInt(m[3]!, 'column');
  return out;
}

function parseCandidates(rest: string[]): CandidatesArgs {
  const out: CandidatesArgs = {
    command: 'candidates',
    goal: '',
    n: defaultCandidates,
    temperature: 0,
    maxTokens: defaultMaxNewTokens,
    json: false,
    verbose: false,
  };
  let goal: string | undefined;
  const positional = walk(rest, (flag, value) => {
    if (flag === '--json') out.json = true;
    else if (flag === '--verbose') out.verbose = true;
    else if (flag === '--goal') goal = value();
    else if (flag === '--model') out.model = value();
    else if (flag === '--n') out.n = positiveInt(value(), '--n');
    else if (flag === '--beam') out.beam = positiveInt(value(), '--beam');
    else if (flag === '--max-tokens') out.maxTokens = positiveInt(value(), '--max-tokens');
    else if (flag === '--temperature') out.temperature = nonNegative(value(), '--temperature');
    else if (flag === '--ep') setProviders(out, value());
    else if (flag === '--generation-graph') out.generationGraph = graphMode(value());
    else if (flag === '--sources') setSources(out, value());
    else return false;
    return true;
  });
  if (positional.length > 0) throw new UsageError(`candidates takes no positional arguments (got '${positional[0]}')`);
  if (goal === undefined || goal.trim() === '') throw new UsageError('candidates needs --goal "<tactic state>"');
  out.goal = goal;
  if (out.beam !== undefined && out.beam < out.n) throw new UsageError('--beam must be at least --n');
  return out;
}

function parseProve(rest: string[]): ProveArgs {
  const out: ProveArgs = { command: 'prove', file: '', json: false, verbose: false, allowNativeDecide: false };
  const positional = walk(rest, (flag, value) => {
    if (flag === '--json') out.json = true;
    else if (flag === '--verbose') out.verbose = true;
    else if (takeSearchFlag(out, flag, value)) return true;
    else if (flag === '--processes') {
      out.processes = positiveInt(value(), '--processes');
      if (out.processes > 8) throw new UsageError('--processes must be at most 8');
    } else return false;
    return true;
  });
  if (positional.length !== 1) throw new UsageError('prove takes exactly one <file.lean|file.thy>[:<theorem>]');
  const target = positional[0]!;
  // A theorem name never contains `/`, so `dir/File.lean:foo` splits at the last colon after the extension.
  const m = /^(.*\.(?:lean|thy)):([^/:]+)$/.exec(target);
  if (m) {
    out.file = m[1]!;
    out.theorem = m[2]!;
  } else {
    out.file = target;
  }
  return out;
}

/**
 * The flags a proof search takes, `llemma prove`'s and `llemma bench minif2f`'s alike: the prover, the model and its
 * sources, the budget. True when `flag` is one of them.
 */
export function takeSearchFlag(
  out: CoreArgs & Pick<ProveArgs, 'candidates' | 'expansions' | 'timeSeconds'>,
  flag: string,
  value: () => string,
): boolean {
  if (flag === '--repl') out.repl = value();
  else if (takeIsabelle(out, flag, value) || takeSledgehammer(out, flag, value)) return true;
  else if (flag === '--timeout') out.timeoutMs = positiveInt(value(), '--timeout');
  else if (flag === '--model') out.model = value();
  else if (flag === '--ep') setProviders(out, value());
  else if (flag === '--generation-graph') out.generationGraph = graphMode(value());
  else if (flag === '--sources') setSources(out, value());
  else if (flag === '--candidates') out.candidates = positiveInt(value(), '--candidates');
  else if (flag === '--expansions') out.expansions = positiveInt(value(), '--expansions');
  else if (flag === '--time') out.timeSeconds = positiveInt(value(), '--time');
  else if (flag === '--budget') Object.assign(out, budgetSpec(value()));
  else if (flag === '--allow-native-decide') out.allowNativeDecide = true;
  else return false;
  return true;
}

/** `--isabelle <path>` and `--isabelle-session <name>`: true when `flag` is one of them. */
export function takeIsabelle(
  out: Pick<CoreArgs, 'isabelle' | 'isabelleSession'>,
  flag: string,
  value: () => string,
): boolean {
  if (flag === '--isabelle') out.isabelle = nonEmpty(value(), '--isabelle');
  else if (flag === '--isabelle-session') out.isabelleSession = nonEmpty(value(), '--isabelle-session');
  else return false;
  return true;
}

/** `--sledgehammer` and `--sledgehammer-time <seconds>` (which turns it on too): true when `flag` is one of them. */
export function takeSledgehammer(
  out: Pick<CoreArgs, 'sledgehammer' | 'sledgehammerSeconds'>,
  flag: string,
  value: () => string,
): boolean {
  if (flag === '--sledgehammer') out.sledgehammer = true;
  else if (flag === '--sledgehammer-time') {
    out.sledgehammer = true;
    out.sledgehammerSeconds = positiveInt(value(), '--sledgehammer-time');
  } else return false;
  return true;
}

function nonEmpty(s: string, what: string): string {
  if (s.trim() === '') throw new UsageError(`${what} needs a value`);
  return s;
}

/** `--ep <list>`, read once into a typed list; `auto`, the order without the flag, leaves none. */
export function setProviders(out: { ep?: ExecutionProviderName[] }, list: string): void {
  const { providers, unknown } = readExecutionProviders(list);
  if (unknown.length > 0) {
    throw new UsageError(`unknown execution provider '${unknown[0]}' (known: ${executionProviderNames.join(', ')})`);
  }
  if (list.trim() === '' || providers.length === 0) throw new UsageError('--ep needs at least one execution provider');
  if (providers === 'auto') delete out.ep;
  else out.ep = providers;
}

/** `--sources <list>`: `auto` or names of `tacticSourceNames`, read once into a typed list. */
export function setSources(out: { sources?: TacticSourceName[] }, list: string): void {
  const { sources, unknown } = readTacticSources(list);
  if (unknown.length > 0) {
    throw new UsageError(`unknown candidate source '${unknown[0]}' (known: ${tacticSourceNames.join(', ')})`);
  }
  if (sources === 'auto') delete out.sources;
  else if (sources.length === 0) throw new UsageError('--sources needs at least one source');
  else out.sources = sources;
}

export function graphMode(mode: string): GenerationGraphMode {
  if (!isGenerationGraphMode(mode)) {
    throw new UsageError(`--generation-graph must be one of ${generationGraphModes.join(', ')} (got '${mode}')`);
  }
  return mode;
}

/** `candidates=32,expansions=100,time=600`: any of the three keys, each at most once. */
export function budgetSpec(spec: string): Pick<ProveArgs, 'candidates' | 'expansions' | 'timeSeconds'> {
  const out: Pick<ProveArgs, 'candidates' | 'expansions' | 'timeSeconds'> = {};
  const fields = { candidates: 'candidates', expansions: 'expansions', time: 'timeSeconds' } as const;
  const seen = new Set<string>();
  for (const part of spec.split(',')) {
    const m = /^\s*([a-z]+)\s*=\s*(\S+)\s*$/.exec(part);
    const key = m?.[1];
    if (!m || key === undefined || !(key in fields)) {
      throw new UsageError(`--budget takes candidates=N,expansions=N,time=SECONDS (got '${part.trim()}' in '${spec}')`);
    }
    if (seen.has(key)) throw new UsageError(`--budget names ${key} twice`);
    seen.add(key);
    out[fields[key as keyof typeof fields]] = positiveInt(m[2]!, `--budget ${key}`);
  }
  return out;
}

export function positiveInt(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${what} must be a positive integer (got '${s}')`);
  return n;
}

function nonNegative(s: string, what: string): number {
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${what} must be a number ≥ 0 (got '${s}')`);
  return n;
}
