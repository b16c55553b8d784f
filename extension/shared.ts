/** Small helpers shared by the commands and providers: error codes, the lines printed beside results, ranges. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCodes, type LanguageClient, LSPErrorCodes } from 'vscode-languageclient/node';
import { isProverLanguage, LlemmaErrorCode, type ModelDescription, type ProverInfo } from '../protocol';
import { toastText } from './toastText';

/** The `code` of a `ResponseError` (or anything shaped like one); undefined for other errors. */
export function errorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The request was cancelled (by us, by VS Code or by the server) or the client is shutting down. */
export function isCancellation(err: unknown): boolean {
  const code = errorCode(err);
  return (
    code === LlemmaErrorCode.Cancelled ||
    code === LSPErrorCodes.RequestCancelled ||
    code === LSPErrorCodes.ServerCancelled ||
    code === LSPErrorCodes.ContentModified ||
    code === ErrorCodes.ConnectionInactive ||
    code === ErrorCodes.PendingResponseRejected
  );
}

/** Errors that are normal while typing (not in a proof, not in a Lean project, cancelled): never reported. */
export function isSilentWhileTyping(err: unknown): boolean {
  const code = errorCode(err);
  return code === LlemmaErrorCode.NotInProof || code === LlemmaErrorCode.NotInProject || isCancellation(err);
}

/** `file.lean:12:5` (1-based, as editors print positions). */
export function where(uri: vscode.Uri, pos: { line: number; character: number }): string {
  return `${path.basename(uri.fsPath)}:${pos.line + 1}:${pos.character + 1}`;
}

export function describeModel(m: ModelDescription): string {
  const skipped = m.skippedProviders?.length ? ` (skipped: ${m.skippedProviders.join('; ')})` : '';
  const graph = m.generationGraph ? `, ${m.generationGraph}` : '';
  const sources = m.sources ? ` · sources ${m.sources.join(', ') || 'none'}` : '';
  const unused = m.skippedSources?.length ? ` (not used: ${m.skippedSources.join('; ')})` : '';
  if (m.provider === 'none') return `${m.source} (no neural model asked)${sources}${unused}`;
  return `${m.source} (${m.provider}${skipped}${graph}, prompt ${m.promptFormat})${sources}${unused}`;
}

/** Where a candidate came from, for a list: its sources joined (`retrieval + procedures`). */
export function sourcesOf(s: { source: string; sources?: readonly string[] }): string {
  return (s.sources && s.sources.length > 0 ? s.sources : [s.source]).join(' + ');
}

/**
 * One line for a title: the model folder's name (or the server URL) and where it ran, without the reasons
 * other providers were skipped (those are in `describeModel`, written to the output channel).
 */
export function shortModel(m: ModelDescription): string {
  const source = /^https?:\/\//.test(m.source) ? m.source : (m.source.split(/[\\/]/).filter(Boolean).pop() ?? m.source);
  // No neural model asked (the embedded folder's default): the sources that answered say more than a provider.
  if (m.provider === 'none' && m.sources?.length) return `${source} (${m.sources.join(' + ')})`;
  return `${source} (${m.provider})`;
}

export function describeProver(p: ProverInfo): string {
  const processes = p.checkProcesses && p.checkProcesses > 1 ? ` (up to ${p.checkProcesses} processes)` : '';
  return `Lean ${p.toolchain ?? '(no lean-toolchain)'} · project ${p.projectRoot} · ${p.replCommand}${processes}`;
}

/** The prover's name as the user reads it in a message. */
export function proverName(p: ProverInfo): string {
  return p.prover === 'isabelle' ? 'Isabelle' : 'Lean';
}

/** Which prover re-checked a proof, and how it was started: the REPL command shows a test double for what it is. */
export function checkedBy(p: ProverInfo): string {
  return `re-checked by ${p.prover} via \`${p.replCommand}\``;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** An LSP range as VS Code's. */
export function asRange(r: { start: { line: number; character: number }; end: { line: number; character: number } }) {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** The first goal's conclusion on one line (`⊢ x ≠ 0`), for a QuickPick detail. */
export function goalSummary(goals: string[]): string {
  const first = goals[0];
  if (first === undefined) return 'no goals left';
  const turnstile = first.indexOf('⊢');
  const conclusion = (turnstile >= 0 ? first.slice(turnstile) : first).replace(/\s+/g, ' ').trim();
  const more = goals.length > 1 ? ` (+${goals.length - 1} more goal${goals.length > 2 ? 's' : ''})` : '';
  return conclusion + more;
}

/**
 * The active editor of a prover language (Lean 4 or an Isabelle theory) and the running client; undefined after
 * telling the user which of the two is missing.
 */
export function proverEditorAndClient(
  client: LanguageClient | undefined,
): { editor: vscode.TextEditor; client: LanguageClient } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isProverLanguage(editor.document.languageId)) {
    void vscode.window.showWarningMessage(
      'Llemma: open a Lean 4 file or an Isabelle theory and put the cursor in a proof first.',
    );
    return undefined;
  }
  if (!client) {
    reportNoServer();
    return undefined;
  }
  return { editor, client };
}

/** Said instead of starting anything while the workspace is not trusted (the Lean REPL runs the project's code). */
export const restrictedModeMessage =
  'Restricted Mode: Llemma starts Lean only in trusted folders. Trust this folder to use it.';

export async function showRestrictedMode(): Promise<void> {
  const choice = await vscode.window.showInformationMessage(restrictedModeMessage, 'Manage Workspace Trust');
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
}

/** There is no running server: in Restricted Mode that is why, otherwise the user can restart it. */
export function reportNoServer(): void {
  if (!vscode.workspace.isTrusted) void showRestrictedMode();
  else void vscode.window.showErrorMessage('Llemma: the language server is not running. Run "Llemma: Restart Server".');
}

/**
 * A failed request: the whole message goes to the output channel, a one-line form of it (`toastText`) to an error
 * toast whose button shows the output.
 */
export async function reportError(output: vscode.OutputChannel, what: string, err: unknown): Promise<void> {
  const message = errorMessage(err);
  output.appendLine(`${what}: ${message}`);
  const choice = await vscode.window.showErrorMessage(`Llemma: ${toastText(message)}`, 'Show Output');
  if (choice) output.show(true);
}
