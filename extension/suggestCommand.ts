/**
 * `Llemma: Suggest Tactics`: verified next tactics at the cursor in a QuickPick; the chosen one is written into the
 * proof by the edit the server sent with it, if the file did not change meanwhile.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { type SuggestTacticsResult, suggestTactics, type TacticSuggestion } from '../protocol';
import {
  asRange,
  describeModel,
  describeProver,
  goalSummary,
  isCancellation,
  proverEditorAndClient,
  proverName,
  reportError,
  shortModel,
  sourcesOf,
  where,
} from './shared';

interface SuggestContext {
  client: () => LanguageClient | undefined;
  output: vscode.OutputChannel;
}

export async function suggestTacticsCommand(ctx: SuggestContext): Promise<void> {
  const target = proverEditorAndClient(ctx.client());
  if (!target) return;
  const { editor, client } = target;
  const doc = editor.document;
  const pos = editor.selection.active;
  const version = doc.version;
  const at = where(doc.uri, pos);
  let result: SuggestTacticsResult;
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        cancellable: true,
        title: 'Llemma: generating and checking tactics',
      },
      (_, token) =>
        client.sendRequest(
          suggestTactics,
          { textDocument: { uri: doc.uri.toString() }, position: { line: pos.line, character: pos.character } },
          token,
        ),
    );
  } catch (err) {
    if (isCancellation(err)) return;
    await reportError(ctx.output, `Suggest Tactics at ${at}`, err);
    return;
  }
  logResult(ctx.output, at, result);

  const { generated, failed, forbidden, verified } = result.counts;
  if (result.goals.length === 0) {
    void vscode.window.showInformationMessage(
      'Llemma: no goal is open here; the proof is already complete at this line.',
    );
    return;
  }
  if (result.suggestions.length === 0) {
    const choice = await vscode.window.showInformationMessage(
      `Llemma: none of the ${generated} generated tactics was accepted by ${proverName(result.prover)} (${failed} failed, ${forbidden} forbidden).`,
      'Show Output',
    );
    if (choice) ctx.output.show(true);
    return;
  }
  const items = result.suggestions.map((s) => ({
    label: `${s.status === 'closes' ? '$(pass-filled)' : '$(arrow-right)'} ${s.tactic.replace(/\s*\n\s*/g, ' ⏎ ')}`,
    // The source(s) beside the score: where the tactic came from is part of what the user weighs.
    description: `${sourcesOf(s)} · ${s.score.toFixed(2)}`,
    detail: s.status === 'closes' ? 'closes the goal' : goalSummary(s.remainingGoals),
    suggestion: s,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title:
      `${verified} verified of ${generated} generated · ${shortModel(result.model)}` +
      ` · ${proverName(result.prover)} ${result.prover.toolchain ?? '?'}`,
    placeHolder: `Tactics ${proverName(result.prover)} accepted for ${result.declaration}; source · score (calibrated log-probability)`,
    matchOnDetail: true,
  });
  if (!picked) return;
  if (doc.isClosed || doc.version !== version) {
    void vscode.window.showWarningMessage(
      `Llemma: the file changed since the tactics were checked; "${picked.suggestion.tactic}" was not inserted. Run Suggest Tactics again.`,
    );
    return;
  }
  await insertTactic(doc, picked.suggestion);
}

/** Applies the server's edit, which writes the tactic where the state it was checked against is. */
async function insertTactic(doc: vscode.TextDocument, s: TacticSuggestion): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, asRange(s.edit.range), s.edit.newText);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showWarningMessage('Llemma: VS Code refused the edit; the tactic was not inserted.');
  }
}

function logResult(out: vscode.OutputChannel, at: string, r: SuggestTacticsResult): void {
  const c = r.counts;
  const t = r.timings;
  out.appendLine(
    `Suggest Tactics at ${at} · ${r.declaration}: ${c.verified} verified of ${c.generated} generated ` +
      `(${c.failed} failed, ${c.forbidden} forbidden)${r.cached ? ' · model candidates from cache' : ''}`,
  );
  out.appendLine(`  model: ${describeModel(r.model)} · beam ${r.budget.beamWidth}, ${r.budget.candidates} candidates`);
  out.appendLine(`  prover: ${describeProver(r.prover)}`);
  out.appendLine(
    `  time: goal ${ms(t.goalMs)} · model ${ms(t.modelMs)} · ${proverName(r.prover)} ${ms(t.proverMs)} · total ${ms(t.totalMs)}`,
  );
  for (const s of r.suggestions) {
    out.appendLine(
      `  ${s.status === 'closes' ? '✓' : '→'} ${s.score.toFixed(3)}  ${sourcesOf(s).padEnd(10)}  ${JSON.stringify(s.tactic)}`,
    );
  }
  for (const f of r.forbidden) out.appendLine(`  forbidden ${JSON.stringify(f.tactic)}: ${f.reason}`);
}

const ms = (n: number) => `${Math.round(n)} ms`;
