/**
 * The run's account of itself: report.json (everything, for tools) and report.md (the same, for people). Every
 * dropped document is listed with the reason, and every benchmark overlap with the benchmark item's name and the
 * matched text, so a reviewer can judge each decision without re-running anything.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { DataConfig } from '../run/config';
import type { Overlap } from './decontaminate';
import { type ExampleCounts, emptyExampleCounts } from './tacticExamples';

export interface SourceStats {
  name: string;
  weight: number;
  read: number;
  bytes: number;
  exactDuplicates: number;
  nearDuplicates: number;
  contaminated: number;
  kept: number;
  keptBytes: number;
  /** Documents in the mixture after weighting (copies), and their bytes. */
  mixtureCopies: number;
  mixtureBytes: number;
  tactics: ExampleCounts & { train: number; heldOut: number; contaminatedProofs: number };
}

interface DocRef {
  source: string;
  path: string;
}

export interface DataReport {
  run: string;
  seed: number;
  dataDir: string;
  runDir: string;
  config: DataConfig;
  sources: SourceStats[];
  benchmarks: { name: string; path: string; texts: number; items: number }[];
  /** Distinct benchmark n-grams per n-gram size. */
  ngramsIndexed: Record<number, number>;
  overlaps: (Overlap & { dropped: boolean })[];
  exactDuplicates: (DocRef & { of: DocRef })[];
  nearDuplicates: (DocRef & { of: DocRef; similarity: number })[];
  outputs: { mixture: string[]; tacticsTrain: string; tacticsHeldOut: string };
  /** Worker threads used (0: the main thread); the output does not depend on it. */
  workers: number;
  /** Wall-clock milliseconds per stage; the only part of the report that differs between identical runs. */
  timingsMs: Record<string, number>;
}

export function emptySourceStats(name: string, weight: number): SourceStats {
  return {
    name,
    weight,
    read: 0,
    bytes: 0,
    exactDuplicates: 0,
    nearDuplicates: 0,
    contaminated: 0,
    kept: 0,
    keptBytes: 0,
    mixtureCopies: 0,
    mixtureBytes: 0,
    tactics: { ...emptyExampleCounts(), train: 0, heldOut: 0, contaminatedProofs: 0 },
  };
}

export function writeReport(dir: string, report: DataReport): void {
  writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(dir, 'report.md'), markdownReport(report));
}

const mb = (n: number) => (n / 1e6).toFixed(1);
/** Table cells: pipes and newlines would break the row. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownReport(r: DataReport): string {
  const dc = r.config.decontamination;
  const out: string[] = [`# Data run \`${r.run}\``, ''];
  out.push(`Seed ${r.seed}; data from \`${r.dataDir}\`; ${(r.timingsMs['total'] ?? 0) / 1000} s.`, '');
  out.push('## Documents per source', '');
  out.push('| source | weight | read | MB | exact dups | near dups | contaminated | kept | kept MB | in mixture |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of r.sources) {
    out.push(
      `| ${s.name} | ${s.weight} | ${s.read} | ${mb(s.bytes)} | ${s.exactDuplicates} | ${s.nearDuplicates} | ` +
        `${s.contaminated} | ${s.kept} | ${mb(s.keptBytes)} | ${s.mixtureCopies} (${mb(s.mixtureBytes)} MB) |`,
    );
  }
  out.push('', '## Tactic examples', '');
  out.push(
    '| source | proofs | with goal from binders | later steps with goal stated | inline `by` tactics ' +
      '(of term proofs) | incomplete (sorry) | contaminated | examples | too long | train | held out |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const { name, tactics: t } of r.sources) {
    out.push(
      `| ${name} | ${t.proofs} | ${t.withGoal} | ${t.statedGoals} | ${t.inline} (${t.termProofs}) | ${t.incomplete} | ` +
        `${t.contaminatedProofs} | ${t.examples} | ${t.tooLong} | ${t.train} | ${t.heldOut} |`,
    );
  }
  out.push(
    '',
    'Goals known besides first steps: steps that begin a `have … : P := by`, `obtain … : P := by` or `calc` step ' +
      'block, or follow `show P` or `suffices h : P by/from`, and tactics after `by` on such a header’s line ' +
      '(inline, not steps of their own; examples with `inline: true`), also in term-mode proofs. Their goal is the ' +
      'theorem’s binders and ' +
      '`⊢ P`: what the proof introduced before the block needs Lean to know.',
  );
  out.push('', '## Decontamination', '');
  out.push(
    `N-gram sizes ${dc.ngramSizes.join(' and ')} (normalised tokens); overlaps of ${dc.dropAtNgram} tokens or more ` +
      `drop the document; problem-name matches: ${dc.problemIds}. Benchmark n-grams indexed: ` +
      `${Object.entries(r.ngramsIndexed)
        .map(([n, c]) => `${c} ${n}-grams`)
        .join(', ')}.`,
    '',
  );
  out.push('| benchmark | file | problems | texts |', '|---|---|---:|---:|');
  for (const b of r.benchmarks) out.push(`| ${b.name} | \`${b.path}\` | ${b.items} | ${b.texts} |`);
  out.push('', `### Overlaps (${r.overlaps.length})`, '');
  if (r.overlaps.length === 0) out.push('None.');
  else {
    out.push('| document | line | benchmark item | split | kind | windows | dropped | matched text |');
    out.push('|---|---:|---|---|---|---:|---|---|');
    for (const o of r.overlaps) {
      const kind = o.kind === 'ngram' ? `${o.n}-gram` : 'problem name';
      out.push(
        `| ${o.source}: \`${cell(o.path)}\` | ${o.line} | ${o.item} (${o.benchmark}, ${o.field}) | ${o.split} | ` +
          `${kind} | ${o.windows} | ${o.dropped ? 'yes' : 'no'} | ${cell(o.kind === 'ngram' ? `\`${o.ngram}\`` : o.ngram)} |`,
      );
    }
  }
  out.push('', `## Duplicates (${r.exactDuplicates.length} exact, ${r.nearDuplicates.length} near)`, '');
  for (const d of r.exactDuplicates) out.push(`- exact: ${d.source}: \`${d.path}\` = ${d.of.source}: \`${d.of.path}\``);
  for (const d of r.nearDuplicates) {
    out.push(`- near (${d.similarity.toFixed(2)}): ${d.source}: \`${d.path}\` ≈ ${d.of.source}: \`${d.of.path}\``);
  }
  out.push('', '## Outputs', '');
  out.push(`- mixture: ${r.outputs.mixture.map((f) => `\`${f}\``).join(', ')}`);
  out.push(`- tactic examples: \`${r.outputs.tacticsTrain}\`, \`${r.outputs.tacticsHeldOut}\``);
  out.push(
    `- timings (ms): ${Object.entries(r.timingsMs)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
  );
  return out.join('\n');
}
