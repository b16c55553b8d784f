// `llemma candidates` as a user runs it: the real CLI process, a real ONNX model folder (the tiny random-weight test
// model, so the tactics are noise: only the mechanics are checked) and the HTTP backend against its process double.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { forDisplay } from '../../protocol';

const root = path.resolve(import.meta.dirname, '..', '..');
const tinyModel = path.join(root, 'model/testing/tiny-llama');

function llemma(args: string[], command = 'candidates') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'server/cli/main.ts'), command, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LLEMMA_MODEL: '' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('candidates with a local ONNX model: n distinct candidates, best first, with the model and budget named', () => {
  const r = llemma([
    '--goal',
    'n : ℕ\n⊢ n + 0 = n',
    '--model',
    tinyModel,
    // The model alone: its own ranking, which this test is about.
    '--sources',
    'model',
    '--n',
    '6',
    '--max-tokens',
    '8',
    '--ep',
    'cpu',
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.checked, false, 'the JSON says no prover ran these');
  assert.equal(out.model.provider, 'cpu');
  assert.equal(out.model.source, tinyModel);
  assert.deepEqual(out.budget, { n: 6, beamWidth: 6, temperature: 0, maxNewTokens: 8 });
  assert.equal(out.candidates.length, 6);
  assert.equal(new Set(out.candidates.map((c: { tactic: string }) => c.tactic)).size, 6, 'distinct');
  const means = out.candidates.map((c: { meanLogprob: number }) => c.meanLogprob);
  assert.deepEqual(
    means,
    [...means].sort((a, b) => b - a),
    'sorted by mean log-prob',
  );
  for (const c of out.candidates) assert.ok(c.tokens <= 8 && c.meanLogprob < 0 && c.source === 'model');
  assert.deepEqual(out.sources, ['model']);
});

test('the former name, suggest, prints the same; the text says the candidates are not checked by Lean', () => {
  const r = llemma(
    ['--goal', '⊢ True', '--model', tinyModel, '--n', '2', '--max-tokens', '4', '--ep', 'cpu'],
    'suggest',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /tiny-llama on cpu/);
  assert.match(r.stdout, /not checked by Lean/);
});

test('candidates without --model uses the embedded default model; LLEMMA_MODEL overrides it', () => {
  const r = llemma(['--goal', 'n : ℕ\n⊢ n + 0 = n', '--n', '4', '--max-tokens', '16', '--ep', 'cpu', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.model.source, path.join(root, 'model/default'));
  // `auto` for the embedded model: retrieval, the file (none above a goal given on the command line) and the
  // procedures; its neural model is asked only when listed.
  assert.deepEqual(out.sources, ['retrieval', 'file', 'procedures']);
  assert.equal(out.promptFormat, 'none');
  assert.match(out.model.skippedSources.join('\n'), /model: the embedded one is asked only when listed/);
  // The merged generator: 4 candidates, then the decision procedures that did not rank among them.
  assert.ok(out.candidates.length > 4);
  assert.ok(out.candidates.slice(4).every((c: { sources: string[] }) => c.sources.includes('procedures')));
  // Listed, the embedded model is asked too, with its prompt format.
  const all = JSON.parse(
    llemma([
      '--goal',
      'n : ℕ\n⊢ n + 0 = n',
      '--n',
      '4',
      '--max-tokens',
      '16',
      '--ep',
      'cpu',
      '--sources',
      'retrieval,model,procedures',
      '--json',
    ]).stdout,
  );
  assert.deepEqual(all.sources, ['retrieval', 'model', 'procedures']);
  assert.equal(all.promptFormat, 'proof-prefix');
  const viaEnv = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'server/cli/main.ts'),
      'candidates',
      '--goal',
      '⊢ True',
      '--n',
      '1',
      '--max-tokens',
      '2',
      '--json',
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, LLEMMA_MODEL: tinyModel }, timeout: 60_000 },
  );
  assert.equal(JSON.parse(viaEnv.stdout).model.source, tinyModel);
});

