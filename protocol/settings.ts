/**
 * The extension's settings: one type, one table of defaults. package.json's `contributes.configuration` is checked
 * against this table by a unit test, so the two cannot drift apart.
 */
export interface LlemmaSettings {
  /**
   * Full command line that starts the Lean REPL in the project folder, e.g. `lake env /opt/repl/.lake/build/bin/repl`.
   * Empty: detect (`lake exe repl` when the project depends on the REPL, else `lake env <lean.replPath>`).
   */
  'lean.replCommand': string;
  /** Path of a built `repl` executable, started as `lake env <path>` when the project does not depend on the REPL. */
  'lean.replPath': string;
  /** Milliseconds one REPL request (a command or a tactic) may take before the REPL is considered hung and restarted. */
  'lean.requestTimeoutMs': number;
  /** Milliseconds a header command (the file's `import`s, e.g. `import Mathlib`) may take. */
  'lean.importTimeoutMs': number;
  /** Milliseconds one candidate tactic may run; a tactic that runs longer counts as failed (the REPL is restarted). */
  'lean.tacticTimeoutMs': number;
  /**
   * REPL processes per Lean project that run candidate tactics at once (suggestions and proof search); each further
   * one loads the file's imports itself the first time it is needed. 1: one process, one tactic at a time.
   */
  'lean.checkProcesses': number;
  /** Model folder or OpenAI-compatible server URL. Empty: the model embedded in the extension. */
  'model.path': string;
  /** `auto` (CUDA → WebGPU → CPU), `cuda`, `webgpu` or `cpu`. */
  'model.executionProvider': string;
  /**
   * `auto` (beam search inside the folder's generation.onnx on CUDA, step by step elsewhere), `on` (always; the
   * folder must have one) or `off`.
   */
  'model.generationGraph': string;
  /** Ghost-text suggestions while typing a proof. */
  'suggest.enabled': boolean;
  /** Milliseconds of no typing before a suggestion is requested. */
  'suggest.debounceMs': number;
  /** Beam width and candidates generated per suggestion request (Llemma: 32). */
  'suggest.candidates': number;
  /** Verified suggestions shown at most. */
  'suggest.shown': number;
  /** Candidates per expansion in proof search (Llemma: 32). */
  'search.candidatesPerExpansion': number;
  /** Expansions per proof search (Llemma: 100). */
  'search.maxExpansions': number;
  /** Seconds per proof search (Llemma: 600). */
  'search.timeLimitSeconds': number;
  /** Allow `native_decide` (trusts compiled code; miniF2F results that use it are not comparable). */
  'search.allowNativeDecide': boolean;
}

export const settingsSection = 'llemma';

export const defaultSettings: LlemmaSettings = {
  'lean.replCommand': '',
  'lean.replPath': '',
  'lean.requestTimeoutMs': 60_000,
  'lean.importTimeoutMs': 600_000,
  'lean.tacticTimeoutMs': 20_000,
  'lean.checkProcesses': 2,
  'model.path': '',
  'model.executionProvider': 'auto',
  'model.generationGraph': 'auto',
  'suggest.enabled': true,
  'suggest.debounceMs': 400,
  'suggest.candidates': 32,
  'suggest.shown': 8,
  'search.candidatesPerExpansion': 32,
  'search.maxExpansions': 100,
  'search.timeLimitSeconds': 600,
  'search.allowNativeDecide': false,
};

/** Keys whose change restarts the running REPLs (they decide how a REPL is started). */
export const restartKeys: readonly (keyof LlemmaSettings)[] = ['lean.replCommand', 'lean.replPath'];

/**
 * Keys that choose what runs on the user's machine or where their goals go: the REPL's command line and program, the
 * model folder or server URL, and whether found proofs may trust compiled code. A repository's workspace settings can
 * set them, so the extension uses a workspace's value only after the user approved that exact value, and none of them
 * in Restricted Mode. package.json lists the same keys under `capabilities.untrustedWorkspaces.restrictedConfigurations`
 * (checked by a unit test).
 */
export const workspaceRestrictedKeys = [
  'lean.replCommand',
  'lean.replPath',
  'model.path',
  'search.allowNativeDecide',
] as const satisfies readonly (keyof LlemmaSettings)[];

/** Reads settings from an untyped object (the `llemma` section), keeping the default for missing or mistyped keys. */
export function resolveSettings(raw: unknown): LlemmaSettings {
  const out: LlemmaSettings = { ...defaultSettings };
  if (raw === null || typeof raw !== 'object') return out;
  const flat = flatten(raw as Record<string, unknown>);
  for (const key of Object.keys(defaultSettings) as (keyof LlemmaSettings)[]) {
    const value = flat[key];
    if (value !== undefined && typeof value === typeof defaultSettings[key]) {
      (out as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return out;
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
