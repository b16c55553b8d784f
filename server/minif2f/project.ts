/**
 * The Lean project a miniF2F variant runs in: whether a project matches the variant's Lean toolchain and Mathlib
 * (read from `lean-toolchain` and `lake-manifest.json`, and saying exactly what differs when it does not), and the
 * pinned lake project, with the REPL, that `Llemma: Create miniF2F Project` writes for the user to build once.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  LlemmaErrorCode,
  type MiniF2FLeanVariant,
  type MiniF2FVariant,
  type MiniF2FVariantInfo,
  miniF2FIsabelleVariant,
  miniF2FVariants,
} from '../../protocol';
import { LlemmaError } from '../errors';

export function variantInfo(variant: MiniF2FLeanVariant): MiniF2FVariantInfo {
  const info = miniF2FVariants.find((v) => v.id === variant);
  if (!info) throw new LlemmaError(LlemmaErrorCode.ProjectMismatch, `Unknown miniF2F variant '${variant}'.`);
  return info;
}

/** What a project is built with: its toolchain and Mathlib revision, null where the file does not say. */
export interface ProjectPins {
  lean: string | null;
  mathlib: string | null;
}

/** The toolchain without the `leanprover/lean4:` prefix a `lean-toolchain` may leave out. */
const bareToolchain = (t: string) => t.trim().replace(/^leanprover\/lean4:/, '');

/**
 * Whether the project at `root` is one the variant's statements can be checked in: its `lean-toolchain` is the
 * variant's, and `lake-manifest.json` has Mathlib at one of the variant's revisions. `differences` says, one sentence
 * each, what is not so.
 */
export function checkProject(
  root: string,
  variant: MiniF2FLeanVariant,
): { ok: true; pins: ProjectPins } | { ok: false; pins: ProjectPins; differences: string[] } {
  const info = variantInfo(variant);
  const differences: string[] = [];
  if (!isFolder(root)) {
    return { ok: false, pins: { lean: null, mathlib: null }, differences: [`${root} is not a folder.`] };
  }
  const toolchainText = readText(path.join(root, 'lean-toolchain'));
  const lean = toolchainText?.trim() || null;
  if (lean === null) {
    differences.push(`It has no lean-toolchain file; the ${info.id} variant needs \`${info.leanToolchain}\`.`);
  } else if (bareToolchain(lean) !== bareToolchain(info.leanToolchain)) {
    differences.push(`Its lean-toolchain is \`${lean}\`; the ${info.id} variant needs \`${info.leanToolchain}\`.`);
  }
  const manifest = readManifest(path.join(root, 'lake-manifest.json'));
  const mathlib = 'rev' in manifest ? manifest.rev : null;
  if ('problem' in manifest) {
    differences.push(manifest.problem);
  } else if (!info.mathlibRevs.includes(manifest.rev)) {
    const accepted = info.mathlibRevs.map((r) => `\`${r}\``).join(' or ');
    differences.push(
      `Its lake-manifest.json has Mathlib at \`${manifest.rev}\`; the ${info.id} variant needs ${accepted}.`,
    );
  }
  const pins = { lean, mathlib };
  return differences.length === 0 ? { ok: true, pins } : { ok: false, pins, differences };
}

/**
 * The check as the runner uses it: the pins, or a ProjectMismatch error that lists every difference. The Isabelle
 * variant needs no Lean project (its theories go to the Isabelle server): no pins, nothing checked.
 */
export function requireProject(root: string, variant: MiniF2FVariant): ProjectPins {
  if (variant === miniF2FIsabelleVariant.id) return { lean: null, mathlib: null };
  const checked = checkProject(root, variant);
  if (checked.ok) return checked.pins;
  const info = variantInfo(variant);
  throw new LlemmaError(
    LlemmaErrorCode.ProjectMismatch,
    `The Lean project ${root} does not match the miniF2F ${info.id} variant: ${checked.differences.join(' ')} ` +
      'Create a matching project with "Llemma: Create miniF2F Project" (`llemma bench init`) and build it once.',
  );
}

