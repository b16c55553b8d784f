import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgs, UsageError, usage } from '../../../server/cli/args';
import { parseBenchArgs } from '../../../server/cli/benchArgs';

test('goal takes file:line:col and options', () => {
  assert.deepEqual(parseArgs(['goal', 'src/My File.lean:12:3', '--json', '--repl', 'lake env /x/repl']), {
    command: 'goal',
    file: 'src/My File.lean',
    line: 12,
    column: 3,
    json: true,
    verbose: false,
    repl: 'lake env /x/repl',
  });
  const withEq = parseArgs(['goal', '--repl=node double.mjs', 'a.lean:1:1', '--timeout', '500']);
  assert.equal(withEq.command === 'goal' && withEq.repl, 'node double.mjs');
  assert.equal(withEq.command === 'goal' && withEq.timeoutMs, 500);
});

test('prove takes a file and optionally a theorem after the last colon, and the budget', () => {
  assert.deepEqual(parseArgs(['prove', 'dir/My File.lean:mathd_algebra_10', '--expansions', '5', '--time', '30']), {
    command: 'prove',
    file: 'dir/My File.lean',
    theorem: 'mathd_algebra_10',
    json: false,
    verbose: false,
    allowNativeDecide: false,
    expansions: 5,
    timeSeconds: 30,
  });
  const budget = parseArgs(['prove', 'a.lean', '--budget', 'candidates=16, expansions=50,time=120', '--time', '60']);
  assert.ok(budget.command === 'prove');
  assert.deepEqual([budget.candidates, budget.expansions, budget.timeSeconds], [16, 50, 60]);
  const plain = parseArgs([
    'prove',
    'C:/x/A.lean',
    '--json',
    '--candidates',
    '8',
    '--allow-native-decide',
    '--processes',
    '3',
  ]);
  assert.equal(plain.command, 'prove');
  if (plain.command === 'prove') {
    assert.equal(plain.file, 'C:/x/A.lean');
    assert.equal(plain.theorem, undefined);
    assert.equal(plain.candidates, 8);
    assert.equal(plain.allowNativeDecide, true);
    assert.equal(plain.processes, 3);
    assert.equal(plain.json, true);
  }
});

test('goal and prove take an Isabelle theory, the isabelle executable and its session', () => {
  assert.deepEqual(parseArgs(['goal', 'thys/Demo.thy:9:3', '--isabelle', '/opt/Isabelle2025-2/bin/isabelle']), {
    command: 'goal',
    file: 'thys/Demo.thy',
    line: 9,
    column: 3,
    json: false,
    verbose: false,
    isabelle: '/opt/Isabelle2025-2/bin/isabelle',
  });
  const prove = parseArgs(['prove', 'dir/Demo.thy:mathd_algebra_10', '--isabelle-session=HOL-Number_Theory']);
  assert.ok(prove.command === 'prove');
  assert.deepEqual(
    [prove.file, prove.theorem, prove.isabelleSession],
    ['dir/Demo.thy', 'mathd_algebra_10', 'HOL-Number_Theory'],
  );
  assert.throws(() => parseArgs(['prove', 'Demo.thy', '--isabelle', ' ']), /--isabelle needs a value/);
  assert.match(usage('goal'), /--isabelle <path>[\s\S]*--isabelle-session/);
  assert.match(usage('prove'), /--isabelle <path>[\s\S]*--isabelle-session/);
});

test('prove takes Sledgehammer as a source for a .thy file, with its time limit; goal does not', () => {
  const on = parseArgs(['prove', 'Demo.thy', '--sledgehammer']);
  assert.ok(on.command === 'prove');
  assert.deepEqual([on.sledgehammer, on.sledgehammerSeconds], [true, undefined]);
  const timed = parseArgs(['prove', 'Demo.thy', '--sledgehammer-time', '5']);
  assert.ok(timed.command === 'prove');
  assert.deepEqual([timed.sledgehammer, timed.sledgehammerSeconds], [true, 5]);
  const off = parseArgs(['prove', 'Demo.thy']);
  assert.ok(off.command === 'prove');
  assert.equal(off.sledgehammer, undefined);
  assert.throws(() => parseArgs(['prove', 'Demo.thy', '--sledgehammer-time', '0']), /positive integer/);
  assert.throws(() => parseArgs(['goal', 'Demo.thy:3:1', '--sledgehammer']), /unknown option --sledgehammer/);
  assert.match(usage('prove'), /--sledgehammer [\s\S]*--sledgehammer-time <seconds>/);
});

