/** Starts the language client: the server is `dist/server.js`, run by VS Code's Node over IPC. */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  type LanguageClientOptions,
  type Middleware,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { proverDocumentSelector, proverStatus } from '../protocol';
import type { StatusBar } from './statusBar';

export async function startClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  status: StatusBar,
  workspaceMiddleware: Middleware['workspace'],
): Promise<LanguageClient> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  // No `synchronize.configurationSection`: it would push every changed value to the server, workspace values the user
  // has not approved included. The server pulls its settings through the middleware instead (see pullSettings).
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...proverDocumentSelector],
    outputChannel: output,
    middleware: { workspace: workspaceMiddleware },
  };
  const client = new LanguageClient('llemma', 'Llemma', serverOptions, clientOptions);
  client.onNotification(proverStatus, (params) => status.prover(params));
  await client.start();
  return client;
}

/** Tells the server that settings changed; it then pulls them with `workspace/configuration`. */
export function pullSettings(client: LanguageClient | undefined): void {
  if (client?.isRunning()) void client.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
}
