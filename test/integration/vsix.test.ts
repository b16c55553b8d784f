// What the packaged extension (dist/llemma.vsix, made by `npm run package`, which `npm test` runs before the tests)
// carries: the license texts, the user README, every file .vscodeignore names, and no type declarations or source maps.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { inflateRawSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..', '..');
const vsixFile = path.join(root, 'dist', 'llemma.vsix');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** The entries of a zip file from its central directory: name → contents (stored or deflated). */
function readZip(buf: Buffer): Map<string, () => Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, () => Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(at + 10);
    const size = buf.readUInt32LE(at + 20);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      return method === 0 ? Buffer.from(data) : inflateRawSync(data);
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const vsix = existsSync(vsixFile) ? readZip(readFileSync(vsixFile)) : undefined;
const names = () => {
  assert.ok(vsix, 'dist/llemma.vsix is missing: run npm run package first');
  return [...vsix.keys()];
};
const text = (name: string) => {
  const entry = vsix?.get(name);
  assert.ok(entry, `${name} is in the .vsix`);
  return entry().toString('utf8');
};

test('the .vsix carries the license texts: the extension, ONNX Runtime and the third-party notices', () => {
  names();
  assert.match(text('extension/LICENSE.txt'), /MIT License/);
  assert.match(text('extension/third_party/onnxruntime/LICENSE'), /Microsoft Corporation/);
  const notices = text('extension/dist/THIRD_PARTY_NOTICES.txt');
  for (const name of ['onnxruntime-node', 'onnxruntime-common', 'vscode-languageclient', 'execa', 'lru-cache']) {
    assert.match(notices, new RegExp(`^  ${name} \\S+ \\(`, 'm'), name);
  }
  assert.match(notices, /^ {2}@huggingface\/tokenizers \S+ \(Apache-2\.0\)/m);
});

test("the .vsix carries the embedded model with its retrieval index and the merged generator's tables", () => {
  const all = names();
  for (const file of ['model.onnx', 'tokenizer.json', 'config.json', 'retrieval.bin', 'sources.json']) {
    assert.ok(all.includes(`extension/model/default/${file}`), file);
  }
  assert.equal(JSON.parse(text('extension/model/default/sources.json')).formatVersion, 1);
});

test('the .vsix holds no type declarations and no source maps', () => {
  assert.deepEqual(
    names().filter((n) => /\.d\.[cm]?ts$|\.map$/.test(n)),
    [],
  );
});

test('every file .vscodeignore names is in the .vsix', () => {
  const all = names();
  const named = readFileSync(path.join(root, '.vscodeignore'), 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('!') && !l.includes('*'))
    .map((l) => `extension/${l.slice(1)}`.replace(/^extension\/LICENSE$/, 'extension/LICENSE.txt'));
  assert.ok(named.length > 5);
  for (const n of named) assert.ok(all.includes(n), `${n} (named in .vscodeignore) is missing from the .vsix`);
  // The globs each bring something.
  for (const prefix of ['extension/syntaxes/', 'extension/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/']) {
    assert.ok(
      all.some((n) => n.startsWith(prefix)),
      prefix,
    );
  }
});

test('the packaged README is the user README, titled with the display name', () => {
  const readme = text('extension/readme.md');
  assert.equal(/^# (.+)$/m.exec(readme)?.[1], manifest.displayName);
  assert.equal(readme, readFileSync(path.join(root, 'docs', 'user-README.md'), 'utf8'));
  const packaged = JSON.parse(text('extension/package.json'));
  assert.deepEqual(packaged.capabilities, manifest.capabilities);
});
