/**
 * A read-only virtual document that shows the proof state, opened beside the Lean file. A virtual document (rather
 * than a webview) keeps the goal selectable, searchable and themable like any editor text.
 */
import * as vscode from 'vscode';
import type { GoalAtResult } from '../protocol';

const scheme = 'llemma-goal';
const uri = vscode.Uri.parse(`${scheme}:Proof State`);

export class GoalView {
  private text = '';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();

  register(): vscode.Disposable {
    const provider: vscode.TextDocumentContentProvider = {
      onDidChange: this.changed.event,
      provideTextDocumentContent: () => this.text,
    };
    return vscode.Disposable.from(this.changed, vscode.workspace.registerTextDocumentContentProvider(scheme, provider));
  }

  async show(where: string, result: GoalAtResult): Promise<void> {
    this.text = renderGoals(where, result);
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'llemma-goal');
    await vscode.window.showTextDocument(doc, {
      viewColumn: vscode.ViewColumn.Beside,
      preserveFocus: true,
      preview: true,
    });
  }
}

/** The text of the view: where, which prover produced it, then the goals as Lean prints them. */
export function renderGoals(where: string, r: GoalAtResult): string {
  const head = [
    `-- ${where} · ${r.declaration}`,
    r.prover.prover === 'isabelle'
      ? `-- Isabelle server · ${r.prover.toolchain ?? 'unknown release'} · ${Math.round(r.elapsedMs)} ms`
      : `-- Lean REPL · toolchain ${r.prover.toolchain ?? 'unknown'} · ${Math.round(r.elapsedMs)} ms`,
    r.prover.prover === 'isabelle' ? `-- session ${r.prover.projectRoot}` : `-- project ${r.prover.projectRoot}`,
    '',
  ];
  const body =
    r.goals.length === 0
      ? ['No goals: the proof is complete at this point.']
      : [`${r.goals.length} goal${r.goals.length === 1 ? '' : 's'}`, '', r.goals.join('\n\n')];
  const errors = r.errors.map((e) => `-- error at line ${e.range.start.line + 1}: ${e.message.split('\n')[0]}`);
  return [...head, ...body, ...(errors.length ? ['', ...errors] : []), ''].join('\n');
}
