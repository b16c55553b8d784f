// The house rules of ARCHITECTURE.md, checked: who may import what, and where protocol names are spelled.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { declarationKeywords } from '@llemma/prover-text/lean';
import * as esbuild from 'esbuild';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

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

test("protocol/ imports nothing but vscode-languageserver-protocol, itself and the model's choices", () => {
  // `@llemma/model/choices` imports nothing: the settings offer exactly the execution providers and graph modes the
  // model runtime knows, spelled there once.
  for (const f of sources('protocol')) {
    for (const spec of importsOf(read(f))) {
      assert.ok(
        spec === 'vscode-languageserver-protocol' || spec === '@llemma/model/choices' || spec.startsWith('./'),
        `${f} imports ${spec}`,
      );
    }
  }
  assert.deepEqual(importsOf(read('model/src/modelChoices.ts')), [], 'model/src/modelChoices.ts imports nothing');
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

/** The regular-expression and string literals of a TypeScript file (not the text parts of template literals). */
function literalsOf(file: string): { kind: 'regex' | 'string'; text: string }[] {
  const found: { kind: 'regex' | 'string'; text: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(node)) found.push({ kind: 'regex', text: node.text });
    else if (ts.isStringLiteralLike(node)) found.push({ kind: 'string', text: node.text });
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true));
  return found;
}

test('extension/ holds no Lean text logic: CodeLens positions and edits come from the server', () => {
  // Lean read from text: a pattern over `by`, `sorry`, a declaration keyword or comment delimiters, or such a token
  // as a string to compare with. (Sentences for the user that mention `sorry` are neither.)
  const leanWord = new RegExp(`(^|[^\\w])(by|sorry|${[...declarationKeywords].join('|')})([^\\w]|$)`);
  const leanTokens = new Set(['--', '/-', '-/', ':=', 'by', 'sorry', ...declarationKeywords]);
  for (const f of sources('extension')) {
    const text = read(f);
    for (const spec of importsOf(text)) {
      assert.doesNotMatch(
        spec,
        /prover-text|provertext/,
        `${f} imports ${spec}: the server reads Lean, not the client`,
      );
    }
    assert.doesNotMatch(text, /registerCodeLensProvider/, `${f} makes CodeLenses: they come from the server`);
    for (const { kind, text: literal } of literalsOf(f)) {
      if (kind === 'regex') {
        assert.doesNotMatch(literal, leanWord, `${f}: the pattern ${literal} reads Lean text`);
        assert.doesNotMatch(literal, /--|\\\/-|-\\\//, `${f}: the pattern ${literal} looks for Lean comments`);
      } else {
        assert.ok(
          !leanTokens.has(literal),
          `${f}: the string ${JSON.stringify(literal)} is a Lean token to compare with`,
        );
      }
    }
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
    inputs.filter((i) => /onnxruntime|^model\//.test(i) && i !== 'model/src/modelChoices.ts'),
    [],
  );
});

// The npm workspaces: each folder is a package imported by name. Code outside them (extension/, server/, protocol/,
// test/, scripts/) is the root package, the extension itself.
interface Manifest {
  name: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  exports?: Record<string, string>;
}
const manifestOf = (dir: string) => JSON.parse(read(path.join(dir, 'package.json'))) as Manifest;
const rootManifest = manifestOf('.');
const workspaces = (rootManifest.workspaces ?? []).map((dir) => ({ dir, manifest: manifestOf(dir) }));
const workspaceNames = new Set(workspaces.map((w) => w.manifest.name));

/** Every script under a folder, tests, benches and fixtures included (not build output, run output or data). */
function allScripts(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const p = path.join(dir, name);
    if (['node_modules', 'dist', 'out', 'artifacts', 'data'].includes(name) || name.startsWith('.')) return [];
    if (statSync(path.join(root, p)).isDirectory()) return allScripts(p);
    return /\.(ts|mts|mjs|js)$/.test(name) && !/\.d\.m?ts$/.test(name) ? [p] : [];
  });
}

