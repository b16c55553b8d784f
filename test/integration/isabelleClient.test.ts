// The real Isabelle client against the server double (test/doubles/isabelleServerDouble.mjs, its own process, over
// TCP on loopback): start and handshake, asynchronous tasks routed by id, cancel, timeouts, a dropped connection, a
// wrong password, the message bound, and messages split inside a multi-byte character.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { IsabelleClient } from '../../server/provers/isabelle/isabelleClient';
import { type StartedServer, startServer } from '../../server/provers/isabelle/serverProcess';
import { encodeMessage } from '../../server/provers/isabelle/wire/byteMessages';
import { type IsabelleServerError, ServerConnection } from '../../server/provers/isabelle/wire/serverConnection';

const double = join(import.meta.dirname, '..', 'doubles', 'isabelleServerDouble.mjs');
const recordings = join(import.meta.dirname, '..', 'fixtures', 'isabelle', 'isabelle-client', 'isabelle-responses');
const stops: (() => void)[] = [];
after(() => {
  for (const s of stops) s();
});

async function startDouble(config: Record<string, unknown> = {}): Promise<StartedServer> {
  const previous = process.env.ISABELLE_DOUBLE;
  process.env.ISABELLE_DOUBLE = JSON.stringify(config);
  try {
    const started = await startServer(
      { executable: double, name: 'llemma-test', startTimeoutMs: 10_000 },
      () => undefined,
    );
    if (started.stop) stops.push(started.stop);
    return started;
  } finally {
    if (previous === undefined) delete process.env.ISABELLE_DOUBLE;
    else process.env.ISABELLE_DOUBLE = previous;
  }
}

function masterDir(theories: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'isabelle-double-'));
  for (const [name, text] of Object.entries(theories)) writeFileSync(join(dir, `${name}.thy`), text);
  stops.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function session(connection: ServerConnection): Promise<string> {
  const value = (await connection.task('session_start', { session: 'HOL' })) as { session_id: string };
  return value.session_id;
}

