/**
 * The report as a web page: for the extension's webview, and as a file of its own (`llemma bench report --html`).
 * Tables are HTML made here, with every text from outside (proofs from the model, Lean's messages, names, paths)
 * passed through `forDisplay` and HTML-escaped. The charts are drawn by the charts script (extension/webview/, Chart.js
 * bundled into dist/minif2fCharts.js, never from a network) from the report's data, embedded as JSON that cannot end
 * its script element. A Content-Security-Policy allows only scripts and styles carrying the page's nonce.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type BenchmarkReport, forDisplay, reportChartsScript } from '../../protocol';
import { statusLabel } from './report';

/** HTML-escapes outside text (after making terminal and bidirectional controls visible). */
export function esc(text: string): string {
  return forDisplay(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON inside a `<script type="application/json">`: `<` escaped, so no text in it can close the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export type ChartsScript =
  /** A webview: the script's URI and the webview's CSP source. */
  | { kind: 'uri'; uri: string; cspSource: string }
  /** A page of its own: the script's text, inlined. */
  | { kind: 'inline'; text: string };

export function reportHtml(report: BenchmarkReport, nonce: string, script: ChartsScript): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('a CSP nonce is 16 or more base64 characters');
  const imgSrc = script.kind === 'uri' ? `${script.cspSource} data:` : 'data:';
  const csp = `default-src 'none'; img-src ${imgSrc}; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  const scriptTag =
    script.kind === 'uri'
      ? `<script nonce="${nonce}" src="${esc(script.uri)}"></script>`
      : // A script element ends at the first `</script`, wherever it is: written `<\/script`, JavaScript reads the same.
        `<script nonce="${nonce}">${script.text.replace(/<\/script/gi, '<\\/script')}</script>`;
  const splitsRows = report.splits
    .map(
      (s) =>
        `<tr><td>${s.split}</td><td class="n">${s.solved}</td><td class="n">${s.tried}</td><td class="n">${s.total}</td>` +
        `<td class="n"><b>${s.percentOfSplit.toFixed(2)} %</b></td><td class="n">${s.percentOfTried.toFixed(2)} %</td>` +
        `<td class="n">${s.byStatus.exhausted}</td><td class="n">${s.byStatus.budget}</td><td class="n">${s.byStatus.time}</td>` +
        `<td class="n">${s.byStatus.proverError}</td></tr>`,
    )
    .join('');
  const published = report.published
    .map(
      (p) => `<tr><td>${esc(p.system)}</td><td class="n">${p.percent.toFixed(2)} %</td><td>${esc(p.setup)}</td></tr>`,
    )
    .join('');
  const rows = report.rows
    .map((r) => {
      const proof =
        r.status === 'proved'
          ? `<ol class="proof">${r.proof
              .map((t, i) => `<li><code>${esc(t)}</code> <span class="source">${esc(r.sources[i] ?? '—')}</span></li>`)
              .join('')}</ol>`
          : r.error
            ? `<span class="error">${esc(r.error)}</span>`
            : '';
      return (
        `<tr class="${r.status}"><td><code>${esc(r.problem)}</code></td><td>${r.split}</td><td>${esc(r.category)}</td>` +
        `<td>${statusLabel[r.status]}</td><td>${proof}</td><td class="n">${(r.wallMs / 1000).toFixed(1)}</td>` +
        `<td class="n">${r.expansions}</td></tr>`
      );
    })
    .join('');
  const header = report.header.map((h) => `<tr><th>${esc(h.label)}</th><td>${esc(h.value)}</td></tr>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>miniF2F report</title>
<style nonce="${nonce}">${style}</style>
</head>
<body>
<h1>miniF2F report</h1>
<table class="setup">${header}</table>
${report.mixed ? `<p class="warning">These results mix configurations: ${esc(report.mixed)}</p>` : ''}
<div class="actions" id="actions" hidden><button id="export-markdown">Export Markdown</button><button id="export-json">Export JSON</button></div>
<h2>Solved</h2>
<table class="summary" id="summary"><tr><th>split</th><th>solved</th><th>tried</th><th>problems</th><th>% of split</th><th>% of tried</th><th>exhausted</th><th>budget</th><th>time</th><th>prover error</th></tr>${splitsRows}</table>
<div class="charts">
<figure><figcaption>Solved % per split, beside published results (test)</figcaption><canvas id="chart-splits" role="img" aria-label="solved percent per split"></canvas></figure>
<figure><figcaption>Solved per category</figcaption><canvas id="chart-categories" role="img" aria-label="solved per category"></canvas></figure>
<figure><figcaption>Problems proved within x expansions</figcaption><canvas id="chart-expansions" role="img" aria-label="solved over expansions"></canvas></figure>
<figure><figcaption>Problems proved within x seconds</figcaption><canvas id="chart-seconds" role="img" aria-label="solved over time"></canvas></figure>
</div>
<h2>Published results</h2>
<p>miniF2F test (244 problems). Each number comes from its own setup, named beside it; only a row with this run's setup compares directly.</p>
<table class="published">${published}</table>
<h2>Problems</h2>
<table class="problems" id="problems"><tr><th>problem</th><th>split</th><th>category</th><th>status</th><th>proof (source of each tactic)</th><th>time (s)</th><th>expansions</th></tr>${rows}</table>
<p class="files">Results files: ${report.files.map(esc).join(', ')}</p>
<script type="application/json" id="report-data">${scriptJson(report)}</script>
${scriptTag}
</body>
</html>
`;
}

/** The charts script beside the running bundle (dist/), or in the repository's dist/ when run from source. */
export function chartsScriptText(): string {
  const candidates = [
    path.join(__dirname, reportChartsScript),
    path.resolve(__dirname, '..', '..', 'dist', reportChartsScript),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(`the charts script ${reportChartsScript} is missing beside the CLI: run \`npm run build\``);
  return readFileSync(found, 'utf8');
}

const style = `
body { font-family: var(--vscode-font-family, system-ui, sans-serif); font-size: 13px; color: var(--vscode-foreground, #222);
  background: var(--vscode-editor-background, #fff); margin: 1em 2em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid var(--vscode-panel-border, #ccc); padding: 3px 8px; text-align: left; vertical-align: top; }
table.setup th { white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.proved td:nth-child(4) { color: var(--vscode-testing-iconPassed, #2a7); font-weight: bold; }
tr.proverError td:nth-child(4) { color: var(--vscode-errorForeground, #c33); }
ol.proof { margin: 0; padding-left: 1.4em; } .source { opacity: 0.7; font-size: 0.9em; }
code { font-family: var(--vscode-editor-font-family, monospace); white-space: pre-wrap; }
.error { white-space: pre-wrap; font-size: 0.9em; }
.warning { color: var(--vscode-editorWarning-foreground, #a60); font-weight: bold; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1em; }
figure { margin: 0; } figcaption { font-weight: bold; margin-bottom: 0.3em; }
canvas { max-height: 300px; }
.actions button { margin-right: 0.5em; }
`;