/** Every module a file names: static imports, `export … from`, `import()` (also in types) and `require`. */
function specifiersOf(text: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\s[^'"`;=(]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire(?:\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
}

/** The workspace folder a repository path belongs to, or '.' for the root package. */
function packageOf(file: string): string {
  const rel = file.split(path.sep).join('/');
  return workspaces.find((w) => rel === w.dir || rel.startsWith(`${w.dir}/`))?.dir ?? '.';
}

/** The workspace package a bare specifier names (`@llemma/prover-text/lean` → `@llemma/prover-text`), if it is one. */
function workspaceNamed(spec: string): string | undefined {
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
  return workspaceNames.has(name) ? name : undefined;
}

test('the workspaces are the ground-floor packages, the model runtime and training', () => {
  assert.deepEqual(Object.fromEntries(workspaces.map((w) => [w.dir, w.manifest.name])), {
    stdx: '@llemma/stdx',
    provertext: '@llemma/prover-text',
    model: '@llemma/model',
    training: 'llemma-training',
  });
  for (const w of workspaces) {
    for (const target of Object.values(w.manifest.exports ?? {})) {
      assert.ok(existsSync(path.join(root, w.dir, target)), `${w.manifest.name} exports ${target}, which is missing`);
    }
  }
});

// Which workspace packages each package may import by name; a package on a floor imports only from floors below it,
// so there are no cycles. The root package (extension, server) and training stand side by side on the top floor.
const mayImport: Record<string, string[]> = {
  '@llemma/stdx': [],
  '@llemma/prover-text': [],
  '@llemma/model': ['@llemma/stdx'],
  'llemma-training': ['@llemma/model', '@llemma/prover-text', '@llemma/stdx'],
  [rootManifest.name]: ['@llemma/model', '@llemma/prover-text', '@llemma/stdx'],
};

test('packages import each other by name, down the floors, and only what their package.json depends on', () => {
  for (const file of allScripts('.')) {
    const dir = packageOf(file);
    const manifest = dir === '.' ? rootManifest : manifestOf(dir);
    const declared = Object.keys(manifest.dependencies ?? {});
    for (const spec of specifiersOf(read(file))) {
      const name = workspaceNamed(spec);
      if (!name) continue;
      assert.ok(mayImport[manifest.name]?.includes(name), `${file} (${manifest.name}) may not import ${spec}`);
      assert.ok(declared.includes(name), `${file} imports ${name}, which ${dir}/package.json does not depend on`);
    }
  }
});

// Tests and benchmarks of the model runtime measure what its public index does not export (decoder steps, KV-cache
// moves, the tiny test model); they live in the root package's test/ and server/bench/ and may reach model/ by path.
// The screen's tactic sample (test/fixtures/tactics/) is cut by the training data stage's own code.
const pathExceptions = [
  { from: 'test/', to: 'model/' },
  { from: 'server/bench/', to: 'model/bench/' },
  { from: 'test/fixtures/tactics/', to: 'training/src/' },
];

test("no relative import leaves its package for another package's folder (shared code is imported by name)", () => {
  for (const file of allScripts('.')) {
    const from = packageOf(file);
    for (const spec of specifiersOf(read(file))) {
      if (!spec.startsWith('.')) continue;
      const target = path.relative(root, path.resolve(root, path.dirname(file), spec));
      const to = packageOf(target);
      if (to === from) continue;
      const rel = (p: string) => p.split(path.sep).join('/');
      const excepted = pathExceptions.some((e) => rel(file).startsWith(e.from) && rel(target).startsWith(e.to));
      const where = to === '.' ? 'the root package' : `${to}/`;
      assert.ok(excepted, `${file} reaches ${where} by the path ${spec}`);
    }
  }
});

test('training/ never imports the server (nor the extension): what both need is a package', () => {
  for (const file of allScripts('training')) {
    for (const spec of specifiersOf(read(file))) {
      assert.doesNotMatch(spec, /(^|\/)(server|extension|protocol)(\/|$)/, `${file} imports ${spec}`);
    }
  }
});

test('the ground-floor packages (stdx/, provertext/) import only their own files and Node', () => {
  for (const file of [...allScripts('stdx'), ...allScripts('provertext')]) {
    for (const spec of specifiersOf(read(file))) {
      assert.ok(spec.startsWith('./') || spec.startsWith('node:'), `${file} imports ${spec}`);
    }
  }
});

/** The repository's TypeScript files (the packages, the extension and its tests) by their path from the root. */
const houseSources = ['extension', 'server', 'protocol', 'model', 'stdx', 'provertext', 'training', 'test', 'scripts']
  .filter((dir) => existsSync(path.join(root, dir)))
  .flatMap((dir) => sources(dir));
const houseSourceSet = new Set(houseSources);

/** The files `file` imports by a relative path (type-only imports and `export … from` too), from the root. */
function relativeImports(file: string): string[] {
  return specifiersOf(read(file)).flatMap((spec) => {
    if (!spec.startsWith('.')) return [];
    const base = path.join(path.dirname(file), spec);
    const candidates = [base, `${base}.ts`, `${base}.mts`, base.replace(/\.js$/, '.ts'), path.join(base, 'index.ts')];
    const found = candidates.find((c) => houseSourceSet.has(c));
    return found ? [found] : [];
  });
}

test('no import cycles: following relative imports (type-only ones too) from a file never leads back to it', () => {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of relativeImports(file)) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of houseSources) if (!state.has(file)) visit(file);
  assert.ok(houseSources.includes(path.join('training', 'src', 'run', 'all.ts')), 'the walk reached training/src');
  assert.deepEqual(cycles, []);
});

