/**
 * ReplClient against replDouble.mjs in script mode, as a real child process: framing and queueing under concurrency,
 * timeouts, crashes, garbage, startup failures and the restart-loop guard, the env cache, cancellation.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReplError, type ReplLifecycle } from '../../server/provers/lean/repl/replApi';
import { ReplClient, type ReplClientOptions } from '../../server/provers/lean/repl/replClient';
import { renderRemedies, vscodeWords } from '../../server/remedies';

const double = join(import.meta.dirname, '..', 'doubles', 'replDouble.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'llemma-repl-'));
/** Every client made, disposed at the end even when a test failed half-way (a live REPL keeps node running). */
const clients: ReplClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  rmSync(tmp, { recursive: true, force: true });
});
let counter = 0;

const header = { match: { cmd: 'import Mathlib' }, respond: { env: '$nextEnv' } };
const echo = (cmd: string, env: number, delayMs = 0) => ({ match: { cmd }, respond: { env }, delayMs });

/** A client on a fresh script; `inputs()` lists what the double received, `starts()` how often it was started. */
function setup(script: object, opts: Partial<ReplClientOptions> & { wrap?: boolean } = {}) {
  const dir = join(tmp, String(counter++));
  const [scriptFile, log, state] = ['script.json', 'log.jsonl', 'state.json'].map((f) => `${dir}-${f}`) as string[];
  writeFileSync(scriptFile!, JSON.stringify(script));
  const args = [double, ...(opts.wrap ? ['--wrap'] : []), '--script', scriptFile!, '--state', state!, '--log', log!];
  const states: [ReplLifecycle, string | undefined][] = [];
  const client = new ReplClient({
    launch: { command: process.execPath, args, cwd: tmp, display: 'replDouble' },
    requestTimeoutMs: 2000,
    importTimeoutMs: 2000,
    onLifecycle: (s, m) => states.push([s, m]),
    ...opts,
  });
  clients.push(client);
  const events = () =>
    existsSync(log!)
      ? readFileSync(log!, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { pid: number; event: string; input?: { cmd?: string } })
      : [];
  const inputs = () => events().filter((e) => e.event === 'input');
  const starts = () => events().filter((e) => e.event === 'start');
  const sent = (cmd: string) => inputs().filter((e) => e.input?.cmd === cmd).length;
  return { client, inputs, starts, sent, states };
}

async function failure(promise: Promise<unknown>, kind: ReplError['kind']): Promise<ReplError> {
  const err = await promise.then(
    () => assert.fail(`expected a ReplError '${kind}'`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ReplError, String(err));
  assert.equal(err.kind, kind, err.message);
  return err;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !cond(); await sleep(20)) if (Date.now() > end) assert.fail(`timed out: ${what}`);
}

function track(opts: ReplClientOptions): ReplClient {
  const client = new ReplClient(opts);
  clients.push(client);
  return client;
}

