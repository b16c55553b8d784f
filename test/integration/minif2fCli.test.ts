// `llemma bench …` as a user runs it: real processes for the CLI, the REPL double and the model double (an
// OpenAI-compatible server). A run writes its records as problems end; the CLI killed with SIGKILL mid-run and run
// again gives exactly the complete result set; shards merge; reports come out as Markdown and as a page; a project of
// another Lean is refused with the reason.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as esbuild from 'esbuild';
import { bundles, commonOptions } from '../../scripts/bundles.mjs';
import {
  firstProblems,
  makeMiniF2FProject,
  outcomeOf,
  type Plan,
  readRecords,
  startMiniF2FModelDouble,
  worldRepl,
} from './minif2fFixture';

const root = path.resolve(import.meta.dirname, '..', '..');
const cliArgs = ['--import', 'tsx', path.join(root, 'server/cli/main.ts')];
const env = { ...process.env, LLEMMA_REPL: '', LLEMMA_MODEL: '' };
let model: { url: string; stop: () => void };
const { base, root: project } = makeMiniF2FProject();

before(async () => {
  model = await startMiniF2FModelDouble(base);
});
after(() => model.stop());

/** `bench minif2f` on the fixture project with the world's REPL and the model double, then `rest`. */
const benchRun = (repl: string, ...rest: string[]) => [
  'bench',
  'minif2f',
  '--project',
  project,
  '--repl',
  repl,
  '--model',
  model.url,
  ...rest,
];

function llemma(args: string[]) {
  const r = spawnSync(process.execPath, [...cliArgs, ...args], { cwd: root, encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const names = firstProblems(4);
const plans: Record<string, Plan> = {
  [names[0]!]: 'proved',
  [names[1]!]: 'unproved',
  [names[2]!]: 'twoSteps',
  [names[3]!]: 'unproved',
};

test('bench minif2f runs a subset: plain progress lines without a terminal, a record per problem, a summary', () => {
  const { repl } = worldRepl(base, plans, 'cli-run');
  const out = path.join(base, 'run.jsonl');
  const r = llemma(benchRun(repl, '--split', 'test', '--limit', '4', '--workers', '2', '--out', out));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^\[0\/4\] 0 solved · 0 tried · 4 left · ETA …$/m);
  assert.match(r.stderr, /^\[4\/4\] 2 solved · 4 tried · 0 left · ETA 0 s$/m);
  assert.match(r.stderr, new RegExp(`^test/${names[2]}: proved — linarith; nlinarith \\(`, 'm'));
  assert.match(r.stdout, /miniF2F yangky11 test: 2 of 4 proved \(4 selected, 0 left\)/);
  assert.match(r.stdout, /model http:\/\/127\.0\.0\.1:\d+\/v1/);
  const records = readRecords(out);
  assert.deepEqual(records.map((x) => x.problem).sort(), [...names].sort());
  assert.ok(records.every((x) => x.model.provider === 'http'));
  // The merged generator's sources of each tactic: `linarith` is also a decision procedure, `nlinarith` is not.
  assert.deepEqual(records.find((x) => x.problem === names[2])!.sources, ['model + procedures', 'model']);

  const md = llemma(['bench', 'report', out, '--markdown']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /\| test \| 2 \| 4 \| 244 \| 0\.82 \| 50\.00 \|/);
  assert.match(md.stdout, /\| Model \| http:\/\/127\.0\.0\.1/);
  const text = llemma(['bench', 'report', out]);
  assert.match(text.stdout, /test: 2 of 244 proved \(0\.82 % of the split; 4 tried, 50\.00 % of those\)/);
  assert.match(text.stdout, /Llemma 7B: 26\.23 % — Llemma paper/);

  // The page: Chart.js inlined under the page's nonce, no network.
  const charts = bundles.find((b) => b.outfile.endsWith('minif2fCharts.js'))!;
  if (!existsSync(path.join(root, charts.outfile))) {
    esbuild.buildSync({ ...commonOptions, ...charts, absWorkingDir: root, logLevel: 'silent' } as esbuild.BuildOptions);
  }
  const page = path.join(base, 'report.html');
  const html = llemma(['bench', 'report', out, '--html', page]);
  assert.equal(html.code, 0, html.stderr);
  const text2 = readFileSync(page, 'utf8');
  const nonce = /script-src 'nonce-([^']+)'/.exec(text2)?.[1];
  assert.ok(nonce, 'a CSP with a nonce');
  assert.match(text2, new RegExp(`<script nonce="${nonce}">`));
  assert.doesNotMatch(text2, /https?:\/\/(?!127\.0\.0\.1)[^"<\s]*\.js/);
  assert.match(text2, /Chart\.js v4/);
});

test('the CLI killed with SIGKILL mid-run, then run again: exactly the complete result set, no duplicates', async () => {
  const eight = firstProblems(8);
  const slow = Object.fromEntries(eight.map((n) => [n, 'slow' as Plan]));
  const { repl } = worldRepl(base, slow, 'cli-kill');
  const out = path.join(base, 'killed.jsonl');
  const args = benchRun(repl, '--limit', '8', '--out', out);
  const child = spawn(process.execPath, [...cliArgs, ...args], { cwd: root, env, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const lines = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).length : 0);
  const deadline = Date.now() + 40_000;
  while (lines() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(lines() >= 3, 'three problems finished before the kill');
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const before = lines();
  assert.ok(before < 8, `the run was cut short (${before} of 8)`);

  const again = llemma(args);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, new RegExp(`\\(${before} from the file\\)`));
  const records = readRecords(out);
  assert.equal(records.length, 8);
  assert.deepEqual(records.map((r) => r.problem).sort(), [...eight].sort());
  assert.ok(records.every((r) => r.status === 'proved'));
});

test('bench merge joins shards into one run; the report of the merge is the report of one run', () => {
  const { repl } = worldRepl(base, plans, 'cli-shards');
  const shard = (i: number) => {
    const out = path.join(base, `shard-${i}.jsonl`);
    const r = llemma(benchRun(repl, '--shard', `${i}/2`, '--limit', '2', '--out', out, '--json'));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).progress.tried, 2);
    return out;
  };
  const outs = [shard(1), shard(2)];
  const merged = path.join(base, 'merged.jsonl');
  const m = llemma(['bench', 'merge', ...outs, '--out', merged]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /4 results from 2 file\(s\)/);
  const sort = (f: string) =>
    readRecords(f)
      .map(outcomeOf)
      .sort((a, b) => a.problem.localeCompare(b.problem));
  assert.deepEqual(sort(merged), sort(path.join(base, 'run.jsonl')));
});

