/** Arguments of `llemma bench …`: miniF2F runs, their reports, merging shards, and a variant's Lean project. */
import {
  defaultSettings,
  type MiniF2FLeanVariant,
  type MiniF2FSplitChoice,
  type MiniF2FVariant,
  miniF2FVariantIds,
  miniF2FVariants,
} from '../../protocol';
import { type CoreArgs, type ProveArgs, positiveInt, takeSearchFlag, UsageError, walk } from './args';

/** Most workers a run may have: each is a Lean REPL holding Mathlib. */
export const maxWorkers = 16;

export interface BenchRunArgs extends CoreArgs, Pick<ProveArgs, 'candidates' | 'expansions' | 'timeSeconds'> {
  command: 'bench-minif2f';
  variant: MiniF2FVariant;
  split: MiniF2FSplitChoice;
  project: string;
  out: string;
  workers: number;
  limit?: number;
  shard?: string;
}

export interface BenchReportArgs {
  command: 'bench-report';
  files: string[];
  html?: string;
  markdown: boolean;
  json: boolean;
}

export interface BenchMergeArgs {
  command: 'bench-merge';
  files: string[];
  out: string;
}

export interface BenchInitArgs {
  command: 'bench-init';
  folder: string;
  variant: MiniF2FLeanVariant;
}

export type BenchArgs = BenchRunArgs | BenchReportArgs | BenchMergeArgs | BenchInitArgs | { command: 'bench-help' };

const variants = miniF2FVariantIds.join('|');
const leanVariants = miniF2FVariants.map((v) => v.id).join('|');

export function benchUsage(): string {
  return `Usage:
  llemma bench minif2f --out <results.jsonl> [options]   search miniF2F problems; each result is appended to the
                                                   file as it ends, and a file's finished problems are skipped
  llemma bench report <results.jsonl>… [--html <out.html> | --markdown | --json]
                                                   the report: solved per split and category, curves, problems
  llemma bench merge <results.jsonl>… --out <merged.jsonl>   one file from the shards of a run
  llemma bench init <folder> [--variant <${leanVariants}>]   write the Lean project a variant runs in

Options of bench minif2f:
  --variant <${variants}>  the miniF2F variant (default ${miniF2FVariants[0]!.id}); isabelle: miniF2F's
                       Isabelle theories, their shipped proofs stripped, checked by the Isabelle server
  --split <valid|test|both>  (default test)
  --project <dir>      the Lean project, with the variant's Lean and Mathlib (default: the working folder; not
                       used by the isabelle variant)
  --isabelle <path>, --isabelle-session <name>   the isabelle executable and session, as for llemma prove
  --sledgehammer, --sledgehammer-time <seconds>   Isabelle's Sledgehammer as a source too, as for llemma prove
  --workers <n>        problems searched at once, each with a REPL of its own (default 1, at most ${maxWorkers})
  --limit <n>          only the first n problems (of the shard)
  --shard <i/n>        every n-th problem from the i-th, for several machines; then \`llemma bench merge\`
  --repl "<command>"   command line that starts the Lean REPL in the project (default: LLEMMA_REPL, else detected)
  --model <dir|url>    a model folder or an OpenAI-compatible server URL (default: LLEMMA_MODEL, else embedded)
  --ep <list>, --generation-graph <mode>, --sources <list>   as for llemma prove
  --candidates <k>     candidates per expansion (default ${defaultSettings['search.candidatesPerExpansion']}, the Llemma paper's)
  --expansions <k>     expansions per problem (default ${defaultSettings['search.maxExpansions']})
  --time <seconds>     wall time per problem (default ${defaultSettings['search.timeLimitSeconds']})
  --budget <spec>      the three at once, e.g. candidates=32,expansions=100,time=600
  --allow-native-decide  let proofs use native_decide (off by default; not comparable with published numbers)
  --timeout <ms>       per-request timeout for the REPL, each candidate tactic included
  --json               print the run's summary as JSON at the end
  --verbose            log to stderr
`;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h' || rest.includes('--help')) {
    if (sub === undefined) throw new UsageError('bench needs a command: minif2f, report, merge or init', false);
    return { command: 'bench-help' };
  }
  if (sub === 'minif2f') return parseRun(rest);
  if (sub === 'report') return parseReport(rest);
  if (sub === 'merge') return parseMerge(rest);
  if (sub === 'init') return parseInit(rest);
  throw new UsageError(`unknown bench command '${sub}' (minif2f, report, merge or init)`, false);
}

