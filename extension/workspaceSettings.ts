/**
 * Which value of a workspace-restricted setting (`workspaceRestrictedKeys`) the server gets, and how the user is asked.
 * A repository's `.vscode/settings.json` can choose the command line that starts Lean, the model, or the server that
 * receives the user's goals; trusting a folder to open it is not agreeing to run what it names. So a value set in the
 * workspace (or a workspace folder) is passed on only after the user approved that exact value for this workspace;
 * until then the server gets the user's own value or the default, as if the workspace had not set it.
 *
 * Pure functions without `vscode`, so that the unit tests exercise the decisions; `settingsApproval.ts` applies them.
 */
import { settingsSection, type workspaceRestrictedKeys } from '../protocol';

export type RestrictedKey = (typeof workspaceRestrictedKeys)[number];

/** The scopes of VS Code's `WorkspaceConfiguration.inspect()` that decide a value here. */
export interface Inspection {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

/** The user's answers in one workspace: setting key → the value answered, as JSON (so a changed value is asked again). */
export interface Answers {
  approved: Record<string, string>;
  declined: Record<string, string>;
}

export const noAnswers: Answers = { approved: {}, declined: {} };

export type Decision =
  /** The workspace does not set the key, or sets the user's own value or the default: nothing to approve. */
  | { kind: 'notFromWorkspace' }
  /** The user approved exactly this workspace value: it is used. */
  | { kind: 'approved'; workspaceValue: unknown }
  /** The user's value (or the default) is used instead; `ask` unless the user already declined this value. */
  | { kind: 'withheld'; workspaceValue: unknown; fallback: unknown; ask: boolean };

/** The values are compared as JSON: `inspect()` hands out copies, and settings are JSON values. */
export function fingerprint(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

/**
 * The decision for one key. A workspace folder's value wins over the workspace's, as in VS Code. A workspace value
 * equal to the default chooses nothing the extension would not do by itself (an empty `replCommand` means "detect"),
 * and one equal to the user's own value changes nothing, so neither is asked about.
 */
export function decide(key: RestrictedKey, inspection: Inspection, answers: Answers): Decision {
  const workspaceValue = inspection.workspaceFolderValue ?? inspection.workspaceValue;
  if (workspaceValue === undefined) return { kind: 'notFromWorkspace' };
  const own = inspection.globalValue ?? inspection.defaultValue;
  const print = fingerprint(workspaceValue);
  if (print === fingerprint(own) || print === fingerprint(inspection.defaultValue)) return { kind: 'notFromWorkspace' };
  if (answers.approved[key] === print) return { kind: 'approved', workspaceValue };
  return { kind: 'withheld', workspaceValue, fallback: own, ask: answers.declined[key] !== print };
}

/**
 * The path of `llemma.<key>` inside the object VS Code returns for a `workspace/configuration` item with `section`
 * (undefined: the whole configuration), `[]` when the section is the key itself, undefined when it does not contain it.
 */
export function pathInSection(section: string | undefined, key: RestrictedKey): string[] | undefined {
  const full = `${settingsSection}.${key}`;
  if (!section) return full.split('.');
  if (section === full) return [];
  return full.startsWith(`${section}.`) ? full.slice(section.length + 1).split('.') : undefined;
}

/** `value` with the setting at `path` replaced by `replacement` (a copy; the input is not changed). */
export function replaceAt(value: unknown, path: readonly string[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  const obj = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
  return { ...obj, [head]: replaceAt((obj as Record<string, unknown>)[head], rest, replacement) };
}

/** A workspace value waiting for the user's answer. */
export interface Pending {
  key: RestrictedKey;
  value: unknown;
}

export const allowButton = 'Allow';
export const useMineButton = 'Use My Settings';

/** The modal's question and detail for the pending values (one or several, asked together). */
export function approvalQuestion(pending: readonly Pending[]): { message: string; detail: string } {
  const outro =
    `Allow it only if you trust this repository. "${useMineButton}" keeps your own value (or the default) in this ` +
    'workspace; Llemma asks again when the workspace changes the value.';
  const [only] = pending;
  if (pending.length === 1 && only) {
    const d = describe(only);
    return { message: d.question, detail: `${d.consequence} ${outro}` };
  }
  const lines = pending.map((p) => `• llemma.${p.key} = ${show(p.value)}: ${describe(p).consequence}`);
  return {
    message: `This workspace sets ${pending.length} Llemma settings that choose what runs. Use them?`,
    detail: [...lines, '', outro.replace('Allow it', 'Allow them')].join('\n'),
  };
}

function describe(p: Pending): { question: string; consequence: string } {
  const sets = `This workspace sets llemma.${p.key} to ${show(p.value)}.`;
  switch (p.key) {
    case 'lean.replCommand':
      return {
        question: `${sets} Run it?`,
        consequence: 'Llemma runs this command line in the Lean project to start the Lean REPL.',
      };
    case 'isabelle.path':
      return {
        question: `${sets} Run it?`,
        consequence: `Llemma starts this program as \`${String(p.value)} server\` for Isabelle theories.`,
      };
    case 'lean.replPath':
      return {
        question: `${sets} Run it?`,
        consequence: `Llemma starts this program as \`lake env ${String(p.value)}\` in the Lean project.`,
      };
    case 'model.path': {
      const host = remoteHost(p.value);
      return host
        ? {
            question: `${sets} Send your goals to ${host}?`,
            consequence:
              `Llemma sends the proof states of your Lean files to the model server at ${host} ` +
              'for suggestions and proof search.',
          }
        : {
            question: `${sets} Load this model?`,
            consequence: 'Llemma loads the model in this folder with ONNX Runtime.',
          };
    }
    case 'search.allowNativeDecide':
      return {
        question: `${sets} Allow native_decide in found proofs?`,
        consequence:
          'Proofs found may then use native_decide, which trusts compiled code (the Lean.ofReduceBool axiom).',
      };
  }
}

/** The host of an `http(s)://` model URL; undefined for a folder. */
export function remoteHost(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value.trim())) return undefined;
  try {
    return new URL(value.trim()).host;
  } catch {
    return value.trim();
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? `\`${value}\`` : JSON.stringify(value);
}

/** The answers after the user chose `button` (undefined: the dialog was closed, which records nothing). */
export function recordAnswer(answers: Answers, pending: readonly Pending[], button: string | undefined): Answers {
  if (button !== allowButton && button !== useMineButton) return answers;
  const next: Answers = { approved: { ...answers.approved }, declined: { ...answers.declined } };
  for (const p of pending) {
    const print = fingerprint(p.value);
    if (button === allowButton) {
      next.approved[p.key] = print;
      delete next.declined[p.key];
    } else {
      next.declined[p.key] = print;
      delete next.approved[p.key];
    }
  }
  return next;
}

/** Reads answers stored by an earlier session, tolerating anything malformed (it counts as no answer). */
export function readAnswers(stored: unknown): Answers {
  const table = (v: unknown): Record<string, string> =>
    v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'))
      : {};
  const s = stored as { approved?: unknown; declined?: unknown } | null | undefined;
  return { approved: table(s?.approved), declined: table(s?.declined) };
}