// training/src: one folder per stage; run/ describes a run (its config and the layout of its out folder) and drives
// it (the `all` pipeline, the command table, the model card); util/ holds what several stages share.
const trainingSrc = path.join('training', 'src');
const stageFolders = ['data', 'tokenizer', 'pack', 'train', 'export', 'eval', 'index', 'convert'].map((d) =>
  path.join(trainingSrc, d),
);
const runDir = path.join(trainingSrc, 'run');
const runDescription = ['config', 'defaults', 'loadConfig', 'layout'].map((m) => path.join(runDir, `${m}.ts`));
const inFolder = (file: string, dir: string) => file.startsWith(`${dir}${path.sep}`);
const trainingSources = houseSources.filter((f) => inFolder(f, trainingSrc));

test("training/src: a stage's entry module (its run…Stage) is imported only by run/ and by its own folder", () => {
  const entries = trainingSources.filter(
    (f) => stageFolders.some((d) => inFolder(f, d)) && /^export async function run\w*Stage\(/m.test(read(f)),
  );
  assert.ok(entries.includes(path.join(trainingSrc, 'export', 'stage.ts')), 'the stages were found');
  for (const file of trainingSources) {
    for (const to of relativeImports(file)) {
      if (!entries.includes(to) || inFolder(file, runDir) || path.dirname(file) === path.dirname(to)) continue;
      assert.fail(`${file} imports the stage ${to}: stages share helpers, and only run/ runs a stage`);
    }
  }
});

test("training/src: stages import from run/ only the run's config and layout, which, like util/, import no stage", () => {
  const stageAllowed = ['config', 'layout'].map((m) => path.join(runDir, `${m}.ts`));
  for (const file of trainingSources) {
    const imports = relativeImports(file).filter((to) => inFolder(to, trainingSrc));
    if (stageFolders.some((d) => inFolder(file, d))) {
      for (const to of imports) {
        const fromRun = inFolder(to, runDir) || path.dirname(to) === trainingSrc;
        assert.ok(
          !fromRun || stageAllowed.includes(to),
          `${file} imports ${to}: a stage is handed its run, never runs one`,
        );
      }
    }
    if (runDescription.includes(file)) {
      for (const to of imports) {
        assert.ok(runDescription.includes(to) || inFolder(to, path.join(trainingSrc, 'util')), `${file} imports ${to}`);
      }
    }
    if (inFolder(file, path.join(trainingSrc, 'util'))) {
      for (const to of imports) assert.ok(inFolder(to, path.join(trainingSrc, 'util')), `${file} imports ${to}`);
    }
  }
});

/** The module a relative import of `file` names, from the repository root, without its extension. */
const target = (file: string, spec: string) =>
  spec.startsWith('.') ? path.join(path.dirname(file), spec).replace(/\.(ts|mts|js|json)$/, '') : spec;

test("in server/, only modelHost.ts imports model/, but for the model's vocabulary (the benchmarks may read model/bench/)", () => {
  for (const f of sources('server')) {
    if (f === path.join('server', 'modelHost.ts')) continue;
    for (const spec of importsOf(read(f))) {
      const to = target(f, spec);
      if (f.startsWith(path.join('server', 'bench')) && to.startsWith(path.join('model', 'bench'))) continue;
      // `@llemma/model/choices` imports nothing: provider names, graph modes and the new-token default.
      if (spec === '@llemma/model/choices') continue;
      assert.ok(!to.startsWith(`model${path.sep}`) && !spec.startsWith('@llemma/model'), `${f} imports ${spec}`);
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

test("execution providers, generation-graph modes, candidate sources and the new-token budget are spelled once, in model/'s modelChoices.ts", () => {
  const owner = path.join('model', 'src', 'modelChoices.ts');
  for (const dir of ['server', 'model/src', 'protocol', 'extension', 'training/src']) {
    for (const f of sources(dir)) {
      if (f === owner) continue;
      const text = read(f);
      // Any two of the candidate sources side by side in a list is a second spelling of tacticSourceNames.
      assert.doesNotMatch(
        text,
        /['"](retrieval|model|procedures)['"]\s*,\s*['"](retrieval|model|procedures)['"]/,
        `${f} lists the candidate sources`,
      );
      // The training workspace has budgets of its own (its evaluation's), so only the lists above are checked there.
      if (dir === 'training/src') continue;
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
