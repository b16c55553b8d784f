import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReplError } from '../../../server/provers/lean/repl/replApi';
import { RequestQueue } from '../../../server/provers/lean/repl/requestQueue';

/** A queue whose "process" records what was written and when it timed out. */
function setup() {
  const written: string[] = [];
  const timeouts: string[] = [];
  const loads: number[] = [];
  const queue = new RequestQueue({
    write: (payload) => written.push(payload),
    onTimeout: ({ label, timeoutMs }) => {
      timeouts.push(`${label} ${timeoutMs}`);
      return new ReplError('timeout', `no answer to ${label}`);
    },
    onLoad: (count) => loads.push(count),
  });
  return { queue, written, timeouts, loads };
}

const long = { timeoutMs: 5000 };

async function rejection(promise: Promise<unknown>): Promise<ReplError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ReplError, `expected a ReplError, got ${err}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('RequestQueue', () => {
  it('keeps one request on the wire and pairs answers with requests in order', async () => {
    const { queue, written, loads } = setup();
    const a = queue.enqueue('a', long);
    const b = queue.enqueue('b', long);
    const c = queue.enqueue('c', long);
    assert.deepEqual(written, ['a']);
    assert.equal(queue.load, 3);
    assert.equal(queue.deliver('answer a'), 'delivered');
    assert.deepEqual(written, ['a', 'b']);
    queue.deliver('answer b');
    queue.deliver('answer c');
    assert.deepEqual(await Promise.all([a, b, c]), ['answer a', 'answer b', 'answer c']);
    assert.equal(queue.load, 0);
    assert.deepEqual(loads.slice(-1), [0]);
    assert.equal(queue.deliver('late'), 'unsolicited');
  });

  it('times out the request on the wire, calls onTimeout and sends nothing more', async () => {
    const { queue, written, timeouts } = setup();
    const slow = queue.enqueue('slow', { timeoutMs: 30, label: 'the command `slow`' });
    const next = queue.enqueue('next', long);
    const err = await rejection(slow);
    assert.equal(err.kind, 'timeout');
    assert.equal(err.message, 'no answer to the command `slow`');
    assert.deepEqual(timeouts, ['the command `slow` 30']);
    await sleep(20);
    assert.deepEqual(written, ['slow'], 'the next request must not go to a process that may still answer');
    queue.failAll(() => new ReplError('crashed', 'restarted'));
    assert.equal((await rejection(next)).kind, 'crashed');
  });

  it('starts the timeout when the request is sent, not when it is queued', async () => {
    const { queue } = setup();
    const first = queue.enqueue('first', long);
    const second = queue.enqueue('second', { timeoutMs: 40 });
    await sleep(60);
    queue.deliver(1);
    await sleep(10);
    queue.deliver(2);
    assert.deepEqual(await Promise.all([first, second]), [1, 2]);
  });

  it('drops a cancelled request that was not sent yet', async () => {
    const { queue, written } = setup();
    const a = queue.enqueue('a', long);
    const controller = new AbortController();
    const b = queue.enqueue('b', { ...long, signal: controller.signal });
    const c = queue.enqueue('c', long);
    controller.abort();
    assert.equal((await rejection(b)).kind, 'cancelled');
    queue.deliver('A');
    queue.deliver('C');
    assert.deepEqual(await Promise.all([a, c]), ['A', 'C']);
    assert.deepEqual(written, ['a', 'c']);
  });

  it('rejects a cancelled request on the wire at once but reads and discards its answer', async () => {
    const { queue, written } = setup();
    const controller = new AbortController();
    const a = queue.enqueue('a', { ...long, signal: controller.signal });
    const b = queue.enqueue('b', long);
    controller.abort();
    assert.equal((await rejection(a)).kind, 'cancelled');
    assert.deepEqual(written, ['a'], 'b waits until the answer to a has been read');
    assert.equal(queue.deliver('answer to a'), 'discarded');
    assert.deepEqual(written, ['a', 'b']);
    queue.deliver('answer to b');
    assert.equal(await b, 'answer to b');
  });

  it('still times out an abandoned request, without telling its caller twice', async () => {
    const { queue, timeouts } = setup();
    const controller = new AbortController();
    const a = queue.enqueue('a', { timeoutMs: 30, signal: controller.signal, label: 'a' });
    controller.abort();
    assert.equal((await rejection(a)).kind, 'cancelled');
    await sleep(50);
    assert.deepEqual(timeouts, ['a 30']);
  });

  it('refuses an already aborted signal without sending', async () => {
    const { queue, written } = setup();
    const err = await rejection(queue.enqueue('x', { ...long, signal: AbortSignal.abort() }));
    assert.equal(err.kind, 'cancelled');
    assert.deepEqual(written, []);
  });

  it('fails the request on the wire and every waiting one when the process dies, and refuses new ones', async () => {
    const { queue } = setup();
    const sent = queue.enqueue('a', long);
    const waiting = [queue.enqueue('b', long), queue.enqueue('c', long)];
    queue.failAll((wasSent) => new ReplError('crashed', wasSent ? 'died on it' : 'died before'));
    assert.equal((await rejection(sent)).message, 'died on it');
    for (const w of waiting) assert.equal((await rejection(w)).message, 'died before');
    assert.equal((await rejection(queue.enqueue('d', long))).message, 'died before');
    assert.equal(queue.load, 0);
  });

  it('fails only the request on the wire with reject, then goes on', async () => {
    const { queue, written } = setup();
    const a = queue.enqueue('a', long);
    const b = queue.enqueue('b', long);
    assert.equal(queue.reject(new ReplError('protocol', 'bad schema')), 'delivered');
    assert.equal((await rejection(a)).kind, 'protocol');
    assert.deepEqual(written, ['a', 'b']);
    queue.deliver('B');
    assert.equal(await b, 'B');
  });

  it('lets normal requests overtake background ones not yet sent', async () => {
    const { queue, written } = setup();
    const all = [
      queue.enqueue('bg1', { ...long, background: true }),
      queue.enqueue('bg2', { ...long, background: true }),
      queue.enqueue('user1', long),
      queue.enqueue('user2', long),
    ];
    for (let i = 0; i < 4; i++) queue.deliver(i);
    await Promise.all(all);
    assert.deepEqual(written, ['bg1', 'user1', 'user2', 'bg2']);
  });
});