/** Mathlib's `rev` in a lake manifest (format 7 and later: `packages[].rev`; earlier: `packages[].git.rev`). */
function readManifest(file: string): { rev: string } | { problem: string } {
  const text = readText(file);
  if (text === undefined) {
    return {
      problem:
        'It has no lake-manifest.json, so its Mathlib revision is unknown: run `lake update` in it once (it writes ' +
        'the manifest).',
    };
  }
  let packages: unknown;
  try {
    packages = (JSON.parse(text) as { packages?: unknown }).packages;
  } catch {
    return { problem: 'Its lake-manifest.json is not valid JSON.' };
  }
  if (!Array.isArray(packages)) return { problem: 'Its lake-manifest.json lists no packages.' };
  for (const entry of packages as Record<string, unknown>[]) {
    const p = (typeof entry?.['git'] === 'object' && entry['git'] !== null ? entry['git'] : entry) as Record<
      string,
      unknown
    >;
    if (typeof p['name'] === 'string' && p['name'].toLowerCase() === 'mathlib') {
      return typeof p['rev'] === 'string'
        ? { rev: p['rev'] }
        : { problem: 'Its lake-manifest.json gives Mathlib no rev.' };
    }
  }
  return { problem: 'Its lake-manifest.json does not require Mathlib.' };
}

/** Where each variant's project takes the REPL from: a revision built for the variant's Lean. */
const replRequire: Record<MiniF2FLeanVariant, { url: string; rev: string }> = {
  yangky11: { url: 'https://github.com/leanprover-community/repl', rev: 'v4.24.0' },
  // The REPL DeepSeek-Prover-V1.5 ran with this Lean and Mathlib.
  deepseek: { url: 'https://github.com/xinhjBrant/repl', rev: '3334a97b268ecc67beb36a75787f7e831208a724' },
};

const mathlibUrl = 'https://github.com/leanprover-community/mathlib4';

/** The commands a new project needs once, in its folder. */
export const buildSteps = ['lake update', 'lake exe cache get', 'lake build repl'];

/** The files of a variant's project: path → contents. */
export function projectFiles(variant: MiniF2FLeanVariant): Record<string, string> {
  const info = variantInfo(variant);
  const repl = replRequire[variant];
  const mathlib = info.mathlibRevs[0]!;
  const lakefile = [
    'import Lake',
    'open Lake DSL',
    '',
    `-- miniF2F (${info.id}): Lean ${bareToolchain(info.leanToolchain)}, Mathlib ${mathlib}, and the REPL Llemma checks proofs with.`,
    'package llemma_minif2f',
    '',
    'require mathlib from git',
    `  "${mathlibUrl}" @ "${mathlib}"`,
    '',
    'require REPL from git',
    `  "${repl.url}" @ "${repl.rev}"`,
    '',
  ].join('\n');
  const readme = [
    `# miniF2F (${info.id}) for Llemma`,
    '',
    `Written by Llemma for VS Code. The Lean project the miniF2F ${info.id} problems are checked in:`,
    `Lean \`${info.leanToolchain}\`, Mathlib \`${mathlib}\`, the REPL from ${repl.url} at \`${repl.rev}\`.`,
    `The statements come from ${info.source}.`,
    '',
    'Build it once, in this folder (Mathlib is downloaded, not compiled; several GB):',
    '',
    ...buildSteps.map((s) => `    ${s}`),
    '',
    'Then run "Llemma: Run miniF2F Benchmark" and choose this folder, or',
    '',
    `    llemma bench minif2f --variant ${info.id} --project . --split test --workers 4 --out results.jsonl`,
    '',
  ].join('\n');
  return {
    'lean-toolchain': `${info.leanToolchain}\n`,
    'lakefile.lean': lakefile,
    'README.md': readme,
    '.gitignore': '/.lake\n',
  };
}

/** Writes the variant's project into `folder`, which must be new or empty. */
export function createProject(folder: string, variant: MiniF2FLeanVariant): { files: string[]; buildSteps: string[] } {
  if (existsSync(folder)) {
    if (!isFolder(folder)) {
      throw new LlemmaError(LlemmaErrorCode.ProjectMismatch, `${folder} exists and is not a folder.`);
    }
    if (readdirSync(folder).length > 0) {
      throw new LlemmaError(
        LlemmaErrorCode.ProjectMismatch,
        `${folder} is not empty: choose a new or empty folder for the miniF2F project.`,
      );
    }
  }
  mkdirSync(folder, { recursive: true });
  const files = projectFiles(variant);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(folder, name), text);
  return { files: Object.keys(files), buildSteps: [...buildSteps] };
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}
