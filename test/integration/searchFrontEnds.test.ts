// Suggest and prove as the extension and the command line see them: the language server over a real LSP connection
// (with `$/progress` and `$/cancelRequest`) and `llemma prove` as a process, on the search fixture's doubles.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  ConfigurationRequest,
  createProtocolConnection,
  InitializeRequest,
  type ProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  WorkDoneProgress,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol/node';
import { proveTheorem, suggestTactics } from '../../protocol';
import { base, file, root as projectRoot, startModelDouble, text, worldRepl } from './searchFixture';

const repo = path.resolve(import.meta.dirname, '..', '..');
let server: ChildProcess;
let conn: ProtocolConnection;
let stopModel: () => void = () => {};
let settings: Record<string, unknown> = {};

before(async () => {
  const model = await startModelDouble();
  stopModel = model.stop;
  settings = {
    lean: { replCommand: worldRepl(path.join(base, 'lsp-repl.log')), tacticTimeoutMs: 1500 },
    model: { path: model.url },
  };
  server = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'server/lsp/server.ts'), '--stdio'], {
    cwd: repo,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  conn = createProtocolConnection(new StreamMessageReader(server.stdout!), new StreamMessageWriter(server.stdin!));
  conn.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => settings));
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(projectRoot).href,
    capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true } },
  });
  await conn.sendNotification('initialized', {});
  await new Promise((r) => setTimeout(r, 300));
});

after(async () => {
  await conn.sendRequest('shutdown').catch(() => undefined);
  await conn.sendNotification('exit').catch(() => undefined);
  conn.dispose();
  server.kill();
  stopModel();
});

const textDocument = { uri: pathToFileURL(file).href };
type Progress = WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;

test('llemma/suggestTactics over LSP returns the verified list, each suggestion with its sources', async () => {
  const r = await conn.sendRequest(suggestTactics, { textDocument, position: { line: 3, character: 2 } });
  assert.deepEqual(
    r.suggestions.map((s) => s.tactic),
    ['simp', 'induction n'],
  );
  // The merged generator is the default: the file (nothing proved above), the model double and the decision
  // procedures (no folder, no retrieval).
  assert.deepEqual(r.model.sources, ['file', 'model', 'procedures']);
  assert.deepEqual(
    r.suggestions.map((s) => [...s.sources].sort()),
    [['model', 'procedures'], ['model']],
  );
  assert.equal(r.prover.toolchain, 'leanprover/lean4:v4.33.0-rc2');
  assert.deepEqual(r.suggestions[0]?.edit, {
    range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } },
    newText: '  simp\n',
  });
  const ghost = await conn.sendRequest(suggestTactics, {
    textDocument,
    position: { line: 3, character: 7 },
    insertAt: 'cursor',
  });
  assert.deepEqual(ghost.suggestions[0]?.edit, {
    range: { start: { line: 3, character: 0 }, end: { line: 3, character: 7 } },
    newText: '  simp',
  });
});

test('llemma/proveTheorem over LSP reports $/progress and returns the checked proof', async () => {
  const seen: Progress[] = [];
  const sub = conn.onProgress(WorkDoneProgress.type, 'search-1', (p) => {
    seen.push(p);
  });
  const r = await conn.sendRequest(proveTheorem, {
    textDocument,
    position: { line: 6, character: 2 },
    workDoneToken: 'search-1',
  });
  sub.dispose();
  assert.equal(r.outcome, 'proved');
  assert.equal(r.edit?.newText, '  norm_num\n  ring');
  assert.equal(seen[0]?.kind, 'begin');
  assert.equal(seen.at(-1)?.kind, 'end');
  const reports = seen.filter((p): p is WorkDoneProgressReport => p.kind === 'report');
  assert.match(reports[0]?.message ?? '', /^1 expansions · \d+ open · \d+ s$/);
});

test('cancelling llemma/proveTheorem ends the search with outcome cancelled', async () => {
  const source = new CancellationTokenSource();
  const sub = conn.onProgress(WorkDoneProgress.type, 'search-2', (p) => {
    if (p.kind === 'report') source.cancel();
  });
  const r = await conn.sendRequest(
    proveTheorem,
    // A fresh budget field keeps this search apart from the last one's state: nothing is cached between searches.
    { textDocument, position: { line: 6, character: 2 }, workDoneToken: 'search-2', budget: { maxExpansions: 50 } },
    source.token,
  );
  sub.dispose();
  assert.equal(r.outcome, 'cancelled');
  assert.equal(r.edit, null);
});

/** `llemma prove <file>:two_mul'` as a process on the doubles, with a REPL log of its own and these extra flags. */
function prove(log: string, ...extra: string[]) {
  const model = settings['model'] as { path: string };
  const args = [
    path.join(repo, 'server/cli/main.ts'),
    'prove',
    `${file}:two_mul'`,
    '--repl',
    worldRepl(path.join(base, log)),
  ];
  args.push('--model', model.path, '--timeout', '1500', ...extra);
  return spawnSync(process.execPath, ['--import', 'tsx', ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
}

test('llemma prove finds and prints the checked proof without touching the file', () => {
  const run = prove('cli-repl.log', '--json', '--expansions', '5');
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout) as {
    results: {
      declaration: string;
      result: { outcome: string; tactics: string[]; tacticSources: string[][]; model: { sources: string[] } };
    }[];
  };
  assert.equal(out.results.length, 1);
  assert.equal(out.results[0]?.declaration, "two_mul'");
  assert.deepEqual(out.results[0]?.result.tactics, ['norm_num', 'ring']);
  // Both are the model double's and procedures of the merged generator, which `llemma prove` uses by default.
  assert.deepEqual(
    out.results[0]?.result.tacticSources.map((s) => [...s].sort()),
    [
      ['model', 'procedures'],
      ['model', 'procedures'],
    ],
  );
  assert.deepEqual(out.results[0]?.result.model.sources, ['file', 'model', 'procedures']);
  assert.equal(readFileSync(file, 'utf8'), text);
});

test('llemma prove exits 1 and says why when a theorem is not proved', () => {
  const run = prove('cli-repl-2.log', '--expansions', '1');
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /two_mul': expansionLimit/);
  assert.match(run.stdout, /budget 32 candidates × 1 expansions, 600 s, native_decide off/);
  assert.match(run.stdout, /model http:\/\/127\.0\.0\.1:\d+\/v1 \(double\) on http \(llemma-fewshot\)/);
  assert.match(run.stdout, /0 of 1 proved/);
});
