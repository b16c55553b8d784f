/**
 * The report as Markdown (`llemma bench report --markdown`, the webview's "Export Markdown"). Every text from outside
 * (proofs, Lean's messages, the model's name) is written as plain text: HTML-escaped, table pipes escaped, newlines as
 * `<br>`, terminal controls made visible.
 */
import { type BenchmarkReport, forDisplay } from '../../protocol';
import { statusLabel } from './report';

/** A table cell of outside text: nothing in it is markup. */
export function mdCell(text: string): string {
  return forDisplay(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#])/g, '\\$1')
    .replace(/\n/g, '<br>');
}

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join(
    '\n',
  );

export function reportMarkdown(report: BenchmarkReport): string {
  const out: string[] = ['# miniF2F report', ''];
  out.push(
    table(
      ['', ''],
      report.header.map((h) => [h.label, mdCell(h.value)]),
    ),
    '',
  );
  if (report.mixed) out.push(`**These results mix configurations** (${mdCell(report.mixed)}).`, '');
  out.push('## Solved', '');
  out.push(
    table(
      [
        'split',
        'solved',
        'tried',
        'problems',
        '% of split',
        '% of tried',
        'exhausted',
        'budget',
        'time',
        'prover error',
      ],
      report.splits.map((s) => [
        s.split,
        String(s.solved),
        String(s.tried),
        String(s.total),
        s.percentOfSplit.toFixed(2),
        s.percentOfTried.toFixed(2),
        String(s.byStatus.exhausted),
        String(s.byStatus.budget),
        String(s.byStatus.time),
        String(s.byStatus.proverError),
      ]),
    ),
    '',
  );
  out.push('## By category', '');
  out.push(
    table(
      ['split', 'category', 'solved', 'tried', 'problems'],
      report.categories
        .filter((c) => c.total > 0)
        .map((c) => [c.split, c.category, String(c.solved), String(c.tried), String(c.total)]),
    ),
    '',
  );
  if (report.published.length > 0) {
    out.push('## Published results (miniF2F test, 244 problems)', '');
    out.push(
      'Each was produced with its own setup, named beside it; only rows with the same setup as this run compare directly.',
      '',
    );
    out.push(
      table(
        ['system', '% solved', 'setup'],
        report.published.map((p) => [mdCell(p.system), p.percent.toFixed(2), mdCell(p.setup)]),
      ),
      '',
    );
  }
  out.push('## Problems', '');
  out.push(
    table(
      ['problem', 'split', 'category', 'status', 'proof (source of each tactic)', 'time (s)', 'expansions'],
      report.rows.map((r) => [
        mdCell(r.problem),
        r.split,
        r.category,
        statusLabel[r.status],
        r.status === 'proved'
          ? r.proof.map((t, i) => `${mdCell(t)} (${mdCell(r.sources[i] ?? '—')})`).join('<br>')
          : mdCell(r.error ?? ''),
        (r.wallMs / 1000).toFixed(1),
        String(r.expansions),
      ]),
    ),
    '',
  );
  out.push(`Results files: ${report.files.map(mdCell).join(', ')}`, '');
  return out.join('\n');
}
