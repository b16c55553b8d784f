/** Every command of the extension in one table: id → handler. Ids come from protocol/commands.ts. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { type CommandId, Commands, goalAt } from '../protocol';
import type { GoalView } from './goalView';
import { MiniF2FCommands } from './miniF2F';
import { ProofSearches } from './proofSearch';
import { proverEditorAndClient, reportError } from './shared';
import { suggestTacticsCommand } from './suggestCommand';

export interface CommandContext {
  client: () => LanguageClient | undefined;
  output: vscode.OutputChannel;
  goalView: GoalView;
  restart: () => Promise<void>;
}

export function registerCommands(context: vscode.ExtensionContext, ctx: CommandContext): void {
  const searches = new ProofSearches(ctx);
  const miniF2F = new MiniF2FCommands({ ...ctx, extensionUri: context.extensionUri });
  const table: Record<CommandId, (...args: unknown[]) => Promise<void> | void> = {
    [Commands.showProofState]: () => showProofState(ctx),
    [Commands.restartServer]: () => ctx.restart(),
    [Commands.showOutput]: () => ctx.output.show(true),
    [Commands.suggestTactics]: () => suggestTacticsCommand(ctx),
    [Commands.completeProof]: (uri, position, version) => searches.complete(uri, position, version),
    [Commands.cancelSearch]: () => searches.cancel(),
    [Commands.runMiniF2F]: () => miniF2F.run(),
    [Commands.createMiniF2FProject]: () => miniF2F.createProject(),
    [Commands.showMiniF2FReport]: () => miniF2F.showReport(),
  };
  for (const [id, handler] of Object.entries(table)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  }
}

async function showProofState(ctx: CommandContext): Promise<void> {
  const target = proverEditorAndClient(ctx.client());
  if (!target) return;
  const { editor, client } = target;
  const doc = editor.document;
  const pos = editor.selection.active;
  const where = `${path.basename(doc.uri.fsPath)}:${pos.line + 1}:${pos.character + 1}`;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: 'Llemma: asking the prover for the proof state' },
      (_, token) =>
        client.sendRequest(
          goalAt,
          { textDocument: { uri: doc.uri.toString() }, position: { line: pos.line, character: pos.character } },
          token,
        ),
    );
    await ctx.goalView.show(where, result);
  } catch (err) {
    await reportError(ctx.output, `Show Proof State at ${where}`, err);
  }
}
