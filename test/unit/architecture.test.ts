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

/** The module a relative import of `file` names, from the repository root, without its extension. */
const target = (file: string, spec: string) =>
  spec.startsWith('.') ? path.join(path.dirname(file), spec).replace(/\.(ts|mts|js|json)$/, '') : spec;

test('in server/, only modelHost.ts imports model/ (the benchmarks may read model/bench/)', () => {
  for (const f of sources('server')) {
    if (f === path.join('server', 'modelHost.ts')) continue;
    for (const spec of importsOf(read(f))) {
      const to = target(f, spec);
      if (f.startsWith(path.join('server', 'bench')) && to.startsWith(path.join('model', 'bench'))) continue;
      assert.ok(!to.startsWith(`model${path.sep}`), `${f} imports ${spec}`);
    }
  }
});

test('the front ends (server/cli/, server/lsp/) reach the rest of server/ only through the core', () => {
  // The core, its error type, the remedies each front end words, the one reader of the environment.
  const allowed = ['core', 'errors', 'remedies', 'environment'].map((m) => path.join('server', m));
  for (const dir of ['server/cli', 'server/lsp']) {
    for (const f of sources(dir)) {
      for (const spec of importsOf(read(f))) {
        const to = target(f, spec);
        if (!spec.startsWith('.') || !to.startsWith(`server${path.sep}`) || to.startsWith(path.dirname(f))) continue;
        assert.ok(allowed.includes(to), `${f} imports ${spec}: a front end goes through server/core.ts`);
      }
    }
  }
});

test('nothing in server/ renders a prompt or reads a completion: model/ does both', () => {
  for (const f of sources('server')) {
    assert.doesNotMatch(read(f), /\b(getPromptFormat|PromptFormat|parseCompletion|promptFormatNames)\b|\.render\(/, f);
  }
});

test('LLEMMA_REPL and LLEMMA_MODEL are read in one place, server/environment.ts', () => {
  for (const dir of ['server', 'model', 'extension']) {
    for (const f of sources(dir)) {
      if (f === path.join('server', 'environment.ts')) continue;
      assert.doesNotMatch(read(f), /['"]LLEMMA_(REPL|MODEL)['"]|env\.LLEMMA_/, f);
    }
  }
});

test("execution providers, generation-graph modes and the new-token budget are spelled once, in model/'s modelChoices.ts", () => {
  const owner = path.join('model', 'src', 'modelChoices.ts');
  for (const dir of ['server', 'model/src']) {
    for (const f of sources(dir)) {
      if (f === owner) continue;
      const text = read(f);
      assert.doesNotMatch(text, /['"]cuda['"]\s*,\s*['"]webgpu['"]/, `${f} lists the execution providers`);
      assert.doesNotMatch(text, /['"]auto['"]\s*,\s*['"]on['"]\s*,\s*['"]off['"]/, `${f} lists the graph modes`);
      assert.doesNotMatch(text, /maxNewTokens\s*[:=]\s*\d|maxTokens:\s*\d/, `${f} spells a new-token budget`);
    }
  }
});

test('the CLI and the language server load ONNX Runtime and model/ only when the model is first used', async () => {
  for (const entry of ['server/cli/main.ts', 'server/lsp/server.ts']) {
    const result = await esbuild.build({
      entryPoints: [path.join(root, entry)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['onnxruntime-node', 'tsx'],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const { inputs } = result.metafile;
    // Every module a plain start-up (`llemma goal`, a goal request) runs: static imports only, not `import()`.
    const seen = new Set<string>();
    const queue = [entry];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const i of inputs[file]?.imports ?? []) {
        if (i.kind === 'dynamic-import') continue;
        assert.ok(i.path !== 'onnxruntime-node', `${entry} loads onnxruntime-node at start-up through ${file}`);
        if (!i.external) queue.push(i.path);
      }
    }
    assert.ok(seen.has('server/core.ts'), `${entry}: the start-up graph was really walked`);
    const runtime = [...seen].filter((f) => f.startsWith('model/') && !f.startsWith('model/src/modelChoices'));
    assert.deepEqual(runtime, [], `${entry} loads the model runtime at start-up`);
  }
});
