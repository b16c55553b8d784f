// The language server as the extension sees it: a real server process, a real LSP connection over stdio, and the
// REPL test double as the prover process. Settings come through workspace/configuration, as in VS Code.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CodeLensRequest,
  ConfigurationRequest,
  createProtocolConnection,
  InitializeRequest,
  type InitializeResult,
  type ProtocolConnection,
  ResponseError,
  ShowMessageNotification,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { Commands, goalAt, LlemmaErrorCode, type ProverStatusParams, proverStatus } from '../../protocol';
import { goal, goalRule, headerRule, makeProject, readLog, toolchain } from './fixtureProject';

const root = path.resolve(import.meta.dirname, '..', '..');
const project = makeProject();
let settings: Record<string, unknown> = {};
const statuses: ProverStatusParams[] = [];
const warnings: string[] = [];
let server: ChildProcess;
let conn: ProtocolConnection;
let initialized: InitializeResult;

before(async () => {
  server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/lsp/server.ts'), '--stdio'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  conn = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  conn.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => settings));
  conn.onNotification(proverStatus.method, (s: ProverStatusParams) => {
    statuses.push(s);
  });
  conn.onNotification(ShowMessageNotification.method, (m: { message: string }) => {
    warnings.push(m.message);
  });
  conn.listen();
  initialized = await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(project.root).href,
    capabilities: { workspace: { configuration: true } },
  });
  await conn.sendNotification('initialized', {});
});

after(async () => {
  await conn.sendRequest('shutdown').catch(() => undefined);
  await conn.sendNotification('exit').catch(() => undefined);
  conn.dispose();
  server.kill();
});

/** Changes the settings the server pulls, and tells it they changed. */
async function configure(lean: Record<string, unknown>): Promise<void> {
  settings = { lean };
  await conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
  await new Promise((r) => setTimeout(r, 300));
}

const ask = (file: string, line: number, character: number) =>
  conn.sendRequest(goalAt, { textDocument: { uri: pathToFileURL(file).href }, position: { line, character } });

async function rejects(p: Promise<unknown>, code: number, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ResponseError, `expected a ResponseError, got ${e}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

test('goalAt returns the REPL goal with where it came from; the header is loaded once', async () => {
  await configure({ replCommand: project.repl('ok', { rules: [headerRule, goalRule] }) });
  const r = await ask(project.file, 3, 2);
  assert.deepEqual(r.goals, [goal]);
  assert.equal(r.proofState, 0);
  assert.equal(r.declaration, "add_zero'");
  assert.equal(r.prover.toolchain, toolchain);
  assert.equal(r.prover.projectRoot, project.root);
  assert.match(r.prover.replCommand, /replDouble\.mjs/);
  const again = await ask(project.file, 3, 0);
  assert.deepEqual(again.goals, [goal]);
  const inputs = readLog(project.log).filter((e) => e.event === 'input');
  assert.equal(inputs.filter((e) => !('env' in (e.input ?? {}))).length, 1, 'the header command is sent once');
  assert.ok(statuses.some((s) => s.state === 'ready' && s.projectRoot === project.root));
});

test('unsaved edits in the open buffer are what Lean sees', async () => {
  const uri = pathToFileURL(project.file).href;
  const edited = 'import Mathlib\n\ntheorem other (n : ℕ) : n = n := by\n  rfl\n';
  await conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'lean4', version: 1, text: edited },
  });
  const r = await ask(project.file, 3, 2);
  assert.equal(r.declaration, 'other');
  const last = readLog(project.log)
    .filter((e) => e.event === 'input')
    .pop();
  assert.match(String(last?.input?.['cmd']), /^theorem other \(n : ℕ\) : n = n := by\n {2}all_goals sorry/);
  await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
});

test('a Complete Proof lens on each sorry a proof search can start from, following the open buffer', async () => {
  assert.deepEqual(initialized.capabilities.codeLensProvider, { resolveProvider: false });
  const uri = pathToFileURL(project.file).href;
  const lenses = async () => (await conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } })) ?? [];
  const edited = [
    'import Mathlib',
    '-- sorry',
    'theorem one (n : ℕ) : n = n := by sorry',
    'theorem two : True ∧ True := by',
    '  constructor',
    '  · sorry',
    '  have h : True := by sorry',
    '  sorry',
    'theorem three : True := sorry',
    '',
  ].join('\n');
  await conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'lean4', version: 1, text: edited },
  });
  const shown = await lenses();
  assert.deepEqual(
    shown.map((l) => [l.range, l.command?.command, l.command?.arguments]),
    [
      [
        { start: { line: 2, character: 34 }, end: { line: 2, character: 39 } },
        Commands.completeProof,
        [uri, { line: 2, character: 34 }, 1],
      ],
      [
        { start: { line: 7, character: 2 }, end: { line: 7, character: 7 } },
        Commands.completeProof,
        [uri, { line: 7, character: 2 }, 1],
      ],
    ],
  );
  assert.ok(shown.every((l) => l.command?.title === 'Llemma: Complete Proof' && l.command.tooltip));
  // The lenses follow unsaved edits: once the sorry is replaced, its lens is gone, and each lens carries the version
  // its position holds for (the extension refuses a lens drawn for an older one).
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ text: edited.replace('by sorry\n', 'by rfl\n') }],
  });
  assert.deepEqual(
    (await lenses()).map((l) => [l.range.start, l.command?.arguments?.[2]]),
    [[{ line: 7, character: 2 }, 2]],
  );
  await conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  assert.deepEqual(await lenses(), [], 'a closed document has no lenses');
});

test('clear errors: outside a project, outside a proof', async () => {
  await rejects(ask(project.outside, 3, 2), LlemmaErrorCode.NotInProject, /not inside a Lean project/);
  await rejects(ask(project.file, 2, 10), LlemmaErrorCode.NotInProof, /statement of `add_zero'`.*proof/);
});

