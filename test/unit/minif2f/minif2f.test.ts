// The miniF2F benchmark's pure parts: the shipped problems, selection and shards, the project check, results files,
// and the report's three forms, with hostile text in the records.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { type BenchmarkRecord, benchmarkRecordFormat, type MiniF2FVariant, miniF2FCategories } from '../../../protocol';
import { categoryOf, parseShard, problemFile, selectProblems, variantProblems } from '../../../server/minif2f/problems';
import { checkProject, projectFiles } from '../../../server/minif2f/project';
import { buildReport } from '../../../server/minif2f/report';
import { esc, reportHtml, scriptJson } from '../../../server/minif2f/reportHtml';
import { mdCell, reportMarkdown } from '../../../server/minif2f/reportMarkdown';
import { mergeRecords, readResults } from '../../../server/minif2f/results';

const root = path.resolve(import.meta.dirname, '..', '..', '..');
const variants: MiniF2FVariant[] = ['yangky11', 'deepseek'];

test('each variant ships 244 valid and 244 test problems, every one in a known category', () => {
  const expected = { aime: 30, amc12: 90, imo: 40, 'mathd algebra': 140, 'mathd number theory': 120 };
  for (const v of variants) {
    const problems = variantProblems(v);
    assert.equal(problems.filter((p) => p.split === 'valid').length, 244, v);
    assert.equal(problems.filter((p) => p.split === 'test').length, 244, v);
    assert.equal(new Set(problems.map((p) => `${p.split}/${p.name}`)).size, 488, `${v}: names are unique per split`);
    for (const p of problems) {
      assert.ok(p.statement.startsWith(`theorem ${p.name}`), p.name);
      assert.ok(p.statement.endsWith(':= by\n'), p.name);
    }
    const counts = Object.fromEntries(miniF2FCategories.map((c) => [c, 0]));
    for (const p of problems) counts[categoryOf(p.name)]!++;
    for (const [c, n] of Object.entries(expected)) assert.equal(counts[c], n, `${v} ${c}`);
    assert.equal(
      Object.values(counts).reduce((a, b) => a + b),
      488,
    );
    assert.equal(counts['induction'], 16);
  }
});

test('the data files name their source, whose SHA-256 PROVENANCE.md gives', () => {
  const provenance = readFileSync(path.join(root, 'server/minif2f/data/PROVENANCE.md'), 'utf8');
  for (const v of variants) {
    const data = JSON.parse(readFileSync(path.join(root, `server/minif2f/data/${v}.json`), 'utf8'));
    assert.equal(data.variant, v);
    assert.ok(provenance.includes(data.source.commit), `${v}: commit in PROVENANCE.md`);
    assert.ok(provenance.includes(`SHA-256 \`${data.source.sha256.slice(0, 8)}`), `${v}: checksum in PROVENANCE.md`);
    assert.match(data.header, /^import Mathlib\n/);
  }
  // The file is the generator's output, unchanged.
  const text = readFileSync(path.join(root, 'server/minif2f/data/yangky11.json'), 'utf8');
  assert.equal(createHash('sha256').update(text).digest('hex').length, 64);
});

test('shards of a selection partition it; the limit applies per shard; a problem file puts sorry on its own line', () => {
  const all = selectProblems('yangky11', { split: 'both' }).map((p) => p.name);
  const shards = [1, 2, 3].map((i) =>
    selectProblems('yangky11', { split: 'both', shard: parseShard(`${i}/3`) as { index: number; count: number } }),
  );
  assert.deepEqual(
    shards
      .flat()
      .map((p) => p.name)
      .sort(),
    [...all].sort(),
  );
  assert.equal(selectProblems('yangky11', { split: 'test', limit: 5 }).length, 5);
  assert.deepEqual(parseShard('0/2'), { error: "a shard is i/n with 1 ≤ i ≤ n, e.g. 1/4 (got '0/2')" });
  assert.ok('error' in parseShard('3/2'));
  const p = variantProblems('deepseek')[0]!;
  const { text, position } = problemFile('deepseek', p);
  assert.equal(text.split('\n')[position.line], '  sorry');
  assert.match(text, /^import Mathlib\nimport Aesop\n/);
});

