import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeAll, encodeRequest, type Frame, FrameDecoder, parseFrame } from '../../server/provers/lean/repl/framing';

const transcripts = join(import.meta.dirname, '..', 'golden', 'transcripts');
/** A real answer stream: three multi-line frames full of `⊢` (3 bytes in UTF-8). */
const readme = readFileSync(join(transcripts, 'readme.expected.out'), 'utf8');

function values(frames: Frame[]): unknown[] {
  return frames.map((f) => (f.kind === 'json' ? f.value : { garbage: f.text }));
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
    assert.equal(frames[0]?.text, 'PANIC: out of memory');
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
    assert.ok(frame.text.length < 2100);
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
