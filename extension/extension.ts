/**
 * Entry point of the VS Code extension: registers things and starts the language client. It stays thin: every piece
 * of logic lives in the server, and activation never loads the model runtime (ONNX Runtime is loaded by the server,
 * lazily, on the first request that needs a model).
 *
 * Workspace trust: the Lean REPL is started with `lake`, which elaborates the project's lakefile, so opening an
 * untrusted folder must run nothing. In Restricted Mode the server is not started at all (the status bar says why);
 * it starts when the user trusts the folder. The "Complete Proof" CodeLenses come from the server, so there are none
 * before it runs. In a trusted folder, the settings that choose what runs reach the server only as the user approved
 * them (`settingsApproval.ts`).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { settingsSection } from '../protocol';
import { pullSettings, startClient } from './client';
import { registerCommands } from './commands';
import { GoalView } from './goalView';
import { registerInlineSuggestions } from './inlineSuggestions';
import { SettingsApproval } from './settingsApproval';
import { restrictedModeMessage, showRestrictedMode } from './shared';
import { StatusBar } from './statusBar';
import { toastText } from './toastText';

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
  const approval = new SettingsApproval(context.workspaceState, output, () => pullSettings(session.client));
  const start = async () => {
    if (!vscode.workspace.isTrusted) {
      status.restricted(restrictedModeMessage);
      output.appendLine(restrictedModeMessage);
      return;
    }
    if (session.client) return;
    status.serverStarting();
    try {
      session.client = await startClient(context, output, status, approval.middleware());
      status.serverReady();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      status.serverFailed(message);
      output.appendLine(`Llemma server failed to start: ${message}`);
      void vscode.window.showErrorMessage(`Llemma: the language server failed to start: ${toastText(message)}`);
    }
  };
  const restart = async () => {
    if (!vscode.workspace.isTrusted) return showRestrictedMode();
    const old = session.client;
    session.client = undefined;
    if (old) await old.stop().catch(() => undefined);
    await start();
  };

  const client = () => session.client;
  registerCommands(context, { client, output, goalView, restart });
  context.subscriptions.push(
    registerInlineSuggestions({ client, output }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void start()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(settingsSection)) pullSettings(session.client);
    }),
    { dispose: () => void session.client?.stop() },
  );
  await start();
  return { client: () => session.client };
}

export function deactivate(): void {
  // The client is stopped through the subscription registered in activate().
}
