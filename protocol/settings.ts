/**
 * The extension's settings, each described once in `settingsSchema`: its type, default, allowed values, description,
 * whether a change restarts the REPLs and whether a workspace may set it only with the user's approval. The settings
 * type, the defaults and the key lists below are derived from that table; package.json's `contributes.configuration`
 * and `restrictedConfigurations` and the settings tables of README.md and docs/user-README.md are generated from it
 * (`npm run gen:settings`, `scripts/settingsManifest.ts`), and a unit test fails when they differ.
 *
 * The values a user chooses among for the model (the execution providers, the generation-graph modes, the candidate
 * sources) are the model
 * runtime's own words: they are spelled once, in `@llemma/model/choices`, a module that imports nothing, and taken
 * from there, so that the settings can never offer a choice the runtime does not know.
 */
import {
  type ExecutionProviderName,
  executionProviderNames,
  type GenerationGraphMode,
  generationGraphModes,
  type TacticSourceName,
  tacticSourceNames,
} from '@llemma/model/choices';

export { type GenerationGraphMode, generationGraphModes, type TacticSourceName, tacticSourceNames };
/** Where a local model can run, in the order `auto` tries them. */
export const executionProviders = executionProviderNames;
export type ExecutionProvider = ExecutionProviderName;

export const settingsSection = 'llemma';

/** A setting's allowed values, each with the sentence VS Code shows beside it. */
interface Choices<V extends string = string> {
  readonly values: readonly V[];
  readonly descriptions: readonly string[];
}

/** `values` with one description each; the mapped tuple type makes the two lists the same length. */
function choices<const V extends readonly string[]>(values: V, descriptions: { readonly [I in keyof V]: string }) {
  return { values, descriptions: descriptions as readonly string[] };
}

interface SettingBase {
  /** The Settings editor's text (markdown; `#llemma.key#` links another setting). */
  readonly markdownDescription: string;
  /** The one line of the settings tables in README.md and docs/user-README.md. */
  readonly summary: string;
  /** VS Code's configuration scope; absent: VS Code's default (`window`). */
  readonly scope?: 'application' | 'machine' | 'machine-overridable' | 'window' | 'resource';
  /** A change restarts the running REPLs: the setting decides how a REPL is started. */
  readonly restartsRepls?: true;
  /** Chooses what runs on the user's machine or where their goals go (see `workspaceRestrictedKeys`). */
  readonly workspaceRestricted?: true;
}

/**
 * One setting. `choice` is a string among `choices.values`; `autoOrList` is `auto` (the first choice) or one or more
 * of the other choices as a comma-separated list (`cuda,cpu`), read as that list. The Settings editor offers the
 * choices of both. `minimum`/`maximum` bind the Settings editor only: `resolveSettings` passes on any number.
 */
export type SettingSpec = SettingBase &
  (
    | { readonly kind: 'string'; readonly default: string }
    | { readonly kind: 'number'; readonly default: number; readonly minimum?: number; readonly maximum?: number }
    | { readonly kind: 'boolean'; readonly default: boolean }
    | { readonly kind: 'choice'; readonly default: string; readonly choices: Choices }
    | { readonly kind: 'autoOrList'; readonly default: 'auto'; readonly choices: Choices }
  );

