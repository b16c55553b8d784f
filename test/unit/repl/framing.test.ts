import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  decodeAll,
  encodeRequest,
  type Frame,
  FrameDecoder,
  maxFrameBytes,
  parseFrame,
} from '../../../server/provers/lean/repl/framing';

const transcripts = join(import.meta.dirname, '..', '..', 'golden', 'transcripts');
/** A real answer stream: three multi-line frames full of `⊢` (3 bytes in UTF-8). */
const readme = readFileSync(join(transcripts, 'readme.expected.out'), 'utf8');

function values(frames: Frame[]): unknown[] {
  return frames.map((f) => (f.kind === 'json' ? f.value : f.kind === 'garbage' ? { garbage: f.text } : f));
}

function decodeInPieces(bytes: Buffer, cuts: number[]): Frame[] {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    frames.push(...decoder.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return [...frames, ...decoder.end()];
}

describe('FrameDecoder', () => {
  const stream = `${readme}not json at all\n\n{"env": 7}\n\n`;
  const bytes = Buffer.from(stream, 'utf8');
  const expected = [
    ...readme
      .split('\n\n')
      .filter((s) => s.trim())
      .map((s) => JSON.parse(s)),
    { garbage: 'not json at all' },
    { env: 7 },
  ];

  it('reads the recorded stream as whole', () => {
    const frames = decodeAll(stream);
    assert.equal(frames.length, 5);
    assert.deepEqual(values(frames), expected);
    assert.equal((frames[0] as { value: { sorries: { goal: string }[] } }).value.sorries[0]?.goal, 'x : Unit\n⊢ Nat');
  });

  it('gives the same frames when the bytes are cut in two at every position, inside `⊢` too', () => {
    assert.ok(bytes.length > stream.length, 'the stream has multibyte characters');
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.deepEqual(values(decodeInPieces(bytes, [cut])), expected, `cut at byte ${cut}`);
    }
  });

  it('gives the same frames when fed one byte at a time', () => {
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    assert.deepEqual(values(decodeInPieces(bytes, cuts)), expected);
  });

  it('gives the same frames for cuts at three positions at once', () => {
    for (let a = 1; a < bytes.length; a += 7) {
      for (let b = a; b < bytes.length; b += 11) {
        assert.deepEqual(values(decodeInPieces(bytes, [a, b, Math.min(b + 2, bytes.length)])), expected);
      }
    }
  });

  it('returns frames as soon as their blank line arrives, not before', () => {
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push('{"env":\n 1}'), []);
    assert.equal(decoder.pending, true);
    assert.deepEqual(decoder.push('\n'), []);
    assert.deepEqual(values(decoder.push('\n{"env": 2}\n')), [{ env: 1 }]);
    assert.deepEqual(values(decoder.end()), [{ env: 2 }]);
    assert.equal(decoder.pending, false);
  });

  it('turns garbage into an error frame and goes on reading', () => {
    const frames = decodeAll('PANIC: out of memory\n\n{"env": 3}\n\n{"env": \n\n');
    assert.equal(frames.length, 3);
    assert.equal(frames[0]?.kind, 'garbage');
    assert.equal(frames[0]?.kind === 'garbage' && frames[0].text, 'PANIC: out of memory');
    assert.match(frames[0]?.kind === 'garbage' ? frames[0].error : '', /JSON/);
    assert.deepEqual(values([frames[1]!]), [{ env: 3 }]);
    assert.equal(frames[2]?.kind, 'garbage', 'a half-written answer is garbage too');
  });

  it('skips extra blank lines and whitespace-only lines, and accepts CRLF', () => {
    const frames = decodeAll('\n\n  \n{"env":\r\n 1}\r\n\r\n\n\n{"env": 2}\r\n   \r\n');
    assert.deepEqual(values(frames), [{ env: 1 }, { env: 2 }]);
  });

  it('cuts long garbage short', () => {
    const frame = parseFrame('x'.repeat(10_000));
    assert.equal(frame.kind, 'garbage');
    assert.ok(frame.kind === 'garbage' && frame.text.length < 2100);
  });
});