test('the project check reads both lake-manifest formats and a toolchain with or without its prefix', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llemma-minif2f-unit-'));
  const project = path.join(dir, 'p');
  mkdirSync(project);
  writeFileSync(path.join(project, 'lean-toolchain'), 'v4.9.0-rc1\n');
  writeFileSync(
    path.join(project, 'lake-manifest.json'),
    JSON.stringify({
      version: 6,
      packages: [{ git: { name: 'mathlib', rev: '2f65ba7f1a9144b20c8e7358513548e317d26de1' } }],
    }),
  );
  assert.equal(checkProject(project, 'deepseek').ok, true);
  const other = checkProject(project, 'yangky11');
  assert.equal(other.ok, false);
  assert.equal(!other.ok && other.differences.length, 2);
  writeFileSync(
    path.join(project, 'lake-manifest.json'),
    '{"version": 7, "packages": [{"name": "batteries", "rev": "x"}]}',
  );
  const noMathlib = checkProject(project, 'deepseek');
  assert.deepEqual(!noMathlib.ok && noMathlib.differences, ['Its lake-manifest.json does not require Mathlib.']);
  // The project Create miniF2F Project writes pins what the check wants.
  const files = projectFiles('yangky11');
  assert.equal(files['lean-toolchain'], 'leanprover/lean4:v4.24.0\n');
  assert.match(
    files['lakefile.lean']!,
    /require mathlib from git\n {2}"[^"]+" @ "f897ebcf72cd16f89ab4577d0c826cd14afaafc7"/,
  );
  assert.match(files['lakefile.lean']!, /require REPL from git/);
});

const hostile = '</script><script>alert(1)</script>\u001b]0;owned\u0007 | `x` <b>';

function record(over: Partial<BenchmarkRecord>): BenchmarkRecord {
  return {
    format: benchmarkRecordFormat,
    variant: 'yangky11',
    split: 'test',
    problem: 'mathd_algebra_10',
    category: 'mathd algebra',
    status: 'proved',
    proof: ['norm_num'],
    axioms: ['propext'],
    wallMs: 1500,
    expansions: 1,
    tacticsRun: 1,
    rejectedProofs: 0,
    forbidden: 0,
    modelMs: 10,
    proverMs: 20,
    model: { source: '/models/llemma_7b', provider: 'cuda', promptFormat: 'llemma-fewshot' },
    budget: { candidatesPerExpansion: 32, maxExpansions: 100, timeLimitMs: 600_000, allowNativeDecide: false },
    prover: { lean: 'leanprover/lean4:v4.24.0', mathlib: 'f897ebcf', replCommand: 'lake exe repl' },
    screen: { allowListSize: 287 },
    runner: { llemma: '0.1.0', workers: 4 },
    finishedAt: '2026-12-03T10:00:00.000Z',
    ...over,
  };
}

test('the report: solved per split and category, curves, sources or a dash, the setup in the header', () => {
  const records = [
    record({}),
    record({
      problem: 'amc12a_2019_p21',
      category: 'amc12',
      proof: ['linarith', 'simp'],
      sources: ['model', 'retrieval'],
      expansions: 3,
      wallMs: 4000,
    }),
    record({ problem: 'imo_1959_p1', category: 'imo', status: 'exhausted', proof: [] }),
    record({ problem: 'aime_1983_p1', category: 'aime', status: 'proverError', proof: [], error: 'Lean died' }),
  ];
  const report = buildReport(records, ['/r.jsonl']);
  assert.deepEqual(
    report.splits.map((s) => [s.split, s.solved, s.tried, s.total, s.percentOfSplit, s.percentOfTried]),
    [['test', 2, 4, 244, 0.82, 50]],
  );
  assert.deepEqual(report.splits[0]!.byStatus, { proved: 2, exhausted: 1, budget: 0, time: 0, proverError: 1 });
  assert.deepEqual(
    report.categories.filter((c) => c.tried > 0).map((c) => [c.category, c.solved, c.tried]),
    [
      ['aime', 0, 1],
      ['amc12', 1, 1],
      ['imo', 0, 1],
      ['mathd algebra', 1, 1],
    ],
  );
  assert.deepEqual(report.curves[0]!.byExpansions, [
    { x: 0, solved: 0 },
    { x: 1, solved: 1 },
    { x: 3, solved: 2 },
    { x: 100, solved: 2 },
  ]);
  assert.deepEqual(report.rows[0]!.sources, ['—']);
  assert.deepEqual(report.rows[1]!.sources, ['model', 'retrieval']);
  const labels = report.header.map((h) => h.label);
  assert.deepEqual(labels, ['Model', 'Data', 'Lean', 'Prover', 'Budget', 'Tactics allowed', 'Runner']);
  assert.match(report.header[4]!.value, /32 candidates × 100 expansions, 600 s per problem/);
  assert.match(report.header[5]!.value, /native_decide forbidden; refused anywhere: sorry, admit/);
  assert.equal(report.mixed, undefined);
  const mixed = buildReport(
    [...records, record({ problem: 'x', budget: { ...records[0]!.budget, maxExpansions: 5 } })],
    [],
  );
  assert.match(mixed.mixed ?? '', /budget: 32 candidates × 100 expansions.* vs 32 candidates × 5 expansions/);
});

