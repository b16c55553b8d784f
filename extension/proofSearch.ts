/**
 * `Llemma: Complete Proof` and `Llemma: Cancel Proof Search`: one best-first search at a time, its `$/progress`
 * shown in a cancellable notification, the proof written into the file only if the file is unchanged since the
 * search started. Every result goes to the output channel with its model, prover and budget.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { type LanguageClient, WorkDoneProgress } from 'vscode-languageclient/node';
import { isProverLanguage, type ProveTheoremResult, proveTheorem } from '../protocol';
import {
  asRange,
  checkedBy,
  describeModel,
  describeProver,
  isCancellation,
  proverName,
  reportError,
  reportNoServer,
  seconds,
  where,
} from './shared';

interface SearchContext {
  client: () => LanguageClient | undefined;
  output: vscode.OutputChannel;
}

/** Context key for the palette's `when` of `llemma.cancelSearch`. */
const runningKey = 'llemma.searchRunning';

export class ProofSearches {
  private running: vscode.CancellationTokenSource | undefined;

  constructor(private readonly ctx: SearchContext) {}

  cancel(): void {
    if (this.running) this.running.cancel();
    else void vscode.window.showInformationMessage('Llemma: no proof search is running.');
  }

  /**
   * Arguments from the CodeLens: the document's uri, the `sorry`'s position and the document version the lens was
   * drawn for; else the active editor's cursor.
   */
  async complete(uriArg?: unknown, positionArg?: unknown, versionArg?: unknown): Promise<void> {
    const target = await resolveTarget(uriArg, positionArg, versionArg);
    if (target === 'stale') {
      // A lens's position is the one it was drawn for; an edit since then may have moved its `sorry`. VS Code draws
      // the lenses again a moment after an edit: the new one is right.
      void vscode.window.showWarningMessage(
        'Llemma: the file changed since this Complete Proof lens was drawn, so its sorry may have moved. Click the lens again.',
      );
      return;
    }
    if (!target) {
      void vscode.window.showWarningMessage(
        'Llemma: open a Lean 4 file or an Isabelle theory and put the cursor in a proof first.',
      );
      return;
    }
    const client = this.ctx.client();
    if (!client) {
      reportNoServer();
      return;
    }
    if (this.running) {
      const choice = await vscode.window.showInformationMessage(
        'Llemma: a proof search is already running.',
        'Cancel It',
      );
      if (choice) this.running.cancel();
      return;
    }
    const { doc, position } = target;
    const at = where(doc.uri, position);
    const version = doc.version;
    const source = new vscode.CancellationTokenSource();
    this.running = source;
    void vscode.commands.executeCommand('setContext', runningKey, true);
    let result: ProveTheoremResult;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, cancellable: true, title: 'Llemma: searching for a proof' },
        async (progress, token) => {
          const onCancel = token.onCancellationRequested(() => source.cancel());
          const workDoneToken = `llemma-search-${randomUUID()}`;
          const onProgress = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
            if (value.kind !== 'end' && value.message) progress.report({ message: value.message });
          });
          try {
            return await client.sendRequest(
              proveTheorem,
              { textDocument: { uri: doc.uri.toString() }, position, workDoneToken },
              source.token,
            );
          } finally {
            onProgress.dispose();
            onCancel.dispose();
          }
        },
      );
    } catch (err) {
      if (isCancellation(err)) {
        this.ctx.output.appendLine(`Complete Proof at ${at}: cancelled (the server sent no result).`);
        void vscode.window.showInformationMessage('Llemma: proof search cancelled.');
      } else {
        await reportError(this.ctx.output, `Complete Proof at ${at}`, err);
      }
      return;
    } finally {
      source.dispose();
      this.running = undefined;
      void vscode.commands.executeCommand('setContext', runningKey, false);
    }
    logResult(this.ctx.output, at, result);
    if (result.outcome === 'proved') await this.applyProof(doc, version, result);
    else await this.tell(result.outcome === 'cancelled' ? 'info' : 'warning', failureMessage(result));
  }

  private async applyProof(doc: vscode.TextDocument, version: number, r: ProveTheoremResult): Promise<void> {
    const others =
      r.otherSorries > 0
        ? `; the declaration still has ${r.otherSorries} other \`sorry\`${r.otherSorries === 1 ? '' : 's'} of yours`
        : '';
    const summary = `${r.tactics.length} tactic${r.tactics.length === 1 ? '' : 's'}, axioms: ${r.axioms.join(', ') || 'none'}${others}`;
    if (!r.edit) {
      await this.tell(
        'warning',
        `Llemma: a proof was found (${summary}) but the server sent no edit; it is in the output.`,
      );
      return;
    }
    if (doc.isClosed || doc.version !== version) {
      await this.tell(
        'warning',
        `Llemma: proof found and ${checkedBy(r.prover)} (${summary}), but the file changed during the search, so it was not inserted; the proof is in the output.`,
      );
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, asRange(r.edit.range), r.edit.newText);
    if (!(await vscode.workspace.applyEdit(edit))) {
      await this.tell(
        'warning',
        `Llemma: proof found (${summary}) but VS Code refused the edit; the proof is in the output.`,
      );
      return;
    }
    void vscode.window.showInformationMessage(`Llemma: proof found and ${checkedBy(r.prover)} (${summary}).`);
  }

  private async tell(kind: 'info' | 'warning', message: string): Promise<void> {
    const choice =
      kind === 'info'
        ? await vscode.window.showInformationMessage(message, 'Show Output')
        : await vscode.window.showWarningMessage(message, 'Show Output');
    if (choice) this.ctx.output.show(true);
  }
}

