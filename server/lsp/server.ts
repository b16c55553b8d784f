/**
 * The language server: all wiring in this file, one handler per request. Started by the extension over IPC (or with
 * `--stdio`); the logic lives in LlemmaCore so that the CLI runs exactly the same code.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sorrySites as theorySorrySites } from '@llemma/prover-text/isabelle';
import {
  type CancellationToken,
  createConnection,
  ErrorCodes,
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
  createMiniF2FProject,
  forDisplay,
  goalAt,
  invalidSettings,
  LanguageIds,
  LlemmaErrorCode,
  type MiniF2FProgress,
  miniF2FReport,
  miniF2FSplits,
  miniF2FVariants,
  proverStatus,
  proveTheorem,
  resolveSettings,
  runMiniF2F,
  settingsSection,
  suggestTactics,
} from '../../protocol';
import { createProject, LlemmaCore, reportOf, sorrySites } from '../core';
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

// A miniF2F run: its progress through the client's work-done token; cancelling stops it, and the file keeps what
// finished. The client chose every parameter; they are checked here, as anything arriving over the wire.
connection.onRequest(runMiniF2F, (params, token) =>
  handle(token, async (signal) => {
    if (!miniF2FVariants.some((v) => v.id === params.variant)) invalid(`unknown miniF2F variant ${params.variant}`);
    if (params.split !== 'both' && !miniF2FSplits.includes(params.split)) invalid(`unknown split ${params.split}`);
    if (!path.isAbsolute(params.projectRoot) || !path.isAbsolute(params.out)) invalid('paths must be absolute');
    const progress = params.workDoneToken ? connection.window.attachWorkDoneProgress(params.workDoneToken) : undefined;
    progress?.begin('Llemma: miniF2F', 0, 'starting', true);
    try {
      const summary = await core.runMiniF2F({
        variant: params.variant,
        split: params.split,
        projectRoot: params.projectRoot,
        out: params.out,
        workers: Math.max(1, Math.min(16, Math.floor(Number(params.workers) || 1))),
        ...(params.model !== undefined ? { model: params.model } : {}),
        ...(params.budget ? { budget: params.budget } : {}),
        ...(params.limit !== undefined ? { limit: Math.max(1, Math.floor(params.limit)) } : {}),
        signal,
        onProgress: (p) => progress?.report(p.total > 0 ? (100 * p.tried) / p.total : 100, miniF2FProgressText(p)),
      });
      return { out: summary.out, cancelled: summary.cancelled, progress: summary.progress, model: summary.model };
    } finally {
      progress?.done();
    }
  }),
);

connection.onRequest(miniF2FReport, (params, token) =>
  handle(token, async () => {
    if (!Array.isArray(params.files) || !params.files.every((f) => typeof f === 'string' && path.isAbsolute(f))) {
      invalid('results files must be absolute paths');
    }
    return reportOf(params.files, params.webview);
  }),
);

connection.onRequest(createMiniF2FProject, (params, token) =>
  handle(token, async () => {
    if (!miniF2FVariants.some((v) => v.id === params.variant)) invalid(`unknown miniF2F variant ${params.variant}`);
    if (!path.isAbsolute(params.folder)) invalid('the folder must be an absolute path');
    return { folder: params.folder, ...createProject(params.folder, params.variant) };
  }),
);

// A "Complete Proof" lens on each `sorry` a proof search can start from (sorrySites; in a theory, each `sorry` in a
// proof), running the extension's command with the arguments its palette form takes from the cursor, and the
// document version the position holds for (a lens clicked before VS Code asks again after an edit is out of date:
// the extension says so). Computed from the synced buffer, so it follows every edit.
connection.onCodeLens((params) => {
  const doc = documents.get(params.textDocument.uri);
  const language = doc?.languageId;
  if (!doc || (language !== LanguageIds.lean && language !== LanguageIds.isabelle)) return [];
  const isabelle = language === LanguageIds.isabelle;
  const sites = isabelle ? theorySorrySites(doc.getText()) : sorrySites(doc.getText());
  return sites.map(({ position }) => ({
    range: { start: position, end: { line: position.line, character: position.character + 'sorry'.length } },
    command: {
      title: 'Llemma: Complete Proof',
      tooltip: `Search for a proof with the model and ${isabelle ? 'Isabelle' : 'Lean'}, and replace this sorry with it`,
      command: Commands.completeProof,
      arguments: [params.textDocument.uri, position, doc.version],
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

/** A run's progress as the notification shows it. */
function miniF2FProgressText(p: MiniF2FProgress): string {
  const eta =
    p.etaMs === null
      ? '…'
      : p.etaMs < 60_000
        ? `${Math.round(p.etaMs / 1000)} s`
        : `${Math.round(p.etaMs / 60_000)} min`;
  return `${p.solved} solved · ${p.tried} tried · ${p.left} left · ETA ${eta}`;
}

/** Parameters no client of ours sends. */
function invalid(why: string): never {
  throw new ResponseError(ErrorCodes.InvalidParams, why);
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
    if (err instanceof ResponseError) throw err;
    const e = toLlemmaError(err);
    throw new ResponseError(e.code, shown(e.message));
  } finally {
    sub.dispose();
  }
}