export const settingsSchema = {
  'lean.replCommand': {
    kind: 'string',
    default: '',
    scope: 'machine-overridable',
    restartsRepls: true,
    workspaceRestricted: true,
    markdownDescription:
      'Full command line that starts the Lean REPL in the project folder, e.g. `lake env /opt/repl/.lake/build/bin/repl`. Empty: `lake exe repl` when the project depends on the REPL, otherwise `lake env` with `#llemma.lean.replPath#`.',
    summary: 'full command line that starts the REPL in the project folder; empty: detect',
  },
  'lean.replPath': {
    kind: 'string',
    default: '',
    scope: 'machine-overridable',
    restartsRepls: true,
    workspaceRestricted: true,
    markdownDescription:
      "Path of a built `repl` executable (leanprover-community/repl, built with the project's Lean version). Started as `lake env <path>` when the project does not depend on the REPL.",
    summary: 'a built `repl` executable, started as `lake env <path>`',
  },
  'lean.requestTimeoutMs': {
    kind: 'number',
    default: 60_000,
    minimum: 1000,
    markdownDescription:
      'Milliseconds one REPL request may take before the REPL is considered hung, killed and restarted.',
    summary: 'a request longer than this means the REPL hung: it is killed and restarted',
  },
  'lean.importTimeoutMs': {
    kind: 'number',
    default: 600_000,
    minimum: 1000,
    markdownDescription: 'Milliseconds the file header (its `import`s, e.g. `import Mathlib`) may take to load.',
    summary: "time allowed for the file's `import`s (`import Mathlib` is slow the first time)",
  },
  'lean.tacticTimeoutMs': {
    kind: 'number',
    default: 20_000,
    minimum: 100,
    markdownDescription:
      'Milliseconds one candidate tactic may run in Lean. A tactic that runs longer counts as failed (and the REPL is restarted).',
    summary: 'one candidate tactic may run this long; a slower one fails (the REPL restarts)',
  },
  'lean.checkProcesses': {
    kind: 'number',
    default: 2,
    minimum: 1,
    maximum: 8,
    markdownDescription:
      "REPL processes per Lean project that run candidate tactics at the same time (suggestions and proof search). A further process is started only when tactics are waiting, and loads the file's imports itself the first time (Mathlib's `.olean` files are memory-mapped, so processes share most of their memory). 1: one process, one tactic at a time.",
    summary: 'REPL processes per project running candidate tactics at once',
  },
  'isabelle.path': {
    kind: 'string',
    default: '',
    scope: 'machine-overridable',
    restartsRepls: true,
    workspaceRestricted: true,
    markdownDescription:
      'The `isabelle` executable (Isabelle2025-2) for `.thy` files: Llemma starts or attaches to `isabelle server -n llemma` with it. Empty: `isabelle` on PATH.',
    summary: 'the `isabelle` executable for `.thy` files; empty: `isabelle` on PATH',
  },
  'isabelle.session': {
    kind: 'string',
    default: 'HOL',
    restartsRepls: true,
    markdownDescription:
      "The Isabelle session theories are checked in (`session_start`): `HOL`, or a session whose image holds the theories' imports (faster than loading them from sources each time).",
    summary: 'the Isabelle session `.thy` files are checked in',
  },
  'isabelle.sledgehammer': {
    kind: 'boolean',
    default: false,
    markdownDescription:
      "Ask Isabelle's Sledgehammer for steps on an Isabelle state, for suggestions and at each expansion of proof search, beside the decision procedures and the model. It runs Isabelle's external provers (E, Vampire, Z3, …) for up to `#llemma.isabelle.sledgehammerSeconds#` a state, so it is off by default. Each step it finds is screened and run by Isabelle like any candidate, and is tagged `sledgehammer`. When the server cannot run it, it is skipped until Isabelle restarts, with the reason beside the results.",
    summary: "ask Isabelle's Sledgehammer for steps (seconds a state; off by default)",
  },
  'isabelle.sledgehammerSeconds': {
    kind: 'number',
    default: 10,
    minimum: 1,
    maximum: 300,
    markdownDescription:
      'Seconds Sledgehammer may search on one state (its `timeout` option) when `#llemma.isabelle.sledgehammer#` is on.',
    summary: "Sledgehammer's time limit per state, in seconds",
  },
  'model.path': {
    kind: 'string',
    default: '',
    scope: 'machine-overridable',
    workspaceRestricted: true,
    markdownDescription:
      'Model folder (`config.json`, `tokenizer.json`, `model.onnx`) or the URL of an OpenAI-compatible completions server (vLLM, llama.cpp, Ollama), e.g. `http://localhost:8000/v1#model=llemma_7b`. A folder must be an absolute path. Empty: the small model embedded in the extension.',
    summary: 'model folder or OpenAI-compatible server URL (`…/v1#model=…`); empty: the embedded one',
  },
  'model.executionProvider': {
    kind: 'autoOrList',
    default: 'auto',
    choices: choices(
      ['auto', ...executionProviders],
      [
        'CUDA, else WebGPU, else CPU (the reason each was skipped is logged)',
        'NVIDIA GPU through CUDA',
        'GPU through WebGPU',
        'CPU only',
      ],
    ),
    markdownDescription: 'Where a local model runs. Ignored for a model server URL.',
    summary: '`auto` (CUDA → WebGPU → CPU), `cuda`, `webgpu`, `cpu`, or a list such as `cuda,cpu`',
  },
  'model.generationGraph': {
    kind: 'choice',
    default: 'auto',
    choices: choices(generationGraphModes, [
      "Beam search inside the model folder's generation.onnx when the model runs on CUDA (the key/value cache then stays on the GPU); step by step otherwise",
      'Always use generation.onnx (the folder must have one)',
      'Always search step by step',
    ]),
    markdownDescription:
      "Whether beam search runs in one ONNX Runtime run through the model folder's optional `generation.onnx` (see docs/model-format.md). Ignored for a model server URL.",
    summary: "beam search inside the folder's `generation.onnx`: `auto` (on CUDA), `on`, `off`",
  },
  'model.sources': {
    kind: 'autoOrList',
    default: 'auto',
    choices: choices(
      ['auto', ...tacticSourceNames],
      [
        'Retrieval, the file and the decision procedures, and the model when `#llemma.model.path#` names one (the embedded model is asked only when listed: on CPU it costs ~0.4 s a goal and adds nothing measurable)',
        "Tactics of the most similar known goals (the model folder's retrieval.bin), renamed to this goal",
        'Tactics of the most similar goals stated in this file above the proof (earlier theorems, `have`/`show`/`calc` blocks), renamed to this goal',
        'The neural model (the model folder or server)',
        'Decision procedures chosen from data (`simp`, `rfl`, `ring`, `linarith`, …), tried on every goal',
      ],
    ),
    markdownDescription:
      'Where candidate tactics come from, for suggestions and proof search: `auto` (retrieval, the file above the proof and the decision procedures, plus the model when `#llemma.model.path#` names one), or a list such as `retrieval,file,model,procedures`. Candidates are de-duplicated and ranked by one calibrated score (docs/search.md), and every suggestion names its source. A model folder without `retrieval.bin` has no retrieval; the decision procedures are tried on every goal, beyond `#llemma.suggest.candidates#` when they do not rank within it.',
    summary:
      '`auto` (retrieval + file + procedures, + the model you name) or a list: `retrieval,file,model,procedures`',
  },
  'suggest.enabled': {
    kind: 'boolean',
    default: true,
    markdownDescription:
      'Show verified tactic suggestions as ghost text at the start of a tactic line. Every suggestion shown has been run by Lean on the goal.',
    summary: 'ghost-text suggestions',
  },
  'suggest.debounceMs': {
    kind: 'number',
    default: 400,
    minimum: 0,
    markdownDescription: 'Milliseconds without typing before ghost-text suggestions are requested.',
    summary: 'pause in typing before a suggestion is requested',
  },
  'suggest.candidates': {
    kind: 'number',
    default: 32,
    minimum: 1,
    markdownDescription:
      'Beam width and number of candidate tactics the model generates per suggestion request (Llemma: 32). Each is checked by Lean.',
    summary: 'beam width = candidates generated per suggestion',
  },
  'suggest.shown': {
    kind: 'number',
    default: 8,
    minimum: 1,
    markdownDescription: 'At most this many verified suggestions are shown.',
    summary: 'verified suggestions shown at most',
  },
  'search.candidatesPerExpansion': {
    kind: 'number',
    default: 32,
    minimum: 1,
    markdownDescription:
      'Candidate tactics generated per expansion in proof search (`Llemma: Complete Proof`; Llemma: 32).',
    summary: 'proof search: candidates per expansion',
  },
  'search.maxExpansions': {
    kind: 'number',
    default: 100,
    minimum: 1,
    markdownDescription: 'Expansions per proof search (Llemma: 100).',
    summary: 'proof search: expansions per run',
  },
  'search.timeLimitSeconds': {
    kind: 'number',
    default: 600,
    minimum: 1,
    markdownDescription: 'Seconds per proof search (Llemma: 600).',
    summary: 'proof search: seconds per run',
  },
  'search.allowNativeDecide': {
    kind: 'boolean',
    default: false,
    workspaceRestricted: true,
    markdownDescription:
      'Allow `native_decide` in found proofs. It trusts compiled code (the `Lean.ofReduceBool` axiom); results that use it are not comparable with miniF2F numbers.',
    summary: 'let proofs use `native_decide` (trusts compiled code)',
  },
} as const satisfies Record<string, SettingSpec>;

