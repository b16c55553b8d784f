import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  decodeAll,
  encodeMessage,
  MessageDecoder,
  type WireMessage,
} from '../../../server/provers/isabelle/wire/byteMessages';

const recordings = join(
  import.meta.dirname,
  '..',
  '..',
  'fixtures',
  'isabelle',
  'isabelle-client',
  'isabelle-responses',
);
const files = readdirSync(recordings).sort();

function texts(messages: WireMessage[]): string[] {
  return messages.map((m) => (m.kind === 'message' ? m.text : `overflow: ${m.reason}`));
}

/** The recording's own framing, read line by line: every header must announce its message's bytes plus one. */
function headersOf(bytes: Buffer): { announced: number; actual: number }[] {
  const lines = bytes.toString('utf8').split('\n');
  const out: { announced: number; actual: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^\d+$/.test(lines[i] as string))
      out.push({ announced: Number(lines[i]), actual: Buffer.byteLength(lines[i + 1] as string) + 1 });
  }
  return out;
}

describe('Isabelle byte messages on the recorded server replies', () => {
  it('has every recording', () => assert.equal(files.length, 11));
  it('reads a short message sent after a byte count too (purge_theories has one)', () => {
    assert.deepEqual(texts(decodeAll(readFileSync(join(recordings, 'purge_theories')))), [
      'OK {"purged":[{"node_name":"/tmp/Mock.thy","theory_name":"Draft.Mock"}],"retained":[]}',
    ]);
  });
  it('takes a last message that lacks only its newline (the Sledgehammer recording ends so), not a shorter one', () => {
    const bytes = readFileSync(join(recordings, 'use_theories.Sledgehammer'));
    assert.match(texts(decodeAll(bytes)).at(-1) ?? '', /^FINISHED /);
    const d = new MessageDecoder();
    d.push(bytes.subarray(0, bytes.length - 1));
    assert.ok(texts(d.end()).every((t) => !t.startsWith('FINISHED')));
    assert.ok(d.buffered > 0);
  });
  for (const file of files) {
    const bytes = readFileSync(join(recordings, file));
    it(`${file}: each length line counts its message's bytes plus the newline`, () => {
      for (const h of headersOf(bytes)) assert.equal(h.announced, h.actual);
    });
    it(`${file}: decodes whole and split at every byte to the same messages`, () => {
      const whole = decodeAll(bytes);
      assert.ok(whole.length > 0);
      assert.ok(whole.every((m) => m.kind === 'message' && m.text.length > 0 && !/^\d+$/.test(m.text)));
      for (let cut = 1; cut < bytes.length; cut++) {
        const d = new MessageDecoder();
        const parts = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut)), ...d.end()];
        assert.deepEqual(texts(parts), texts(whole), `cut at ${cut}`);
      }
    });
    it(`${file}: re-encoded, reads back the same`, () => {
      const whole = decodeAll(bytes);
      const again = Buffer.concat(whole.map((m) => encodeMessage(m.kind === 'message' ? m.text : '')));
      assert.deepEqual(texts(decodeAll(again)), texts(whole));
    });
  }
});

describe('encodeMessage', () => {
  it('sends short one-line messages bare and the rest after a byte count', () => {
    assert.equal(encodeMessage('help').toString(), 'help\n');
    const long = `echo ${JSON.stringify('x'.repeat(120))}`;
    assert.equal(encodeMessage(long).toString(), `${Buffer.byteLength(long) + 1}\n${long}\n`);
    assert.equal(encodeMessage('a\nb').toString(), '4\na\nb\n');
  });
  it('counts bytes, not UTF-16 units', () => {
    // 30 × "∀" is 30 UTF-16 units but 90 bytes; with the command it passes 100 bytes.
    const text = `echo "${'∀'.repeat(33)}"`;
    assert.ok(text.length < 100 && Buffer.byteLength(text) > 100);
    const wire = encodeMessage(text);
    assert.equal(wire.toString().split('\n')[0], String(Buffer.byteLength(text) + 1));
    assert.deepEqual(texts(decodeAll(wire)), [text]);
  });
});

describe('MessageDecoder', () => {
  const text = `NOTE {"message":"${'∀x. 𝔽 x ⟹ ∃y'.repeat(12)}"}`;
  const wire = encodeMessage(text);
  it('reassembles a message split at every byte, inside each multi-byte character too', () => {
    for (let cut = 1; cut < wire.length; cut++) {
      const d = new MessageDecoder();
      assert.deepEqual(texts([...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))]), [text], `cut ${cut}`);
    }
  });
  it('reads a stream fed one byte at a time', () => {
    const d = new MessageDecoder();
    const out: WireMessage[] = [];
    const stream = Buffer.concat([wire, encodeMessage('OK'), wire]);
    for (const b of stream) out.push(...d.push(Buffer.from([b])));
    assert.deepEqual(texts(out), [text, 'OK', text]);
  });
  it('stops at a message past the bound, once, and reads nothing after', () => {
    const d = new MessageDecoder({ maxMessageBytes: 50 });
    const out = d.push(Buffer.concat([encodeMessage('OK'), encodeMessage('x'.repeat(200)), encodeMessage('OK')]));
    assert.deepEqual(texts(out), ['OK', 'overflow: a message of 201 bytes']);
    assert.deepEqual(d.push(encodeMessage('OK')), []);
  });
  it('stops at a line that never ends', () => {
    const d = new MessageDecoder({ maxMessageBytes: 50 });
    assert.deepEqual(texts(d.push(Buffer.from('y'.repeat(60)))), ['overflow: a line without an end']);
  });
  it('refuses a length no message could have', () => {
    assert.deepEqual(texts(new MessageDecoder().push(Buffer.from('99999999999999999999\n'))), [
      'overflow: a message of 99999999999999999999 bytes',
    ]);
  });
});
