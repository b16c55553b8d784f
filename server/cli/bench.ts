/**
 * `llemma bench …`: miniF2F runs on the core's runner (the same as the extension's "Run miniF2F Benchmark"), with a
 * progress bar on a terminal and plain lines otherwise; the report as text, Markdown, JSON or a page of its own;
 * merging the shards of a run; writing a variant's Lean project. Exit codes: 0 done, 1 failed or unfinished, 2 usage.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MiniF2FProgress } from '../../protocol';
import {
  buildSteps,
  createProject,
  mergeFiles,
  parseShard,
  reportOf,
  reportPageOf,
  type Shard,
  statusLabel,
} from '../core';
import { toLlemmaError } from '../errors';
import { UsageError } from './args';
import type { BenchArgs, BenchInitArgs, BenchMergeArgs, BenchReportArgs, BenchRunArgs } from './benchArgs';
import { coreFromArgs } from './coreFromArgs';
import { cliMessage, modelLine, printError, printJson, printText, progressDisplay } from './output';

export async function runBench(args: BenchArgs, signal: AbortSignal): Promise<number> {
  try {
    if (args.command === 'bench-minif2f') return await runMiniF2FCommand(args, signal);
    if (args.command === 'bench-report') return report(args);
    if (args.command === 'bench-merge') return merge(args);
    if (args.command === 'bench-init') return init(args);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    printError(toLlemmaError(err).message);
    return 1;
  }
}

async function runMiniF2FCommand(args: BenchRunArgs, signal: AbortSignal): Promise<number> {
  let shard: Shard | undefined;
  if (args.shard !== undefined) {
    const parsed = parseShard(args.shard);
    if ('error' in parsed) throw new UsageError(`--shard: ${parsed.error}`, false);
    shard = parsed;
  }
  const core = coreFromArgs(args);
  const display = progressDisplay();
  const out = path.resolve(args.out);
  const status = (p: MiniF2FProgress) =>
    `${p.solved} solved · ${p.tried} tried · ${p.left} left${p.resumed > 0 ? ` (${p.resumed} from the file)` : ''}` +
    ` · ETA ${eta(p.etaMs)}`;
  try {
    const summary = await core.runMiniF2F({
      variant: args.variant,
      split: args.split,
      projectRoot: path.resolve(args.project),
      out,
      workers: args.workers,
      ...(args.limit !== undefined ? { limit: args.limit } : {}),
      ...(shard ? { shard } : {}),
      budget: {
        ...(args.candidates ? { candidatesPerExpansion: args.candidates } : {}),
        ...(args.expansions ? { maxExpansions: args.expansions } : {}),
        ...(args.timeSeconds ? { timeLimitMs: args.timeSeconds * 1000 } : {}),
      },
      signal,
      onProgress: (p) => display.update(p.tried, p.total, status(p)),
      onRecord: (r) =>
        display.log(
          `${r.split}/${r.problem}: ${statusLabel[r.status]}${r.status === 'proved' ? ` — ${r.proof.join('; ')}` : ''}` +
            `${r.error ? ` — ${cliMessage(r.error).split('\n')[0]}` : ''} (${(r.wallMs / 1000).toFixed(1)} s, ` +
            `${r.expansions} expansions)`,
        ),
    });
    display.stop();
    const p = summary.progress;
    if (args.json) {
      printJson(summary);
    } else {
      printText(
        `\nminiF2F ${args.variant} ${args.split}: ${p.solved} of ${p.tried} proved (${p.total} selected, ${p.left} left)\n` +
          `  model ${modelLine(summary.model)} (${summary.model.promptFormat})\n` +
          `  results ${summary.out}\n` +
          (summary.cancelled
            ? '  stopped: the file keeps what finished; run the same command again to go on.\n'
            : `  report: llemma bench report ${JSON.stringify(summary.out)}\n`),
      );
    }
    return summary.cancelled ? 1 : 0;
  } finally {
    display.stop();
    await core.dispose();
  }
}

function report(args: BenchReportArgs): number {
  const files = args.files.map((f) => path.resolve(f));
  if (args.html !== undefined) {
    const page = reportPageOf(files, randomBytes(18).toString('base64url'));
    writeFileSync(args.html, page);
    printText(`${args.html}: the report of ${files.length} results file(s)\n`);
    return 0;
  }
  const { report, markdown } = reportOf(files);
  if (args.markdown) {
    printText(markdown);
    return 0;
  }
  if (args.json) {
    printJson(report);
    return 0;
  }
  const lines = ['miniF2F report', ...report.header.map((h) => `  ${h.label}: ${h.value}`)];
  if (report.mixed) lines.push(`  These results mix configurations: ${report.mixed}`);
  lines.push('');
  for (const s of report.splits) {
    lines.push(
      `${s.split}: ${s.solved} of ${s.total} proved (${s.percentOfSplit.toFixed(2)} % of the split; ${s.tried} tried, ` +
        `${s.percentOfTried.toFixed(2)} % of those) · exhausted ${s.byStatus.exhausted} · budget ${s.byStatus.budget} · ` +
        `time ${s.byStatus.time} · prover error ${s.byStatus.proverError}`,
    );
  }
  lines.push('', 'by category (solved / tried / problems):');
  for (const c of report.categories.filter((x) => x.tried > 0)) {
    lines.push(`  ${c.split} ${c.category}: ${c.solved} / ${c.tried} / ${c.total}`);
  }
  lines.push('', 'published (miniF2F test), each with its own setup:');
  for (const p of report.published) lines.push(`  ${p.system}: ${p.percent.toFixed(2)} % — ${p.setup}`);
  printText(`${lines.join('\n')}\n`);
  return 0;
}

function merge(args: BenchMergeArgs): number {
  const count = mergeFiles(
    args.files.map((f) => path.resolve(f)),
    args.out,
  );
  printText(`${args.out}: ${count} results from ${args.files.length} file(s)\n`);
  return 0;
}

function init(args: BenchInitArgs): number {
  const folder = path.resolve(args.folder);
  const { files } = createProject(folder, args.variant);
  printText(
    `${folder}: wrote ${files.join(', ')}\nBuild it once, in that folder:\n${buildSteps.map((s) => `  ${s}`).join('\n')}\n`,
  );
  return 0;
}

function eta(ms: number | null): string {
  if (ms === null) return '…';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