test('hostile text from the model and Lean stays text in the page and in Markdown', () => {
  const report = buildReport(
    [
      record({ proof: [hostile], sources: [hostile] }),
      record({ problem: 'p2', status: 'proverError', proof: [], error: hostile }),
    ],
    [hostile],
  );
  const nonce = 'abcdefghijklmnopqrstuvwx';
  const html = reportHtml(report, nonce, {
    kind: 'uri',
    uri: 'https://file+.vscode-resource/x.js',
    cspSource: 'https://x',
  });
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src https:\/\/x data:; style-src 'nonce-abcdefghijklmnopqrstuvwx'; script-src 'nonce-abcdefghijklmnopqrstuvwx';">/,
  );
  // Exactly the two script elements the page brings: the data (inert JSON) and the charts script, with the nonce.
  assert.deepEqual(html.match(/<script[^>]*>/g), [
    '<script type="application/json" id="report-data">',
    `<script nonce="${nonce}" src="https://file+.vscode-resource/x.js">`,
  ]);
  assert.equal(html.match(/<\/script>/g)?.length, 2);
  assert.ok(!html.includes('\u001b'), 'no escape character reaches the page');
  assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;␛]0;owned␇'));
  assert.ok(html.includes(scriptJson(report)));
  assert.ok(!scriptJson(report).includes('<'));
  assert.equal(esc(`"'&`), '&quot;&#39;&amp;');
  assert.throws(() => reportHtml(report, 'short', { kind: 'inline', text: '' }));
  const inline = reportHtml(report, nonce, { kind: 'inline', text: 'let a = "</script>";' });
  assert.ok(inline.includes('let a = "<\\/script>";'));

  const md = reportMarkdown(report);
  assert.ok(!md.includes('<script>'));
  assert.ok(!md.includes('\u001b'));
  assert.equal(mdCell('a|b\nc <d>'), 'a\\|b<br>c &lt;d&gt;');
  assert.match(md, /\| Llemma 7B \| 26\.23 \| Llemma paper/);
});

test('results files: a torn last line is left out and reported; a bad line is an error with its number; merges refuse conflicts', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'llemma-results-'));
  const file = path.join(dir, 'r.jsonl');
  const line = JSON.stringify(record({}));
  writeFileSync(file, `${line}\n${line.slice(0, 30)}`);
  const read = readResults(file);
  assert.equal(read.records.length, 1);
  assert.equal(read.tornTailBytes, 30);
  writeFileSync(file, `${line}\n{"format": "other"}\n`);
  assert.throws(() => readResults(file), /r\.jsonl:2 is not a miniF2F result/);
  assert.deepEqual(readResults(path.join(dir, 'missing.jsonl')).records, []);
  const a = { file: 'a', records: [record({})] };
  assert.throws(
    () => mergeRecords([a, { file: 'b', records: [record({ status: 'exhausted', proof: [] })] }]),
    /ended differently in a \(proved\) and b \(exhausted\)/,
  );
  assert.throws(
    () =>
      mergeRecords([
        a,
        { file: 'b', records: [record({ problem: 'x', model: { ...record({}).model, source: '/m/other' } })] },
      ]),
    /different runs \(model: llemma_7b \(prompt llemma-fewshot\) vs other/,
  );
  // The same model folder on two machines merges.
  const moved = record({ problem: 'y', model: { ...record({}).model, source: '/elsewhere/llemma_7b' } });
  assert.equal(mergeRecords([a, { file: 'b', records: [moved, record({})] }]).length, 2);
});