test('a project of another Lean toolchain is refused with the reason; bench init writes the pinned project', () => {
  const other = makeMiniF2FProject('yangky11', { lean: 'leanprover/lean4:v4.9.0-rc1' });
  const r = llemma(['bench', 'minif2f', '--project', other.root, '--out', path.join(other.base, 'r.jsonl')]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /does not match the miniF2F yangky11 variant: Its lean-toolchain is `leanprover\/lean4:v4\.9\.0-rc1`; the yangky11 variant needs `leanprover\/lean4:v4\.24\.0`\./,
  );
  assert.equal(existsSync(path.join(other.base, 'r.jsonl')), false);

  const folder = path.join(base, 'new-project');
  const init = llemma(['bench', 'init', folder, '--variant', 'deepseek']);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /lake update\n {2}lake exe cache get\n {2}lake build repl/);
  assert.equal(readFileSync(path.join(folder, 'lean-toolchain'), 'utf8'), 'leanprover/lean4:v4.9.0-rc1\n');
  assert.match(
    readFileSync(path.join(folder, 'lakefile.lean'), 'utf8'),
    /@ "d1d1e4b72c6e009edd97cabe1d661b021fe8eeae"/,
  );
  // Not built yet: the run says what is missing.
  const unbuilt = llemma(['bench', 'minif2f', '--variant', 'deepseek', '--project', folder, '--out', 'x.jsonl']);
  assert.equal(unbuilt.code, 1);
  assert.match(unbuilt.stderr, /no lake-manifest\.json.*run `lake update`/);
  assert.equal(llemma(['bench', 'init', folder]).code, 1, 'a folder that is not empty is refused');
  assert.equal(llemma(['bench', 'minif2f']).code, 2);
  assert.match(llemma(['help', 'bench']).stdout, /llemma bench merge/);
});
