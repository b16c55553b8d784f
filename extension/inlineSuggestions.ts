/**
 * Ghost-text tactic suggestions: after `suggest.debounceMs` without typing, ask the server for verified next tactics
 * at the cursor and offer them in order (first = best, the rest through the inline-suggest alternatives). The server
 * decides where a tactic can start (at the end of a blank line or of a tactic being typed; elsewhere it answers
 * `NotInProof`, silently) and sends each suggestion with the edit that writes it there. Nothing is cached here; the
 * server caches.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  defaultSettings,
  InternalCommands,
  proverDocumentSelector,
  settingsSection,
  suggestTactics,
  type TacticSuggestion,
} from '../protocol';
import { asRange, errorCode, errorMessage, isSilentWhileTyping, sourcesOf } from './shared';

/** Internal command run when a ghost suggestion is accepted: one line in the output channel, nothing more. */
const acceptedCommand = InternalCommands.inlineSuggestionAccepted;

export interface InlineContext {
  client: () => LanguageClient | undefined;
  output: vscode.OutputChannel;
}

export function registerInlineSuggestions(ctx: InlineContext): vscode.Disposable {
  const provider = new InlineSuggestions(ctx);
  return vscode.Disposable.from(
    vscode.languages.registerInlineCompletionItemProvider([...proverDocumentSelector], provider),
    vscode.commands.registerCommand(acceptedCommand, (s: TacticSuggestion) =>
      ctx.output.appendLine(
        `Accepted suggestion: ${JSON.stringify(s.tactic)} (${s.status}, from ${sourcesOf(s)}, score ${s.score.toFixed(3)}, rank ${s.modelRank})`,
      ),
    ),
  );
}

export class InlineSuggestions implements vscode.InlineCompletionItemProvider {
  /** The last error written to the output channel; reset by a successful request, so each failure is logged once. */
  private lastLogged: string | undefined;

  constructor(private readonly ctx: InlineContext) {}

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionList | undefined> {
    const config = vscode.workspace.getConfiguration(settingsSection, document.uri);
    if (!config.get<boolean>('suggest.enabled', defaultSettings['suggest.enabled'])) return undefined;
    // The completion widget is open: its item wins, we do not compete with it.
    if (context.selectedCompletionInfo) return undefined;

    if (context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic) {
      const debounceMs = config.get<number>('suggest.debounceMs', defaultSettings['suggest.debounceMs']);
      if (!(await sleep(debounceMs, token))) return undefined;
    }
    const client = this.ctx.client();
    if (!client?.isRunning() || token.isCancellationRequested) return undefined;

    let suggestions: TacticSuggestion[];
    try {
      const result = await client.sendRequest(
        suggestTactics,
        {
          textDocument: { uri: document.uri.toString() },
          position: { line: position.line, character: position.character },
          insertAt: 'cursor',
        },
        token,
      );
      suggestions = result.suggestions;
      this.lastLogged = undefined;
    } catch (err) {
      this.logOnce(err);
      return undefined;
    }
    if (token.isCancellationRequested) return undefined;

    // Each edit replaces the line's text before the cursor with the suggestion written as the server writes it. VS
    // Code shows an item as ghost text only when it extends the text its range holds: the suggestions that do not
    // begin with what was typed are left out, and so are those that add nothing to it.
    const items = suggestions.flatMap((s) => {
      const range = asRange(s.edit.range);
      const held = document.getText(range);
      if (!s.edit.newText.startsWith(held) || s.edit.newText.trimEnd() === held.trimEnd()) return [];
      const accepted = { title: 'Llemma: suggestion accepted', command: acceptedCommand, arguments: [s] };
      return [new vscode.InlineCompletionItem(s.edit.newText, range, accepted)];
    });
    return items.length ? new vscode.InlineCompletionList(items) : undefined;
  }

  private logOnce(err: unknown): void {
    if (isSilentWhileTyping(err)) return;
    const key = `${errorCode(err) ?? ''} ${errorMessage(err)}`;
    if (key === this.lastLogged) return;
    this.lastLogged = key;
    this.ctx.output.appendLine(`Inline suggestions failed: ${errorMessage(err)}`);
  }
}

/** Waits `ms`; false when the token was cancelled meanwhile (the user typed again). */
function sleep(ms: number, token: vscode.CancellationToken): Promise<boolean> {
  if (token.isCancellationRequested) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(!token.isCancellationRequested);
    }, ms);
    const sub = token.onCancellationRequested(() => {
      clearTimeout(timer);
      sub.dispose();
      resolve(false);
    });
  });
}