type Schema = typeof settingsSchema;
export type SettingKey = keyof Schema;

/** The value a setting of this spec has once read: a `choice` is one of its values, an `autoOrList` `auto` or a list. */
type ValueOf<S> = S extends { kind: 'autoOrList'; choices: Choices<infer V> }
  ? 'auto' | readonly Exclude<V, 'auto'>[]
  : S extends { kind: 'choice'; choices: Choices<infer V> }
    ? V
    : S extends { kind: 'number' }
      ? number
      : S extends { kind: 'boolean' }
        ? boolean
        : string;

/** The settings as the server uses them, keyed without the `llemma.` section. */
export type LlemmaSettings = { -readonly [K in SettingKey]: ValueOf<Schema[K]> };

/** `auto` (each of `executionProviders` in their order) or the providers to try, in order. */
export type ExecutionProviderSetting = LlemmaSettings['model.executionProvider'];

/** The keys of a workspace-restricted setting. */
export type WorkspaceRestrictedKey = {
  [K in SettingKey]: Schema[K] extends { workspaceRestricted: true } ? K : never;
}[SettingKey];

/** The table seen through the plain spec type, for code that handles every setting alike. */
const specs: Readonly<Record<SettingKey, SettingSpec>> = settingsSchema;
/** Every key, in the table's order. */
export const settingKeys = Object.keys(specs) as readonly SettingKey[];

