/** Starts the language client: the server is `dist/server.js`, run by VS Code's Node over IPC. */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { proverStatus, settingsSection } from '../protocol';
import type { StatusBar } from './statusBar';

export async function startClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  status: StatusBar,
): Promise<LanguageClient> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'lean4' }],
    outputChannel: output,
    synchronize: { configurationSection: settingsSection },
  };
  const client = new LanguageClient('llemma', 'Llemma', serverOptions, clientOptions);
  client.onNotification(proverStatus, (params) => status.prover(params));
  await client.start();
  return client;
}