test('bad usage is a UsageError naming the problem', () => {
  const cases: [string[], RegExp][] = [
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['prove'], /exactly one <file.lean\|file.thy>/],
    [['prove', 'a.lean', '--expansions', '0'], /--expansions must be a positive integer/],
    [['prove', 'a.lean', '--processes', '9'], /--processes must be at most 8/],
    [['prove', 'a.lean', '--budget', 'candidates=8,depth=3'], /--budget takes candidates=N.*'depth=3'/],
    [['prove', 'a.lean', '--budget', 'time=0'], /--budget time must be a positive integer/],
    [['prove', 'a.lean', '--budget', 'time=5,time=6'], /--budget names time twice/],
    [['candidates'], /needs --goal/],
    [['suggest'], /candidates needs --goal/],
    [['candidates', '--goal', '⊢ True', '--n', '8', '--beam', '4'], /--beam must be at least --n/],
    [['candidates', '--goal', '⊢ True', '--temperature', 'hot'], /--temperature must be a number/],
    [['candidates', '--goal', '⊢ True', 'extra'], /no positional arguments/],
    [
      ['candidates', '--goal', '⊢ True', '--ep', 'tpu'],
      /unknown execution provider 'tpu' \(known: cuda, webgpu, cpu\)/,
    ],
    [['candidates', '--goal', '⊢ True', '--ep', ','], /--ep needs at least one execution provider/],
    [
      ['candidates', '--goal', '⊢ True', '--sources', 'retrieval,oracle'],
      /unknown candidate source 'oracle' \(known: retrieval, file, model, procedures\)/,
    ],
    [['prove', 'a.lean', '--sources', ','], /--sources needs at least one source/],
    [['goal'], /exactly one/],
    [['goal', 'a.lean:3'], /expected <file.lean\|file.thy>:<line>:<col>/],
    [['goal', 'a.lean:0:1'], /line must be a positive integer/],
    [['goal', 'a.lean:1:1', '--repl'], /--repl needs a value/],
    [['goal', 'a.lean:1:1', '--frobnicate'], /unknown option --frobnicate/],
    [['goal', 'a.lean:1:1', '--timeout', '-5'], /--timeout must be a positive integer/],
  ];
  for (const [argv, re] of cases)
    assert.throws(
      () => parseArgs(argv),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
    );
});

test('help, a command’s help, the version; no command at all is bad usage', () => {
  assert.deepEqual(parseArgs(['--help']), { command: 'help' });
  assert.deepEqual(parseArgs(['help', 'prove']), { command: 'help', topic: 'prove' });
  for (const command of ['goal', 'candidates', 'prove'] as const) {
    assert.deepEqual(parseArgs([command, '--help']), { command: 'help', topic: command });
    assert.deepEqual(parseArgs([command, 'x.lean', '--frobnicate', '-h']), { command: 'help', topic: command });
  }
  // `suggest`, the former name of `candidates`, still works, for help too.
  assert.deepEqual(parseArgs(['suggest', '--help']), { command: 'help', topic: 'candidates' });
  assert.deepEqual(parseArgs(['help', 'suggest']), { command: 'help', topic: 'candidates' });
  for (const v of ['--version', '-V', 'version']) assert.deepEqual(parseArgs([v]), { command: 'version' });
  assert.throws(
    () => parseArgs([]),
    (e: unknown) => e instanceof UsageError && /no command/.test(e.message),
  );
  assert.throws(
    () => parseArgs(['help', 'frobnicate']),
    (e: unknown) => e instanceof UsageError && /not a command/.test(e.message),
  );
  // A mistake in a command's options is answered with that command's usage.
  assert.throws(
    () => parseArgs(['prove', 'a.lean', '--frobnicate']),
    (e: unknown) => e instanceof UsageError && e.showUsage !== false && e.showUsage.command === 'prove',
  );
});