export const defaultSettings = Object.fromEntries(
  settingKeys.map((key) => [key, specs[key].default]),
) as unknown as LlemmaSettings;

/** Keys whose change restarts the running REPLs (they decide how a REPL is started). */
export const restartKeys: readonly SettingKey[] = settingKeys.filter((key) => specs[key].restartsRepls);

/**
 * Keys that choose what runs on the user's machine or where their goals go: the REPL's command line and program, the
 * model folder or server URL, and whether found proofs may trust compiled code. A repository's workspace settings can
 * set them, so the extension uses a workspace's value only after the user approved that exact value, and none of them
 * in Restricted Mode. package.json lists the same keys under `capabilities.untrustedWorkspaces.restrictedConfigurations`
 * (generated, and checked by a unit test).
 */
export const workspaceRestrictedKeys: readonly WorkspaceRestrictedKey[] = settingKeys.filter(
  (key): key is WorkspaceRestrictedKey => specs[key].workspaceRestricted === true,
);

/**
 * A raw value (from VS Code, JSON or a command line) as setting `key`, or undefined when the schema does not admit it:
 * a value of another type, a choice that is not one of the values (surrounding blanks are ignored), a list with a
 * name that is not one of the choices. Empty `autoOrList` text is `auto`.
 */
export function parseSetting<K extends SettingKey>(key: K, raw: unknown): LlemmaSettings[K] | undefined {
  return parse(specs[key], raw) as LlemmaSettings[K] | undefined;
}

function parse(spec: SettingSpec, raw: unknown): unknown {
  switch (spec.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof raw === spec.kind ? raw : undefined;
    case 'choice': {
      const value = typeof raw === 'string' ? raw.trim() : undefined;
      return value !== undefined && spec.choices.values.includes(value) ? value : undefined;
    }
    case 'autoOrList': {
      if (typeof raw !== 'string') return undefined;
      const text = raw.trim();
      if (text === '' || text === spec.default) return spec.default;
      const names = text
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
      const known = spec.choices.values.filter((value) => value !== spec.default);
      return names.length > 0 && names.every((name) => known.includes(name)) ? names : undefined;
    }
  }
}

/** Reads settings from an untyped object (the `llemma` section), keeping the default for a missing or invalid value. */
export function resolveSettings(raw: unknown): LlemmaSettings {
  const out: LlemmaSettings = { ...defaultSettings };
  if (raw === null || typeof raw !== 'object') return out;
  const flat = flatten(raw as Record<string, unknown>);
  for (const key of settingKeys) {
    const value = parseSetting(key, flat[key]);
    if (value !== undefined) (out as Record<SettingKey, unknown>)[key] = value;
  }
  return out;
}

/**
 * The values in `raw` that `resolveSettings` set aside for their defaults, each in a sentence for the user: a typo in
 * settings.json must not silently change what runs.
 */
export function invalidSettings(raw: unknown): string[] {
  if (raw === null || typeof raw !== 'object') return [];
  const flat = flatten(raw as Record<string, unknown>);
  return settingKeys
    .filter((key) => flat[key] !== undefined && flat[key] !== null && parseSetting(key, flat[key]) === undefined)
    .map((key) => {
      const spec: SettingSpec = specs[key];
      const allowed =
        spec.kind === 'choice' || spec.kind === 'autoOrList'
          ? `one of ${spec.choices.values.join(', ')}${spec.kind === 'autoOrList' ? ' (or a comma-separated list)' : ''}`
          : `a ${spec.kind}`;
      const fallback = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
      return `llemma.${key} is ${JSON.stringify(flat[key])}, which is not ${allowed}; the default ${JSON.stringify(fallback)} is used.`;
    });
}

/** `{lean: {replPath: 'x'}}` and `{'lean.replPath': 'x'}` both become `{'lean.replPath': 'x'}`. */
function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v))
      Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = v;
  }
  return out;
}
