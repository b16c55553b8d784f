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
}

export const settingsSection = 'llemma';

export const defaultSettings: LlemmaSettings = {
  'lean.replCommand': '',
  'lean.replPath': '',
  'lean.requestTimeoutMs': 60_000,
  'lean.importTimeoutMs': 600_000,
};

/** Keys whose change restarts the running REPLs (they decide how a REPL is started). */
export const restartKeys: readonly (keyof LlemmaSettings)[] = ['lean.replCommand', 'lean.replPath'];

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