describe('FrameDecoder bounds a frame', () => {
  it('reports one overflow for a line that never ends, holding no more than the bound meanwhile', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 100_000 });
    const chunk = Buffer.alloc(4096, 'x');
    const frames: Frame[] = [];
    for (let i = 0; i < 1000; i++) {
      frames.push(...decoder.push(chunk));
      assert.ok(decoder.buffered <= 100_000, `after chunk ${i}: ${decoder.buffered}`);
    }
    assert.deepEqual(frames, [{ kind: 'overflow', limit: 100_000 }]);
    assert.equal(decoder.overflowed, true);
    assert.equal(decoder.buffered, 0);
    assert.deepEqual(decoder.push('\n\n{"env": 1}\n\n'), [], 'nothing after an overflow is read');
    assert.deepEqual(decoder.end(), []);
  });

  it('counts every byte of a frame, newlines included, and gives the frames before it', () => {
    const frame = '{"goal": "⊢ p"}\n\n';
    assert.deepEqual(values(new FrameDecoder({ maxFrameBytes: 18 }).push(frame)), [{ goal: '⊢ p' }], 'the bound');
    const over = new FrameDecoder({ maxFrameBytes: 17 }).push(frame);
    assert.deepEqual(over, [{ kind: 'overflow', limit: 17 }], 'bytes are counted, not characters');
    const decoder = new FrameDecoder({ maxFrameBytes: 1000 });
    const frames = decoder.push(`${frame}${'"a line",\n'.repeat(200)}`);
    assert.deepEqual(frames[0]?.kind === 'json' ? frames[0].value : undefined, { goal: '⊢ p' });
    assert.deepEqual(frames.slice(1), [{ kind: 'overflow', limit: 1000 }]);
  });

  it('resets the count at each frame, so a long stream of small answers never overflows', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 64 });
    let count = 0;
    for (let i = 0; i < 10_000; i++) count += decoder.push(`{"env":\n ${i}}\n   \n\n`).length;
    assert.equal(count, 10_000);
    assert.equal(decoder.overflowed, false);
  });

  it("stays far above the largest recorded answer and far below V8's string limit", () => {
    const largest = Math.max(
      ...readdirSync(transcripts)
        .filter((f) => f.endsWith('.expected.out'))
        .flatMap((f) => decodeAll(readFileSync(join(transcripts, f), 'utf8')))
        .map((f) => (f.kind === 'json' ? f.text.length : 0)),
    );
    assert.ok(largest > 1000 && largest * 1000 < maxFrameBytes, `largest recorded answer: ${largest}`);
    assert.ok(maxFrameBytes * 8 < 2 ** 29, 'a frame is joined once and parsed once, well within V8');
  });

  it('keeps memory flat while a runaway stream goes on after the overflow', () => {
    const decoder = new FrameDecoder();
    const chunk = Buffer.alloc(65_536, 'x');
    let overflows = 0;
    for (let sent = 0; sent <= maxFrameBytes; sent += chunk.length) overflows += decoder.push(chunk).length;
    assert.equal(overflows, 1);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 4096; i++) decoder.push(chunk);
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 16 * 2 ** 20, `heap grew by ${grown} bytes over 256 MiB of output`);
  });
});

describe('encodeRequest', () => {
  it('writes one JSON line and one blank line, with newlines in strings escaped', () => {
    const req = { cmd: 'theorem t : 1 = 1 := by\n  rfl\n\n-- done', env: 3 };
    const text = encodeRequest(req);
    assert.ok(text.endsWith('}\n\n'));
    assert.equal(text.split('\n').length, 3, 'exactly one line, then the blank line');
    assert.deepEqual(JSON.parse(text), req);
  });

  it('keeps non-ASCII as it is', () => {
    assert.equal(
      encodeRequest({ tactic: 'exact ⟨h, rfl⟩', proofState: 0 }),
      '{"tactic":"exact ⟨h, rfl⟩","proofState":0}\n\n',
    );
  });
});
