// The house rules of ARCHITECTURE.md, checked: who may import what, and where protocol names are spelled.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const root = path.resolve(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  const abs = path.join(root, dir);
  return readdirSync(abs).flatMap((name) => {
    const p = path.join(abs, name);
    if (name === 'node_modules' || name === 'testing') return [];
    if (statSync(p).isDirectory()) return sources(path.join(dir, name));
    return /\.(ts|mts)$/.test(name) ? [path.join(dir, name)] : [];
  });
}
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');
const importsOf = (text: string) => [...text.matchAll(/^\s*import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

test("only extension/ imports 'vscode'", () => {
  for (const dir of ['protocol', 'server', 'model']) {
    for (const f of sources(dir)) assert.ok(!importsOf(read(f)).includes('vscode'), `${f} imports vscode`);
  }
});

test('protocol/ imports nothing but vscode-languageserver-protocol and itself', () => {
  for (const f of sources('protocol')) {
    for (const spec of importsOf(read(f))) {
      assert.ok(spec === 'vscode-languageserver-protocol' || spec.startsWith('./'), `${f} imports ${spec}`);
    }
  }
});

test('custom LSP method names are spelled only in protocol/', () => {
  for (const dir of ['extension', 'server', 'model']) {
    for (const f of sources(dir)) assert.doesNotMatch(read(f), /['"`]llemma\/[a-zA-Z]+['"`]/, f);
  }
});

test('extension/ does not reach into server/ or model/ (it talks to them over LSP only)', () => {
  for (const f of sources('extension')) {
    for (const spec of importsOf(read(f)))
      assert.doesNotMatch(spec, /(^|\/)(server|model)(\/|$)/, `${f} imports ${spec}`);
  }
});

test('the extension bundle does not contain ONNX Runtime or the model runtime (activation stays light)', async () => {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'extension/extension.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(
    inputs.some((i) => i.includes('vscode-languageclient')),
    'the bundle was really analysed',
  );
  assert.deepEqual(
    inputs.filter((i) => /onnxruntime|^model\//.test(i)),
    [],
  );
});
