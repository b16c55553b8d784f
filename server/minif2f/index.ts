/**
 * miniF2F benchmark runs, for the core: the runner, results files (read, merged, written), the report in its three
 * forms, the Lean project a variant needs. The front ends reach this through server/core.ts.
 */
import { writeFileSync } from 'node:fs';
import { type BenchmarkRecord, LlemmaErrorCode, type MiniF2FReportResult } from '../../protocol';
import { LlemmaError } from '../errors';
import { buildReport } from './report';
import { chartsScriptText, reportHtml } from './reportHtml';
import { reportMarkdown } from './reportMarkdown';
import { mergeRecords, readResults } from './results';

export { parseShard, type Shard, selectProblems, shardName } from './problems';
export { buildSteps, checkProject, createProject } from './project';
export { statusLabel } from './report';
export { type MiniF2FRunOptions, type MiniF2FRunSummary, runMiniF2F, type WorkerProver } from './runner';

/** The records of results files as one set (a problem once; one configuration), with what was dropped. */
export function recordsOf(files: readonly string[]): { records: BenchmarkRecord[]; tornTails: string[] } {
  if (files.length === 0) throw new LlemmaError(LlemmaErrorCode.ResultsFileError, 'No results file given.');
  const read = files.map((file) => ({ file, ...readResults(file) }));
  for (const r of read) {
    if (r.records.length === 0 && r.tornTailBytes === 0 && r.completeBytes === 0) {
      throw new LlemmaError(LlemmaErrorCode.ResultsFileError, `${r.file} holds no results (it is empty or missing).`);
    }
  }
  return { records: mergeRecords(read), tornTails: read.filter((r) => r.tornTailBytes > 0).map((r) => r.file) };
}

/** The report of results files: its data and its Markdown, and the webview's page when asked for. */
export function reportOf(
  files: readonly string[],
  webview?: { nonce: string; scriptUri: string; cspSource: string },
): MiniF2FReportResult {
  const report = buildReport(recordsOf(files).records, files);
  return {
    report,
    markdown: reportMarkdown(report),
    ...(webview
      ? {
          html: reportHtml(report, webview.nonce, {
            kind: 'uri',
            uri: webview.scriptUri,
            cspSource: webview.cspSource,
          }),
        }
      : {}),
  };
}

/** The report as a page of its own, the charts script inlined (`llemma bench report --html`). */
export function reportPageOf(files: readonly string[], nonce: string): string {
  return reportHtml(buildReport(recordsOf(files).records, files), nonce, { kind: 'inline', text: chartsScriptText() });
}

/** Writes the merged records of several files (`llemma bench merge`); returns how many. */
export function mergeFiles(files: readonly string[], out: string): number {
  const { records } = recordsOf(files);
  writeFileSync(out, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return records.length;
}