function variantOf(v: string): MiniF2FVariant {
  const found = miniF2FVariantIds.find((x) => x === v);
  if (!found) throw new UsageError(`--variant must be one of ${variants.replace(/\|/g, ', ')} (got '${v}')`, false);
  return found;
}

function leanVariantOf(v: string): MiniF2FLeanVariant {
  const found = miniF2FVariants.find((x) => x.id === v);
  if (!found) {
    throw new UsageError(
      `bench init writes a Lean project: --variant must be one of ${leanVariants.replace(/\|/g, ', ')} (got '${v}')`,
      false,
    );
  }
  return found.id;
}

function parseRun(rest: string[]): BenchRunArgs {
  const out: BenchRunArgs = {
    command: 'bench-minif2f',
    variant: miniF2FVariants[0]!.id,
    split: 'test',
    project: process.cwd(),
    out: '',
    workers: 1,
    json: false,
    verbose: false,
  };
  const positional = walk(rest, (flag, value) => {
    if (flag === '--json') out.json = true;
    else if (flag === '--verbose') out.verbose = true;
    else if (flag === '--variant') out.variant = variantOf(value());
    else if (flag === '--split') {
      const v = value();
      if (v !== 'valid' && v !== 'test' && v !== 'both') {
        throw new UsageError(`--split must be valid, test or both (got '${v}')`, false);
      }
      out.split = v;
    } else if (flag === '--project') out.project = value();
    else if (flag === '--out') out.out = value();
    else if (flag === '--workers') {
      out.workers = positiveInt(value(), '--workers');
      if (out.workers > maxWorkers) throw new UsageError(`--workers must be at most ${maxWorkers}`, false);
    } else if (flag === '--limit') out.limit = positiveInt(value(), '--limit');
    else if (flag === '--shard') out.shard = value();
    else if (takeSearchFlag(out, flag, value)) return true;
    else return false;
    return true;
  });
  if (positional.length > 0)
    throw new UsageError(`bench minif2f takes no positional argument (got '${positional[0]}')`);
  if (out.out === '') throw new UsageError('bench minif2f needs --out <results.jsonl>', false);
  return out;
}

function parseReport(rest: string[]): BenchReportArgs {
  const out: BenchReportArgs = { command: 'bench-report', files: [], markdown: false, json: false };
  out.files = walk(rest, (flag, value) => {
    if (flag === '--html') out.html = value();
    else if (flag === '--markdown') out.markdown = true;
    else if (flag === '--json') out.json = true;
    else return false;
    return true;
  });
  if (out.files.length === 0) throw new UsageError('bench report needs a results file', false);
  if ([out.html !== undefined, out.markdown, out.json].filter(Boolean).length > 1) {
    throw new UsageError('bench report takes one of --html, --markdown and --json', false);
  }
  return out;
}

function parseMerge(rest: string[]): BenchMergeArgs {
  let target = '';
  const files = walk(rest, (flag, value) => {
    if (flag !== '--out') return false;
    target = value();
    return true;
  });
  if (files.length < 1 || target === '') {
    throw new UsageError('bench merge takes results files and --out <merged.jsonl>', false);
  }
  return { command: 'bench-merge', files, out: target };
}

function parseInit(rest: string[]): BenchInitArgs {
  let variant = miniF2FVariants[0]!.id;
  const positional = walk(rest, (flag, value) => {
    if (flag !== '--variant') return false;
    variant = leanVariantOf(value());
    return true;
  });
  if (positional.length !== 1) throw new UsageError('bench init takes one folder', false);
  return { command: 'bench-init', folder: positional[0]!, variant };
}
