/**
 * The miniF2F report in a webview. The server makes the page (tables HTML-escaped, the report's data as inert JSON)
 * for this webview's nonce and charts script; the page's Content-Security-Policy lets only that script and style run,
 * and the charts script (Chart.js, shipped in dist/) is the only resource the webview may load. The page can post one
 * message, "export", which is answered here with a save dialog: what is written is the server's Markdown or the
 * report's JSON, never anything the page sent.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { type MiniF2FReportResult, miniF2FReport, type ReportPageMessage, reportChartsScript } from '../protocol';

export async function showReport(
  client: LanguageClient,
  extensionUri: vscode.Uri,
  files: string[],
  output: vscode.OutputChannel,
): Promise<void> {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const panel = vscode.window.createWebviewPanel(
    'llemma.miniF2FReport',
    `miniF2F report: ${path.basename(files[0] ?? '')}`,
    vscode.ViewColumn.Active,
    { enableScripts: true, localResourceRoots: [dist], enableFindWidget: true },
  );
  let result: MiniF2FReportResult;
  try {
    const nonce = randomBytes(18).toString('base64url');
    const scriptUri = panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, reportChartsScript)).toString();
    result = await client.sendRequest(miniF2FReport, {
      files,
      webview: { nonce, scriptUri, cspSource: panel.webview.cspSource },
    });
  } catch (err) {
    panel.dispose();
    throw err;
  }
  panel.webview.html = result.html ?? '';
  panel.webview.onDidReceiveMessage((message: unknown) => {
    if (isExport(message)) void exportReport(result, files, message.format, output);
  });
  for (const h of result.report.header) output.appendLine(`  ${h.label}: ${h.value}`);
}

function isExport(m: unknown): m is ReportPageMessage {
  const x = m as Partial<ReportPageMessage> | null;
  return x?.type === 'export' && (x.format === 'markdown' || x.format === 'json');
}

async function exportReport(
  result: MiniF2FReportResult,
  files: string[],
  format: ReportPageMessage['format'],
  output: vscode.OutputChannel,
): Promise<void> {
  const base = (files[0] ?? 'minif2f.jsonl').replace(/\.jsonl$/, '');
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(format === 'markdown' ? `${base}.report.md` : `${base}.report.json`),
    filters: format === 'markdown' ? { Markdown: ['md'] } : { JSON: ['json'] },
  });
  if (!target) return;
  const text = format === 'markdown' ? result.markdown : `${JSON.stringify(result.report, null, 2)}\n`;
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  output.appendLine(`miniF2F report exported to ${target.fsPath}`);
  void vscode.window.showInformationMessage(`Llemma: report saved to ${path.basename(target.fsPath)}.`);
}
