/**
 * Lean projects on disk: which project a file belongs to, and how to start the Lean REPL in it. Reads the file system
 * only (no processes); the PATH lookup and the elan folder can be replaced for tests.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { ProverInfo } from '../../../protocol';
import { remedy } from '../../remedies';
import { CommandLineError, parseCommandLine } from './repl/commandLine';
import type { ReplLaunch } from './repl/replApi';

export interface LeanProject {
  /** The folder holding the project's lakefile (or lean-toolchain). */
  root: string;
  /** Trimmed contents of `lean-toolchain`, e.g. `leanprover/lean4:v4.33.0-rc2`; null when there is none. */
  toolchain: string | null;
}

/** The prover behind a project's results, as every result names it: Lean, its toolchain, how its REPL starts. */
export function leanProverInfo(project: LeanProject, repl: { launch: ReplLaunch }): ProverInfo {
  return { prover: 'lean4', projectRoot: project.root, toolchain: project.toolchain, replCommand: repl.launch.display };
}

const markers = ['lakefile.lean', 'lakefile.toml', 'lean-toolchain'];

/** The nearest folder at or above the file's folder that holds a lakefile or a lean-toolchain, or undefined. */
export function findProject(filePath: string): LeanProject | undefined {
  let dir = path.dirname(path.resolve(filePath));
  for (;;) {
    if (markers.some((m) => isFile(path.join(dir, m)))) {
      const toolchainFile = path.join(dir, 'lean-toolchain');
      const toolchain = isFile(toolchainFile) ? readFileSync(toolchainFile, 'utf8').trim() || null : null;
      return { root: dir, toolchain };
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

export interface ReplLaunchOptions {
  root: string;
  /** A full command line (CLI `--repl`, env `LLEMMA_REPL` or the `llemma.lean.replCommand` setting); beats the rest. */
  override?: string;
  /** A built `repl` executable, started with `lake env` when the project does not depend on the REPL. */
  replPath?: string;
  /** Finds an executable on the PATH; defaults to a search of `process.env.PATH`. */
  which?: (command: string) => string | undefined;
  /** elan's folder, where `bin/lake` lives when the PATH lacks it; defaults to `$ELAN_HOME` or `~/.elan`. */
  elanHome?: string;
}

export interface ReplLaunchFailure {
  /** `leanNotFound`: `lake` is not installed. `replNotFound`: no way to start the REPL is configured. */
  reason: 'leanNotFound' | 'replNotFound';
  /** Written for the user. */
  message: string;
}

export const noReplMessage =
  'No Lean REPL for this project: add `require REPL from git "https://github.com/leanprover-community/repl"` ' +
  `to the lakefile, or point to a built repl executable (${remedy.setting('lean.replPath')}), or give the REPL's ` +
  `command line (${remedy.setting('lean.replCommand')}).`;

/**
 * How to start the REPL for the project at `root`, in order: the override as written; `lake exe repl` when the project
 * depends on the REPL; `lake env <replPath>`; otherwise a failure saying what to configure.
 */
export function resolveReplLaunch(options: ReplLaunchOptions): ReplLaunch | ReplLaunchFailure {
  const { root } = options;
  const lake = () => findLake(options);
  const override = options.override?.trim();
  if (override) {
    let argv: string[];
    try {
      argv = parseCommandLine(override);
    } catch (err) {
      const why = err instanceof CommandLineError ? err.message : String(err);
      return { reason: 'replNotFound', message: `The REPL command line \`${override}\` cannot be read: ${why}` };
    }
    const [command, ...args] = argv;
    if (command === undefined) return { reason: 'replNotFound', message: noReplMessage };
    // `lake` as written is found the same way as below, so that a PATH without elan's folder still works.
    const resolved = command === 'lake' ? (lake() ?? command) : command;
    return { command: resolved, args, cwd: root, display: override };
  }
  if (dependsOnRepl(root)) {
    const found = lake();
    return found ? launch(found, ['exe', 'repl'], root) : lakeMissing();
  }
  if (options.replPath?.trim()) {
    const found = lake();
    return found ? launch(found, ['env', resolveUserPath(options.replPath.trim(), root)], root) : lakeMissing();
  }
  // Every way left needs Lean, so a missing Lean is the first thing to tell the user about.
  return lake() ? { reason: 'replNotFound', message: noReplMessage } : lakeMissing();
}

function launch(lakePath: string, args: string[], cwd: string): ReplLaunch {
  return { command: lakePath, args, cwd, display: ['lake', ...args].join(' ') };
}

function lakeMissing(): ReplLaunchFailure {
  return {
    reason: 'leanNotFound',
    message:
      'Lean is not installed: `lake` is neither on the PATH nor in ~/.elan/bin. ' +
      `Install Lean with elan (https://github.com/leanprover/elan), then ${remedy.restart}.`,
  };
}

/** `~/…` is the home folder and a relative path is taken from the project root, as users write settings. */
function resolveUserPath(p: string, root: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(homedir(), p.slice(1));
  return path.resolve(root, p);
}

/** Whether `lake exe repl` works here: the manifest, the packages folder or the lakefile names the REPL. */
export function dependsOnRepl(root: string): boolean {
  const manifest = readText(path.join(root, 'lake-manifest.json'));
  if (manifest) {
    try {
      const packages = (JSON.parse(manifest) as { packages?: { name?: unknown }[] }).packages ?? [];
      if (packages.some((p) => typeof p.name === 'string' && p.name.toLowerCase() === 'repl')) return true;
    } catch {
      // A broken manifest says nothing; the lakefile may still.
    }
  }
  if (existsSync(path.join(root, '.lake', 'packages', 'repl'))) return true;
  if (existsSync(path.join(root, '.lake', 'packages', 'REPL'))) return true;
  const lean = readText(path.join(root, 'lakefile.lean'));
  if (lean && /^\s*require\s+(?:"[^"\n]*"\s*\/\s*)?"?«?(?:REPL|repl)»?"?(?=[\s@]|$)/m.test(lean)) return true;
  const toml = readText(path.join(root, 'lakefile.toml'));
  return !!toml && /\[\[require\]\][^[]*?\bname\s*=\s*"(?:REPL|repl)"/.test(toml);
}

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/** `lake` on the PATH, else in elan's bin folder. */
export function findLake(options: Pick<ReplLaunchOptions, 'which' | 'elanHome'>): string | undefined {
  const which = options.which ?? whichOnPath;
  const onPath = which('lake');
  if (onPath) return onPath;
  const elanHome = options.elanHome ?? (process.env.ELAN_HOME || path.join(homedir(), '.elan'));
  const exe = process.platform === 'win32' ? 'lake.exe' : 'lake';
  const inElan = path.join(elanHome, 'bin', exe);
  return isExecutable(inElan) ? inElan : undefined;
}

/** The first executable file called `command` in the folders of `pathVar` (with PATHEXT's suffixes on Windows). */
export function whichOnPath(command: string, pathVar = process.env.PATH ?? ''): string | undefined {
  const suffixes = process.platform === 'win32' ? ['', ...(process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';')] : [''];
  for (const dir of pathVar.split(path.delimiter)) {
    if (!dir) continue;
    for (const suffix of suffixes) {
      const candidate = path.join(dir, command + suffix);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
