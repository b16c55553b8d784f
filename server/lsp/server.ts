/**
 * The language server: all wiring in this file, one handler per request. Started by the extension over IPC (or with
 * `--stdio`); the logic lives in LlemmaCore so that the CLI runs exactly the same code.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type CancellationToken,
  createConnection,
  MessageType,
  ProposedFeatures,
  ResponseError,
  ShowMessageNotification,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  Commands,
  forDisplay,
  goalAt,
  invalidSettings,
  LlemmaErrorCode,
  proverStatus,
  proveTheorem,
  resolveSettings,
  settingsSection,
  suggestTactics,
} from '../../protocol';
import { LlemmaCore, sorrySites } from '../core';
import { environmentOverrides } from '../environment';
import { LlemmaError, toLlemmaError } from '../errors';
import { renderRemedies, vscodeWords } from '../remedies';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let pullConfiguration = false;

// The environment backs the settings: LLEMMA_REPL beats the REPL settings, LLEMMA_MODEL stands in for an empty
// `model.path`.
const environment = environmentOverrides();
const core = new LlemmaCore({
  ...(environment.repl !== undefined ? { replOverride: environment.repl } : {}),
  model: environment.model !== undefined ? { spec: environment.model } : {},
  log: (line) => connection.console.log(shown(line)),
  onProverStatus: (s) =>
    void connection.sendNotification(proverStatus, s.message === undefined ? s : { ...s, message: shown(s.message) }),
});

connection.onInitialize((params) => {
  pullConfiguration = params.capabilities.workspace?.configuration === true;
  const init = params.initializationOptions as { settings?: unknown } | undefined;
  if (init?.settings) void applySettings(init.settings);
  return {
    capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental, codeLensProvider: { resolveProvider: false } },
    serverInfo: { name: 'llemma-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => void refreshSettings());
connection.onDidChangeConfiguration((change) => {
  if (pullConfiguration) void refreshSettings();
  else void applySettings((change.settings as Record<string, unknown>)?.[settingsSection]);
});

async function refreshSettings(): Promise<void> {
  if (!pullConfiguration) return;
  await applySettings(await connection.workspace.getConfiguration(settingsSection));
}

/** The settings as the core uses them; a value set aside for its default is said once, until the settings change. */
let lastInvalid = '';
async function applySettings(raw: unknown): Promise<void> {
  const invalid = invalidSettings(raw);
  const said = invalid.join('\n');
  if (said !== lastInvalid && invalid.length > 0) {
    connection.console.warn(shown(said));
    // A notification, not a request: nothing waits on the user's answer.
    void connection.sendNotification(ShowMessageNotification.type, {
      type: MessageType.Warning,
      message: shown(`Llemma: ${invalid.join(' ')}`),
    });
  }
  lastInvalid = said;
  await core.updateSettings(resolveSettings(raw));
}

connection.onRequest(goalAt, (params, token) =>
  handle(token, async (signal) => {
    const { path, text } = await documentText(params.textDocument.uri);
    return core.goalAt(path, text, params.position, signal);
  }),
);

connection.onRequest(suggestTactics, (params, token) =>
  handle(token, async (signal) => {
    const { path, text } = await documentText(params.textDocument.uri);
    return core.suggestTactics(path, text, params.position, signal, params.insertAt === 'cursor' ? 'cursor' : 'line');
  }),
);

connection.onRequest(proveTheorem, (params, token) =>
  handle(token, async (signal) => {
    const { path, text } = await documentText(params.textDocument.uri);
    // The client's work-done token carries the search's progress; without one, nothing is reported.
    const progress = params.workDoneToken ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined;
    progress?.begin('Llemma: proof search', 0, 'starting', true);
    try {
      return await core.proveTheorem(path, text, params.position, {
        ...(params.budget ? { budget: params.budget } : {}),
        signal,
        onProgress: (p) =>
          progress?.report(`${p.expansions} expansions · ${p.openNodes} open · ${Math.round(p.elapsedMs / 1000)} s`),
      });
    } finally {
      progress?.done();
    }
  }),
);

// A "Complete Proof" lens on each `sorry` a proof search can start from (sorrySites), running the extension's command
// with the arguments its palette form takes from the cursor. Computed from the synced buffer, so it follows every edit.
connection.onCodeLens((params) => {
  const doc = documents.get(params.textDocument.uri);
  if (doc?.languageId !== 'lean4') return [];
  return sorrySites(doc.getText()).map(({ position }) => ({
    range: { start: position, end: { line: position.line, character: position.character + 'sorry'.length } },
    command: {
      title: 'Llemma: Complete Proof',
      tooltip: 'Search for a proof with the model and Lean, and replace this sorry with it',
      command: Commands.completeProof,
      arguments: [params.textDocument.uri, position],
    },
  }));
});

connection.onShutdown(() => core.dispose());
documents.listen(connection);
connection.listen();

/** A message on its way to the user: remedies in VS Code's words, nothing in it that acts on a display. */
function shown(message: string): string {
  return forDisplay(renderRemedies(message, vscodeWords));
}

/** The open buffer's text when the document is open (unsaved edits count), else the file on disk. */
async function documentText(uri: string): Promise<{ path: string; text: string }> {
  if (!uri.startsWith('file:')) {
    throw new LlemmaError(LlemmaErrorCode.NotInProject, `Only files on disk can be checked by Lean (got ${uri}).`);
  }
  const path = fileURLToPath(uri);
  const open = documents.get(uri);
  return { path, text: open ? open.getText() : await readFile(path, 'utf8') };
}

/** Runs a handler with an AbortSignal tied to the LSP cancellation token; LlemmaErrors become ResponseErrors. */
async function handle<T>(token: CancellationToken, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const sub = token.onCancellationRequested(() => abort.abort());
  try {
    return await run(abort.signal);
  } catch (err) {
    const e = toLlemmaError(err);
    throw new ResponseError(e.code, shown(e.message));
  } finally {
    sub.dispose();
  }
}
