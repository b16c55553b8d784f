/** calibrate.md: how the merged generator's tables were made, for people. */
import type { SourceTables } from '@llemma/model';
import type { ProcedureRow } from './procedures';
import type { ModelTableFit } from './sourceCalibration';

const pct = (k: number, n: number) => (n > 0 ? `${((100 * k) / n).toFixed(1)} %` : 'n/a');
const pValue = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));
const num = (x: number) => x.toFixed(2);

export interface Variant {
  name: string;
  top1: number;
  top8: number;
  top32: number;
}

export interface CalibrateSet {
  name: 'first steps' | 'later steps';
  steps: number;
  variants: Variant[];
  /** Each variant against retrieval alone at top-8: steps only it gets right, only retrieval does, sign test. */
  paired: { source: string; sourceOnly: number; retrievalOnly: number; p: number }[];
}

export interface CalibrateReport {
  run: string;
  folder: string;
  heldAside: { steps: number; sampled: { first: number; later: number }; withContext: number };
  procedures: { ranking: ProcedureRow[]; chosen: string[] };
  model: ModelTableFit;
  tables: SourceTables;
  /** Cross-fitted on the sample: every source and merge rule on steps whose files the tables did not see. */
  sets: CalibrateSet[];
  files: { sources: string; modelFolder?: string };
  seconds: number;
}

export function markdownCalibrateReport(r: CalibrateReport): string {
  const out = [
    `# Candidate sources calibrated, run \`${r.run}\``,
    '',
    `Model folder \`${r.folder}\`. Held-aside training steps: ${r.heldAside.steps}; sampled ${r.heldAside.sampled.first} ` +
      `first and ${r.heldAside.sampled.later} later steps (${r.heldAside.withContext} with a context the model could ` +
      `read). Merge rule: **${r.tables.merge}**. ${r.seconds} s.`,
    '',
    '## Decision procedures',
    '',
    `${r.tables.provenance['procedures'] ?? ''}.`,
    '',
    '| tactic | files | closing | uses | closing share | chosen | score first / later |',
    '|---|---:|---:|---:|---:|---|---:|',
  ];
  const scores = new Map(r.tables.procedures.map((p) => [p.tactic, p.logProbability]));
  for (const row of r.procedures.ranking) {
    const s = scores.get(row.tactic);
    out.push(
      `| \`${row.tactic}\` | ${row.files} | ${row.closing} | ${row.uses} | ${(100 * row.closingShare).toFixed(0)} % | ` +
        `${row.chosen ? 'yes' : (row.why ?? 'too few files')} | ${s ? `${num(s.first)} / ${num(s.later)}` : ''} |`,
    );
  }
  out.push(
    '',
    "## The model's table (log-probability by rank)",
    '',
    '| ranks | first: n, right, p | later: n, right, p |',
  );
  out.push('|---|---:|---:|');
  for (const [i, b] of r.model.bins.first.entries()) {
    const l = r.model.bins.later[i];
    const from = i === 0 ? 0 : (r.model.bins.first[i - 1]?.upTo ?? 0) + 1;
    out.push(
      `| ${from}–${b.upTo} | ${b.candidates}, ${b.right}, ${pct(b.probability * 1000, 1000)} | ` +
        `${l?.candidates}, ${l?.right}, ${pct((l?.probability ?? 0) * 1000, 1000)} |`,
    );
  }
  out.push(
    '',
    '## Held-aside figures (cross-fitted)',
    '',
    "Tables fitted on one half of the sample's files, every source and merge rule measured on the other half, both " +
      'ways round. A step is right at top-k when the tactic written is among the first k (whitespace normalised).',
  );
  for (const set of r.sets) {
    out.push('', `### ${set.name}: ${set.steps}`, '', '| source | top-1 | top-8 | top-32 |', '|---|---:|---:|---:|');
    for (const v of set.variants) {
      out.push(
        `| ${v.name} | ${pct(v.top1, set.steps)} (${v.top1}) | ${pct(v.top8, set.steps)} (${v.top8}) | ${pct(v.top32, set.steps)} (${v.top32}) |`,
      );
    }
    out.push('', '| source | against | cut-off | source only | retrieval only | p |', '|---|---|---:|---:|---:|---:|');
    for (const p of set.paired) {
      out.push(`| ${p.source} | retrieval | top-8 | ${p.sourceOnly} | ${p.retrievalOnly} | ${pValue(p.p)} |`);
    }
  }
  return `${out.join('\n')}\n`;
}