test('a hung REPL times out with a clear message, and the next request works on a fresh REPL', async () => {
  const hangOnce = { match: { hasEnv: true }, hang: true, times: 1 };
  await configure({
    replCommand: project.repl('hang', { rules: [headerRule, hangOnce, goalRule] }),
    requestTimeoutMs: 1500,
  });
  await rejects(ask(project.file, 3, 2), LlemmaErrorCode.ReplTimeout, /did not answer|timed out|in time/i);
  const r = await ask(project.file, 3, 2);
  assert.deepEqual(r.goals, [goal]);
  assert.ok(r.replGeneration >= 2, `a new REPL answered (generation ${r.replGeneration})`);
});

test('a REPL that dies at start: a message with its stderr, the failed state, and recovery after a settings fix', async () => {
  const broken = project.repl('broken', {
    startup: { exit: 1, stderr: 'error: this REPL was built for Lean v4.9.0, the project uses v4.33.0-rc2' },
    rules: [],
  });
  await configure({ replCommand: broken });
  await rejects(ask(project.file, 3, 2), LlemmaErrorCode.ReplCrashed, /built for Lean v4\.9\.0/);
  assert.ok(statuses.some((s) => s.state === 'failed' && /v4\.9\.0/.test(s.message ?? '')));
  await configure({ replCommand: project.repl('fixed', { rules: [headerRule, goalRule] }) });
  assert.deepEqual((await ask(project.file, 3, 2)).goals, [goal]);
});

test('no REPL configured and none in the project: says what to add', async () => {
  await configure({ replCommand: '', replPath: '' });
  await rejects(ask(project.file, 3, 2), LlemmaErrorCode.LeanNotFound, /elan|lake/);
});

test('a header Lean cannot load is reported as such, not as errors in the proof', async () => {
  const badHeader = {
    match: { hasEnv: false },
    respond: {
      env: '$nextEnv',
      messages: [
        {
          severity: 'error',
          pos: { line: 1, column: 0 },
          endPos: null,
          data: "unknown module prefix 'Mathlb'\n\nNo directory 'Mathlb' or file 'Mathlb.olean' in the search path entries",
        },
      ],
    },
  };
  await configure({ replCommand: project.repl('bad-header', { rules: [badHeader, goalRule] }) });
  await rejects(ask(project.file, 3, 2), LlemmaErrorCode.LeanError, /could not load the file's header.*Mathlb/s);
});

test('a setting value the schema refuses is named in a warning, once, and its default is used', async () => {
  settings = { lean: {}, model: { generationGraph: 'yes' } };
  for (let i = 0; i < 2; i++) {
    await conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await new Promise((r) => setTimeout(r, 300));
  }
  const said = warnings.filter((w) => w.includes('llemma.model.generationGraph'));
  assert.deepEqual(said, [
    'Llemma: llemma.model.generationGraph is "yes", which is not one of auto, on, off; the default "auto" is used.',
  ]);
  settings = { lean: {} };
});