test('candidates names the source of every candidate, in the text and in --json (not checked by Lean)', () => {
  const goal = 'x : ℝ\nh : 0 < x\n⊢ 0 < x ^ 2';
  const r = llemma(['--goal', goal, '--n', '8', '--ep', 'cpu', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.checked, false);
  const by = new Map(
    out.candidates.map((c: { tactic: string; source: string; sources: string[]; score: number }) => [c.tactic, c]),
  );
  for (const c of by.values() as Iterable<{ source: string; sources: string[]; score: number }>) {
    assert.ok(['retrieval', 'procedures'].includes(c.source) && c.sources.includes(c.source));
    assert.ok(c.score <= 0);
  }
  // `positivity` is both a tactic of the nearest known goals and a decision procedure.
  const positivity = by.get('positivity') as { sources: string[] } | undefined;
  assert.deepEqual(new Set(positivity?.sources), new Set(['retrieval', 'procedures']));
  const text = llemma(['--goal', goal, '--n', '8', '--ep', 'cpu']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /sources retrieval, file, procedures/);
  assert.match(text.stdout, /score \(calibrated log-probability\), source, tactic/);
  assert.match(text.stdout, /^\s+\d+\s+-\d+\.\d{3}\s+(retrieval\+procedures|procedures\+retrieval)\s+positivity$/m);
});

test('candidates with a broken model folder fails with the reason', () => {
  const broken = mkdtempSync(path.join(tmpdir(), 'llemma-broken-model-'));
  writeFileSync(path.join(broken, 'config.json'), '{}');
  const bad = llemma(['--goal', '⊢ True', '--model', broken, '--ep', 'cpu']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /tokenizer\.json|model\.onnx/);
});

test('candidates from an OpenAI-compatible server (its process double): the same ranking rules', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llemma-openai-'));
  const rules = path.join(dir, 'rules.json');
  writeFileSync(
    rules,
    JSON.stringify({
      rules: [
        {
          match: { promptIncludes: '⊢ 2 + 2 = 4' },
          completions: [
            { text: '\nnorm_num\n', logprobs: [-0.1, -0.1, -0.1] },
            { text: '\nsimp\n', logprobs: [-0.5, -0.7] },
            { text: '\nrfl\u001b]0;pwned\u0007\u001b[2J\n', logprobs: [-2, -2] },
          ],
        },
      ],
    }),
  );
  const server = spawn(process.execPath, [path.join(root, 'test/doubles/openaiDouble.mjs'), '--rules', rules], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      server.stdout!.once('data', (d: Buffer) => resolve(Number(/listening (\d+)/.exec(d.toString())?.[1])));
      server.once('exit', () => reject(new Error('the double exited')));
    });
    const run = (...extra: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            'server/cli/main.ts',
            'candidates',
            '--goal',
            '⊢ 2 + 2 = 4',
            '--n',
            '3',
            '--model',
            `http://127.0.0.1:${port}/v1#model=llemma_7b`,
            '--sources',
            'model',
            ...extra,
          ],
          { cwd: root },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const r = await run('--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(
      out.candidates.map((c: { tactic: string }) => c.tactic),
      ['norm_num', 'simp', 'rfl\u001b]0;pwned\u0007\u001b[2J'],
    );
    // A model server's output reaches the terminal with its escape sequences shown, never obeyed.
    const text = await run();
    assert.equal(text.code, 0, text.stderr);
    assert.equal(forDisplay(text.stdout), text.stdout, 'nothing in the output acts on a terminal');
    assert.match(text.stdout, /rfl␛\]0;pwned␇␛\[2J/);
    assert.equal(out.model.provider, 'http');
    assert.match(out.model.source, /^http:\/\/127\.0\.0\.1:\d+\/v1 \(llemma_7b\)$/);
    assert.ok(Math.abs(out.candidates[1].meanLogprob - -0.6) < 1e-9);
  } finally {
    server.stdin!.end();
  }
});