describe('Isabelle client against the server double', () => {
  it('starts the server, reads its first line, gives the password and runs a synchronous command', async () => {
    const started = await startDouble();
    assert.equal(started.address.host, '127.0.0.1');
    assert.ok(started.address.port > 0);
    assert.ok(started.stop, 'the double keeps running: this process is the server');
    const c = await ServerConnection.open(started.address);
    assert.deepEqual(c.identity, { isabelleId: 'double', isabelleName: 'Isabelle2025-2' });
    assert.deepEqual((await c.command('help')) as string[], [
      'cancel',
      'echo',
      'help',
      'purge_theories',
      'session_build',
      'session_start',
      'session_stop',
      'shutdown',
      'use_theories',
    ]);
    await assert.rejects(
      c.command('unknown'),
      (e: IsabelleServerError) => e.kind === 'error' && /Bad command/.test(e.message),
    );
    c.close();
  });

  it('refuses a wrong password: the server closes the connection without a word', async () => {
    const started = await startDouble();
    await assert.rejects(
      ServerConnection.open({ ...started.address, password: 'not-the-password' }),
      (e: IsabelleServerError) => e.kind === 'closed' && /wrong password/.test(e.message),
    );
  });

  it('routes the NOTEs and results of concurrent tasks by task id', async () => {
    const started = await startDouble({ delayMs: { Slow: 300 } });
    const c = await ServerConnection.open(started.address);
    const id = await session(c);
    assert.equal(id, '167dd6d8-1eeb-4315-8022-c8c527d9bd87');
    const dir = masterDir({ Slow_ok: 'theory Slow_ok imports Main begin end', Fast_fail: 'FAIL' });
    const notes: Record<string, string[]> = { slow: [], fast: [] };
    const order: string[] = [];
    const slow = c
      .task(
        'use_theories',
        { session_id: id, theories: ['Slow_ok'], master_dir: dir },
        { onNote: (n) => notes.slow?.push(JSON.stringify(n)) },
      )
      .then((v) => {
        order.push('slow');
        return v;
      });
    const fast = c
      .task(
        'use_theories',
        { session_id: id, theories: ['Fast_fail'], master_dir: dir },
        { onNote: (n) => notes.fast?.push(JSON.stringify(n)) },
      )
      .then((v) => {
        order.push('fast');
        return v;
      });
    const [slowResult, fastResult] = (await Promise.all([slow, fast])) as { ok: boolean; task: string }[];
    assert.deepEqual(order, ['fast', 'slow']);
    assert.equal(slowResult?.ok, true);
    assert.equal(fastResult?.ok, false);
    assert.notEqual(slowResult?.task, fastResult?.task);
    assert.equal(notes.slow?.length, 3);
    assert.equal(notes.fast?.length, 2);
    assert.ok(notes.slow?.every((n) => n.includes(slowResult?.task ?? '?')));
    assert.ok(notes.fast?.every((n) => n.includes(fastResult?.task ?? '?')));
    c.close();
  });

  it('cancels a task on abort and on timeout, and the connection goes on', async () => {
    const log = join(masterDir({}), 'commands.log');
    const started = await startDouble({ hangOn: 'use_theories', log });
    const c = await ServerConnection.open(started.address);
    const id = await session(c);
    const aborter = new AbortController();
    const pending = c.task(
      'use_theories',
      { session_id: id, theories: ['T'], master_dir: '/nonexistent' },
      { signal: aborter.signal },
    );
    setTimeout(() => aborter.abort(), 50);
    await assert.rejects(pending, (e: IsabelleServerError) => e.kind === 'cancelled');
    await assert.rejects(
      c.task('use_theories', { session_id: id, theories: ['T'], master_dir: '/nonexistent' }, { timeoutMs: 80 }),
      (e: IsabelleServerError) => e.kind === 'timeout' && e.transient,
    );
    assert.ok(Array.isArray(await c.command('help')));
    const cancels = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('cancel '));
    assert.equal(cancels.length, 2);
    assert.ok(cancels.every((l) => /^cancel \{"task":"[0-9a-f-]{36}"\}$/.test(l)));
    c.close();
  });

  it('fails every waiting command when the connection drops', async () => {
    const started = await startDouble({ dropOn: 'use_theories' });
    const c = await ServerConnection.open(started.address);
    const id = await session(c);
    let closed: IsabelleServerError | undefined;
    c.onClose((e) => {
      closed = e;
    });
    await assert.rejects(
      c.task('use_theories', { session_id: id, theories: ['T'], master_dir: '/x' }),
      (e: IsabelleServerError) => e.kind === 'closed',
    );
    assert.equal(closed?.kind, 'closed');
    assert.equal(c.open, false);
    await assert.rejects(c.command('help'), (e: IsabelleServerError) => e.kind === 'closed');
  });

  it('drops the connection at a message past the bound', async () => {
    const started = await startDouble();
    const c = await ServerConnection.open(started.address, { maxMessageBytes: 300 });
    const id = await session(c).catch((e: IsabelleServerError) => e);
    // session_start's NOTEs are below 300 bytes; its FINISHED is too; use_theories' FINISHED (458 bytes) is not.
    assert.equal(typeof id, 'string');
    await assert.rejects(
      c.task('use_theories', { session_id: id, theories: ['Ok'], master_dir: masterDir({ Ok: 'ok' }) }),
      (e: IsabelleServerError) => e.kind === 'protocol' && /past 300 bytes/.test(e.message),
    );
    assert.equal(c.open, false);
  });

  it('reads a message cut by TCP inside a multi-byte character, at every byte of it', async () => {
    // The recording's FINISHED with `\<forall>` as `∀` (three bytes): the double cuts each message after byte `splitAt`.
    const recorded = readFileSync(join(recordings, 'use_theories'), 'utf8').split('\n');
    const finished = (recorded.find((l) => l.startsWith('FINISHED')) as string).replaceAll('\\\\<forall>', '∀');
    const wire = encodeMessage(finished);
    const at = wire.indexOf(Buffer.from('∀'));
    assert.ok(at > 0);
    for (const splitAt of [at + 1, at + 2]) {
      const started = await startDouble({ splitAt });
      const c = await ServerConnection.open(started.address);
      const id = await session(c);
      const result = (await c.task('use_theories', {
        session_id: id,
        theories: ['U'],
        master_dir: masterDir({ U: 'UNICODE' }),
      })) as {
        nodes: { messages: { message: string }[] }[];
      };
      assert.equal(result.nodes[0]?.messages[0]?.message, 'theorem ∀x. \\<exists>y. x = y', `split at ${splitAt}`);
      c.close();
      started.stop?.();
    }
  });

  it('IsabelleClient: starts a session, checks theories, and sets up again after the connection dropped', async () => {
    const started = await startDouble({ dropOn: 'purge_theories' });
    const states: string[] = [];
    const client = new IsabelleClient({
      launch: { executable: 'unused', session: 'HOL', dirs: [], startTimeoutMs: 10_000 },
      log: () => undefined,
      onLifecycle: (s) => states.push(s),
      start: async () => ({ address: started.address }),
    });
    const first = await client.useTheories([{ name: 'A', text: 'theory A imports Main begin end' }], {
      timeoutMs: 5000,
    });
    assert.equal(first.ok, true);
    await new Promise((r) => setTimeout(r, 50));
    const second = await client.useTheories([{ name: 'B', text: 'FAIL' }], { timeoutMs: 5000 });
    assert.equal(second.ok, false);
    assert.equal(client.restarts, 1);
    assert.deepEqual(states, ['starting', 'ready', 'restarting', 'ready']);
    await client.dispose();
  });
});
