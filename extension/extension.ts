/**
 * Entry point of the VS Code extension: registers things and starts the language client. It stays thin: every piece
 * of logic lives in the server, and activation never loads the model runtime (ONNX Runtime is loaded by the server,
 * lazily, on the first request that needs a model).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { startClient } from './client';
import { registerCommands } from './commands';
import { GoalView } from './goalView';
import { registerInlineSuggestions } from './inlineSuggestions';
import { registerSorryLenses } from './sorryLenses';
import { StatusBar } from './statusBar';

export interface LlemmaExtensionApi {
  /** The running language client, for integration tests. */
  client: () => LanguageClient | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<LlemmaExtensionApi> {
  const output = vscode.window.createOutputChannel('Llemma', { log: true });
  const status = new StatusBar();
  const goalView = new GoalView();
  context.subscriptions.push(output, status, goalView.register());

  const session: { client: LanguageClient | undefined } = { client: undefined };
  const start = async () => {
    status.serverStarting();
    try {
      session.client = await startClient(context, output, status);
      status.serverReady();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      status.serverFailed(message);
      output.appendLine(`Llemma server failed to start: ${message}`);
      void vscode.window.showErrorMessage(`Llemma: the language server failed to start: ${message}`);
    }
  };
  const restart = async () => {
    const old = session.client;
    session.client = undefined;
    if (old) await old.stop().catch(() => undefined);
    await start();
  };

  const client = () => session.client;
  registerCommands(context, { client, output, goalView, restart });
  context.subscriptions.push(registerInlineSuggestions({ client, output }), registerSorryLenses());
  context.subscriptions.push({ dispose: () => void session.client?.stop() });
  await start();
  return { client: () => session.client };
}

export function deactivate(): void {
  // The client is stopped through the subscription registered in activate().
}