/**
 * The document and position to search at: a lens's (its `sorry`; `stale` when the document has changed since the
 * server drew the lens for `versionArg`), else the active editor's cursor.
 */
async function resolveTarget(
  uriArg: unknown,
  positionArg: unknown,
  versionArg: unknown,
): Promise<{ doc: vscode.TextDocument; position: { line: number; character: number } } | 'stale' | undefined> {
  if (typeof uriArg === 'string' && isPosition(positionArg)) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uriArg));
    if (typeof versionArg === 'number' && versionArg !== doc.version) return 'stale';
    return { doc, position: { line: positionArg.line, character: positionArg.character } };
  }
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isProverLanguage(editor.document.languageId)) return undefined;
  const { line, character } = editor.selection.active;
  return { doc: editor.document, position: { line, character } };
}

function isPosition(p: unknown): p is { line: number; character: number } {
  const q = p as { line?: unknown; character?: unknown } | null;
  return typeof q?.line === 'number' && typeof q.character === 'number';
}

function stats(r: ProveTheoremResult): string {
  const s = r.stats;
  return `${s.expansions} expansions, ${s.tacticsRun} tactics run in ${proverName(r.prover)}, ${s.openNodes} open, ${seconds(s.elapsedMs)}`;
}

function failureMessage(r: ProveTheoremResult): string {
  const b = r.budget;
  const rejected = r.stats.rejectedProofs
    ? `; ${r.stats.rejectedProofs} proof${r.stats.rejectedProofs === 1 ? '' : 's'} rejected by the whole-theorem check`
    : '';
  switch (r.outcome) {
    case 'exhausted':
      return `Llemma: no proof found: every open proof state was expanded (${stats(r)}${rejected}).`;
    case 'expansionLimit':
      return `Llemma: no proof within ${b.maxExpansions} expansions (${stats(r)}${rejected}).`;
    case 'timeLimit':
      return `Llemma: no proof within the ${seconds(b.timeLimitMs)} time limit (${stats(r)}${rejected}).`;
    case 'cancelled':
      return `Llemma: proof search cancelled (${stats(r)}${rejected}).`;
    default:
      return `Llemma: proof search ended: ${r.outcome} (${stats(r)}${rejected}).`;
  }
}

function logResult(out: vscode.OutputChannel, at: string, r: ProveTheoremResult): void {
  const s = r.stats;
  const b = r.budget;
  out.appendLine(`Complete Proof at ${at} · ${r.declaration}: ${r.outcome}`);
  out.appendLine(`  model: ${describeModel(r.model)}`);
  out.appendLine(`  prover: ${describeProver(r.prover)}`);
  out.appendLine(
    `  budget: ${b.candidatesPerExpansion} candidates per expansion · ${b.maxExpansions} expansions · ` +
      `${seconds(b.timeLimitMs)} · native_decide ${b.allowNativeDecide ? 'allowed' : 'forbidden'}`,
  );
  out.appendLine(
    `  stats: ${s.expansions} expansions · ${s.openNodes} open · ${s.visitedStates} states · ${s.tacticsRun} tactics run · ` +
      `${s.forbidden} forbidden · ${s.rejectedProofs} proofs rejected by the re-check · ${s.replRestarts} REPL restarts`,
  );
  out.appendLine(
    `  time: ${Math.round(s.elapsedMs)} ms (model ${Math.round(s.modelMs)} ms, ${proverName(r.prover)} ${Math.round(s.proverMs)} ms)`,
  );
  if (r.outcome === 'proved') {
    out.appendLine(`  axioms: ${r.axioms.join(', ') || 'none'}`);
    out.appendLine('  proof:');
    for (const line of (r.edit?.newText ?? r.tactics.join('\n')).split('\n')) out.appendLine(`    ${line}`);
    out.appendLine('  sources:');
    r.tactics.forEach((t, i) => {
      const from = r.tacticSources?.[i] ?? [];
      out.appendLine(`    ${from.length > 0 ? from.join(' + ') : 'unknown'}: ${JSON.stringify(t)}`);
    });
  }
}
