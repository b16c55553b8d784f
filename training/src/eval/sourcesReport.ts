/** eval-sources.json's shape, and eval-sources.md: the source comparison for people, with what it was measured on. */
import type { UnknownGoalQuery } from '../run/config';
import type { Paired, SourceFigures } from './compare';

export interface StepSet {
  name: 'first steps' | 'all steps';
  steps: number;
  goalKnown: number;
  sources: SourceFigures[];
  paired: Paired[];
}

export interface SourcesReport {
  run: string;
  split: 'heldout' | 'heldaside';
  sources: string[];
  unknownGoal: UnknownGoalQuery;
  index: { file: string; entries: number; provenance: Record<string, unknown> };
  /** The model folder whose model, procedures and tables were used (absent: no model row, merged without it). */
  model?: { folder: string; tables: string; contexts: number };
  /** Steps of the split before a `maxSteps` sample was drawn (absent: every step was evaluated). */
  sampledFrom?: number;
  sets: StepSet[];
  seconds: number;
  /** Per evaluated step: where it is, and the rank of its tactic in each source's list (-1: not in the first 32). */
  steps: { path: string; theorem: string; line: number; step: number }[];
  ranks: Record<string, number[]>;
}

const pct = (k: number, n: number) => (n > 0 ? `${((100 * k) / n).toFixed(1)} %` : 'n/a');
const pValue = (p: number) => (p < 0.001 ? p.toExponential(1) : p.toFixed(3));

export function markdownSourcesReport(r: SourcesReport): string {
  const split =
    r.split === 'heldout'
      ? 'held-out files'
      : 'held-aside training files (tuning; every index built from the other training files)';
  const out = [
    `# Candidate sources, run \`${r.run}\``,
    '',
    `Every step of the ${split} of ${r.sources.join(', ') || 'all sources'}. A step counts as right at top-k when ` +
      'the tactic written there is among the first k candidates (whitespace normalised). Retrieval index: ' +
      `${r.index.entries} goals (${r.index.file}); where the state is unknown retrieval queries by ${r.unknownGoal}. ` +
      `${r.seconds} s.`,
    '',
  ];
  for (const set of r.sets) out.push(...setSection(set));
  return `${out.join('\n')}\n`;
}

export function setSection(set: StepSet): string[] {
  const n = set.steps;
  const baseline = set.sources.find((s) => s.name === 'frequency');
  const out = [
    `## ${set.name}: ${n} (${set.goalKnown} with the tactic state known)`,
    '',
    '| source | top-1 | top-8 | top-32 | top-8 ÷ frequency | p50 / p95 ms for 32 |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of set.sources) {
    const ratio = baseline && baseline.hits.top8 > 0 ? (s.hits.top8 / baseline.hits.top8).toFixed(2) : 'n/a';
    out.push(
      `| ${s.name} | ${pct(s.hits.top1, n)} (${s.hits.top1}) | ${pct(s.hits.top8, n)} (${s.hits.top8}) | ` +
        `${pct(s.hits.top32, n)} (${s.hits.top32}) | ${ratio} | ${s.p50Ms} / ${s.p95Ms} |`,
    );
  }
  out.push(
    '',
    'Paired, step by step: how many only one side gets right within the cut-off; exact two-sided sign test.',
  );
  out.push('', '| source | against | cut-off | source only | other only | p |', '|---|---|---:|---:|---:|---:|');
  for (const p of set.paired) out.push(pairedRow(p));
  out.push('', ...set.sources.map((s) => `- ${s.name}: ${s.description}`), '');
  return out;
}

function pairedRow(p: Paired): string {
  return `| ${p.source} | ${p.against} | top-${p.cutoff} | ${p.sourceOnly} | ${p.againstOnly} | ${pValue(p.p)} |`;
}