test('each command’s usage lists all of its options, and the overview lists every command', () => {
  assert.match(usage('goal'), /--repl[\s\S]*--timeout[\s\S]*--json[\s\S]*--help/);
  assert.doesNotMatch(usage('goal'), /--model/);
  assert.match(usage('prove'), /--repl[\s\S]*--model[\s\S]*--ep[\s\S]*--budget[\s\S]*--processes/);
  for (const c of ['goal', 'candidates', 'prove', '--version']) assert.ok(usage().includes(`llemma ${c}`), c);
  assert.match(usage('candidates'), /`llemma suggest --goal …` is the same command/);
});

test('candidates (or its former name, suggest) takes the goal, the model and the generation budget', () => {
  const a = parseArgs([
    'suggest',
    '--goal',
    'n : ℕ\n⊢ n + 0 = n',
    '--model=/m',
    '--n',
    '8',
    '--ep',
    'cuda, cpu',
    '--generation-graph',
    'on',
    '--json',
  ]);
  assert.deepEqual(a, {
    command: 'candidates',
    goal: 'n : ℕ\n⊢ n + 0 = n',
    model: '/m',
    n: 8,
    temperature: 0,
    maxTokens: 256,
    ep: ['cuda', 'cpu'],
    generationGraph: 'on',
    json: true,
    verbose: false,
  });
  const d = parseArgs(['candidates', '--goal', '⊢ True']);
  assert.equal(d.command === 'candidates' && d.n, 32, 'the Llemma search default: 32 candidates');
  assert.equal(d.command === 'candidates' && d.maxTokens, 256, 'the Llemma search default: 256 new tokens');
  assert.equal(d.command === 'candidates' && d.generationGraph, undefined, "the default is the model layer's (auto)");
  const auto = parseArgs(['candidates', '--goal', '⊢ True', '--ep', 'cpu', '--ep', 'auto']);
  assert.equal(auto.command === 'candidates' && 'ep' in auto, false, '--ep auto is the order without the flag');
  assert.throws(
    () => parseArgs(['candidates', '--goal', '⊢ True', '--generation-graph', 'yes']),
    /--generation-graph must be one of auto, on, off \(got 'yes'\)/,
  );
});

test('--sources chooses the candidate sources of candidates and prove, in their own order; auto is the setting', () => {
  const c = parseArgs(['candidates', '--goal', '⊢ True', '--sources', 'procedures, retrieval']);
  assert.deepEqual(c.command === 'candidates' && c.sources, ['retrieval', 'procedures']);
  const p = parseArgs(['prove', 'a.lean', '--sources=model']);
  assert.deepEqual(p.command === 'prove' && p.sources, ['model']);
  // `auto` leaves the choice to the server, which knows whether the model is the embedded one (autoTacticSources).
  assert.equal('sources' in parseArgs(['prove', 'a.lean', '--sources', 'model', '--sources', 'auto']), false);
  assert.equal('sources' in parseArgs(['prove', 'a.lean']), false, 'without the flag: the setting (auto)');
  assert.match(usage('candidates'), /--sources <list>/);
  assert.match(usage('prove'), /--sources <list>/);
});

test('bench minif2f takes the search flags of prove, read by the same code', () => {
  const flags = ['--model', 'http://x/v1', '--sources', 'model', '--budget', 'candidates=8,expansions=5,time=60'];
  const p = parseArgs(['prove', 'a.lean', ...flags, '--allow-native-decide']);
  const b = parseBenchArgs(['minif2f', '--out', 'r.jsonl', ...flags, '--allow-native-decide']);
  for (const key of ['model', 'sources', 'candidates', 'expansions', 'timeSeconds', 'allowNativeDecide'] as const) {
    assert.deepEqual((b as Record<string, unknown>)[key], (p as Record<string, unknown>)[key], key);
  }
  assert.deepEqual(b.command === 'bench-minif2f' && b.sources, ['model']);
  assert.throws(
    () => parseBenchArgs(['minif2f', '--out', 'r.jsonl', '--sources', 'oracle']),
    /unknown candidate source/,
  );
});