/** Alive and not a zombie (a container's init may not reap orphans at once). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('ReplClient with the double', { concurrency: true }, () => {
  it('pairs answers with requests under concurrency, one process for all', async () => {
    const rules = Array.from({ length: 8 }, (_, i) => echo(`def x${i} := ${i}`, 100 + i, (i * 37) % 60));
    const { client, starts, states } = setup({
      rules: [...rules, { match: { tactic: 'rfl' }, respond: { proofState: 9, goals: [] } }],
    });
    const requests = rules.map((_, i) => client.command(`def x${i} := ${i}`, undefined));
    const tactic = client.tactic('rfl', 0);
    assert.deepEqual(
      (await Promise.all(requests)).map((r) => r.env),
      rules.map((_, i) => 100 + i),
    );
    assert.deepEqual(await tactic, { proofState: 9, goals: [] });
    assert.equal(client.generation, 1);
    assert.equal(starts().length, 1);
    assert.deepEqual(states.map(([s]) => s).slice(0, 1), ['starting']);
    assert.equal(client.lifecycle, 'ready');
    await client.dispose();
    await failure(client.command('x', undefined), 'disposed');
  });

  it('kills a hung REPL on timeout and answers the next request from a fresh one', async () => {
    const { client } = setup({ rules: [{ match: { cmd: 'loop' }, hang: true }, echo('ok', 1)] });
    assert.equal((await client.command('ok', undefined)).env, 1);
    const oldPid = client.pid!;
    const queued = client.command('ok', undefined);
    const err = await failure(client.command('loop', 5, { timeoutMs: 300 }), 'timeout');
    assert.match(
      renderRemedies(err.message, vscodeWords),
      /did not answer the command `loop` within 0\.3 s.*raise the limit: the setting `llemma\.lean\.requestTimeoutMs`/s,
    );
    assert.equal((await queued).env, 1, 'the request before it was answered');
    assert.equal((await client.command('ok', undefined)).env, 1);
    assert.equal(client.generation, 2);
    await until('the hung process is gone', () => !alive(oldPid));
    await client.dispose();
  });

  it('kills the whole process group, as `lake env repl` runs the REPL below lake', async () => {
    const { client, starts } = setup(
      { rules: [{ match: { cmd: 'loop' }, hang: true }, echo('ok', 1)] },
      { wrap: true },
    );
    await client.command('ok', undefined);
    await failure(client.command('loop', undefined, { timeoutMs: 300 }), 'timeout');
    const inner = starts()[0]!.pid;
    assert.notEqual(inner, client.pid);
    await until('the REPL below the wrapper is gone', () => !alive(inner));
    await client.dispose();
  });

  it('reports a crash mid-request with the stderr tail, then restarts', async () => {
    const rules = [echo('ok', 1), { match: { cmd: 'slow' }, stderr: 'PANIC: bad things\n', delayMs: 5000 }];
    const { client, sent } = setup({ rules });
    await client.command('ok', undefined);
    const slow = client.command('slow', 0);
    await until('slow is sent', () => sent('slow') === 1);
    await sleep(50);
    process.kill(client.pid!, 'SIGKILL');
    const err = await failure(slow, 'crashed');
    assert.match(err.message, /was killed by SIGKILL while working:\nPANIC: bad things\nIt is restarted/);
    assert.equal(err.stderrTail, 'PANIC: bad things');
    assert.equal((await client.command('ok', undefined)).env, 1);
    assert.equal(client.generation, 2);
    const stale = await failure(client.command('ok', 0, { generation: 1 }), 'crashed');
    assert.match(stale.message, /restarted since the environment for the command `ok` was made/);
    assert.equal(sent('ok'), 2, 'the stale request was not sent');
    await client.dispose();
  });

  it('sends a header once for many requests, and rebuilds it at once after a restart', async () => {
    const { client, sent } = setup({ rules: [header, { match: { hasEnv: true }, respond: { env: 50 } }] });
    const chain = ['import Mathlib'];
    const envs = await Promise.all([client.envFor(chain), client.envFor(chain), client.commandIn(chain, 'def a := 1')]);
    assert.deepEqual(envs.slice(0, 2), [0, 0]);
    for (let i = 0; i < 3; i++) assert.equal((await client.commandIn(chain, `def b${i} := 1`)).response.env, 50);
    assert.equal(sent('import Mathlib'), 1);
    process.kill(client.pid!, 'SIGKILL');
    await until('the header is re-sent without any request', () => sent('import Mathlib') === 2);
    assert.equal(client.generation, 2);
    const { generation } = await client.commandIn(chain, 'def c := 1');
    assert.equal(generation, 2);
    assert.equal(sent('import Mathlib'), 2, 'the rebuilt env is reused');
    await client.dispose();
  });

  it('does not rebuild a header again and again when its rebuild times out', async () => {
    const rules = [
      { match: { cmd: 'import Slow' }, times: 1, respond: { env: 0 } },
      { match: {}, hang: true },
    ];
    const { client, sent, starts, states } = setup({ rules }, { importTimeoutMs: 1000 });
    assert.equal(await client.envFor(['import Slow'], { timeoutMs: 5000 }), 0);
    process.kill(client.pid!, 'SIGKILL');
    await until('the rebuild timed out', () => client.lifecycle === 'stopped');
    await sleep(1500);
    assert.deepEqual([starts().length, client.generation, client.lifecycle], [2, 2, 'stopped']);
    assert.ok(sent('import Slow') <= 2);
    assert.match(states.at(-1)?.[1] ?? '', /did not answer the command `import Slow` within 1 s.*importTimeoutMs/s);
    await client.dispose();
  });

  it('commandIn retries once when the REPL crashes under it', async () => {
    const rules = [
      header,
      { match: { cmd: 'flaky' }, times: 1, exit: 9 },
      { match: { cmd: 'flaky' }, respond: { env: 7 } },
    ];
    const { client, sent } = setup({ rules });
    const { response, generation } = await client.commandIn(['import Mathlib'], 'flaky');
    assert.deepEqual([response.env, generation], [7, 2]);
    assert.equal(sent('import Mathlib'), 2);
    await client.dispose();
  });

  it('turns garbage into a protocol error and recovers; a bad schema keeps the process', async () => {
    const rules = [{ match: { cmd: 'garbage' }, respondRaw: 'this is not json' }, echo('ok', 3)];
    const { client } = setup({ rules: [...rules, { match: { cmd: 'bad' }, respond: { env: 'zero' } }] });
    const err = await failure(client.command('garbage', undefined), 'protocol');
    assert.match(err.message, /not JSON.*this is not json/s);
    assert.equal((await client.command('ok', undefined)).env, 3);
    assert.equal(client.generation, 2);
    assert.match((await failure(client.command('bad', undefined), 'protocol')).message, /\$\.env: expected a natural/);
    assert.equal((await client.command('ok', undefined)).env, 3);
    assert.equal(client.generation, 2);
    await client.dispose();
  });

  it('stops a REPL that prints without ending an answer, and answers the next request from a fresh one', async () => {
    const rules = [{ match: { cmd: 'flood' }, flood: 'stdout' }, echo('ok', 5)];
    const { client, states } = setup({ rules }, { maxFrameBytes: 4 * 2 ** 20 });
    assert.equal((await client.command('ok', undefined)).env, 5);
    const oldPid = client.pid!;
    const flood = client.command('flood', undefined);
    const queued = client.command('ok', undefined);
    const err = await failure(flood, 'protocol');
    assert.match(
      err.message,
      /printed more than 4 MB without ending its answer to the command `flood`, so it was stop/,
    );
    assert.match((await failure(queued, 'crashed')).message, /restarted before this request was sent/);
    assert.ok(
      states.some(([, m]) => m === err.message),
      'the lifecycle says why',
    );
    assert.equal((await client.command('ok', undefined)).env, 5);
    assert.equal(client.generation, 2);
    await until('the flooding process is gone', () => !alive(oldPid));
    await client.dispose();
  });

  it('keeps a bounded stderr: a line without end is cut, a flood of lines is logged only up to a point', async () => {
    const rules = [
      { match: { cmd: 'noisy' }, flood: 'stderr', floodChars: 8 * 2 ** 20, respond: { env: 1 } },
      { match: { cmd: 'chatty' }, stderr: 'warning\n'.repeat(3000), respond: { env: 2 } },
      { match: { cmd: 'die' }, stderr: '\nlast words\n', exit: 3 },
    ];
    const logged: string[] = [];
    const { client } = setup({ rules }, { log: (line) => logged.push(line) });
    assert.equal((await client.command('chatty', undefined)).env, 2);
    assert.equal((await client.command('noisy', undefined)).env, 1);
    const err = await failure(client.command('die', undefined), 'crashed');
    assert.match(err.stderrTail, /^warning\n/);
    assert.deepEqual(err.stderrTail.split('\n').slice(-3), ['warning', `${'x'.repeat(400)}…`, 'last words']);
    const stderrLines = logged.filter((l) => l.startsWith('stderr: '));
    assert.equal(stderrLines.length, 2001);
    assert.match(stderrLines.at(-1)!, /more than 2000 lines; the rest is not logged/);
    await client.dispose();
  });

  it('explains a REPL that dies at startup, and stops restarting it after three tries', async () => {
    const stderr = 'error: this REPL was built for Lean v4.9.0\n';
    const { client, starts, states } = setup({ startup: { exit: 1, stderr }, rules: [] });
    const err = await failure(client.command('ok', undefined), 'crashed');
    assert.match(err.message, /^The Lean REPL \(`replDouble`\) exited with code 1 while starting:\nerror: this REPL/);
    assert.match(err.message, /Check that the REPL was built with this project's Lean version\.$/);
    await failure(client.command('ok', undefined), 'crashed');
    const third = await failure(client.command('ok', undefined), 'crashed');
    assert.match(third.message, /3 times in a row, so it is not started again/);
    const fast = await failure(client.command('ok', undefined), 'crashed');
    assert.equal(fast, third);
    assert.equal(starts().length, 3);
    assert.equal(client.lifecycle, 'failed');
    assert.ok(states.some(([s, m]) => s === 'failed' && m?.includes('v4.9.0')));
    client.restart();
    await failure(client.command('ok', undefined), 'crashed');
    assert.equal(starts().length, 4, 'restart() lets it try again');
    await client.dispose();
  });

  it('names a missing executable and a missing folder', async () => {
    const missing = track({
      launch: { command: 'no-such-repl-xyz', args: ['--flag'], cwd: tmp, display: 'no-such-repl-xyz --flag' },
      requestTimeoutMs: 1000,
      importTimeoutMs: 1000,
    });
    const err = await failure(missing.command('x', undefined), 'notFound');
    assert.match(err.message, /`no-such-repl-xyz` was not found \(command line: `no-such-repl-xyz --flag`/);
    assert.equal(missing.lifecycle, 'failed');
    await missing.dispose();
    const noDir = track({
      launch: { command: process.execPath, args: [], cwd: join(tmp, 'nope'), display: 'node' },
      requestTimeoutMs: 1000,
      importTimeoutMs: 1000,
    });
    assert.match((await failure(noDir.envFor(['import Lean']), 'notFound')).message, /folder .*nope does not exist/);
    await noDir.dispose();
  });

  it('cancels: a queued request is never sent, a sent one is discarded without a restart', async () => {
    const { client, inputs } = setup({ rules: [echo('slow', 1, 1000), echo('second', 2), echo('third', 3)] });
    const sentController = new AbortController();
    const queuedController = new AbortController();
    const slow = client.command('slow', undefined, { signal: sentController.signal });
    const second = client.command('second', undefined, { signal: queuedController.signal });
    const third = client.command('third', undefined);
    await until('slow is sent', () => inputs().length === 1);
    queuedController.abort();
    sentController.abort();
    await failure(slow, 'cancelled');
    await failure(second, 'cancelled');
    assert.equal((await third).env, 3, 'the answer to slow was not taken for third');
    assert.deepEqual(
      inputs().map((e) => e.input?.cmd),
      ['slow', 'third'],
    );
    assert.equal(client.generation, 1);
    await client.dispose();
  });

  it('the double matches by regex, substring and env, counts ids, and honours times', async () => {
    const sorry = { goal: '⊢ p', proofState: '$nextProofState' };
    const rules = [
      { match: { cmdRegex: '^theorem \\w+', hasEnv: false }, respond: { env: '$nextEnv', sorries: [sorry, sorry] } },
      { match: { cmdIncludes: 'twice' }, times: 2, respond: { env: 77 } },
      { match: { hasEnv: true }, respond: { env: '$nextEnv' } },
    ];
    const { client } = setup({ rules });
    const first = await client.command('theorem t : p := by sorry', undefined);
    assert.deepEqual([first.env, first.sorries?.map((s) => s.proofState)], [0, [0, 1]]);
    assert.equal((await client.command('theorem u : p := by sorry', 0)).env, 1, 'hasEnv: false did not match');
    assert.deepEqual((await client.command('theorem u : q := sorry', undefined)).sorries?.[1]?.proofState, 3);
    for (const expected of [77, 77]) assert.equal((await client.command('twice', undefined)).env, expected);
    assert.match((await failure(client.command('twice', undefined), 'rejected')).message, /no rule matches/);
    await client.dispose();
  });

  it('rejects with the REPL error object and keeps the process', async () => {
    const { client } = setup({
      rules: [{ match: { proofState: 99 }, respond: { message: 'Unknown proof state.' } }, echo('ok', 4)],
    });
    assert.equal((await failure(client.tactic('rfl', 99), 'rejected')).message, 'Unknown proof state.');
    assert.match((await failure(client.tactic('simp', 1), 'rejected')).message, /double: no rule matches/);
    assert.equal((await client.command('ok', undefined)).env, 4);
    assert.equal(client.generation, 1);
    await client.dispose();
  });
});
