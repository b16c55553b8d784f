/**
 * The training workspace's configuration: defaults in code, overridden by small JSON files (never code, so a config
 * cannot run anything). An override is merged into the defaults key by key; objects merge, arrays and scalars
 * replace, and a key the defaults do not have is an error (a typo must not silently fall back to a default).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { defaultConfig } from './defaults';

export interface SourceConfig {
  name: string;
  kind: 'jsonl' | 'folder';
  /** Relative to the data folder, or absolute. */
  path: string;
  /** For folders: the file endings to read. */
  extensions?: string[];
  /** Sampling multiplier in the mixture: each kept document appears ⌊w⌋ times, plus once more with chance w − ⌊w⌋. */
  weight: number;
  /** Whether to extract tactic examples from this source's `.lean` documents. */
  tactics: boolean;
}

export interface BenchmarkConfig {
  name: string;
  kind: 'jsonl' | 'folder';
  path: string;
  /** JSONL: the field holding the item's name (default `name`); folders use the file name without its ending. */
  nameField?: string;
  /** JSONL: the field holding the split (`valid`, `test`); missing means `unknown`. */
  splitField?: string;
  /** JSONL: the fields whose text is compared (statements, informal statements, proofs). */
  textFields?: string[];
  /** Folders: the file endings to read. */
  extensions?: string[];
  /** Only items of these splits; empty means all. */
  splits?: string[];
}

export interface DataConfig {
  sources: SourceConfig[];
  dedup: {
    exact: boolean;
    near: boolean;
    /** Words per shingle for near-duplicate detection. */
    shingleSize: number;
    /** MinHash signature length; must be a multiple of `bands`. */
    numPerm: number;
    bands: number;
    /** Estimated Jaccard similarity of word shingles at or above which a document is a near duplicate. */
    threshold: number;
  };
  decontamination: {
    /** Every size is checked and reported. */
    ngramSizes: number[];
    /** Overlaps of at least this many tokens drop the document; shorter ones are only reported. */
    dropAtNgram: number;
    benchmarks: BenchmarkConfig[];
    /** Added to `benchmarks` (so an override can add one without repeating the defaults). */
    extraBenchmarks: BenchmarkConfig[];
    /** Files named like a benchmark problem (`Imo1959P1.lean` ~ `imo_1959_p1`): drop, only report, or ignore. */
    problemIds: 'drop' | 'report' | 'off';
    /** Competition names that mean the same contest (`usa` → `usamo`). */
    problemIdAliases: Record<string, string>;
  };
  tactics: {
    /** A format name from model/src/prompts.ts. */
    promptFormat: string;
    /** Declarations whose tactic proofs become examples. */
    keywords: string[];
    /** Share of files (by hash of path) whose examples are held out. */
    heldOutFraction: number;
    /** Examples with a longer prompt or target are skipped (counted in the report). */
    maxPromptChars: number;
    maxTargetChars: number;
  };
  mixture: {
    /** A shard is closed once it holds this many bytes of JSONL. */
    shardBytes: number;
  };
  /** Worker threads for the per-document work: `auto` (one per CPU), or a number (0: all in the main thread). */
  workers: number | 'auto';
}

export interface TrainingConfig {
  /** Output folder name under `outDir`. */
  run: string;
  /** Relative to the training workspace folder, or absolute. */
  outDir: string;
  /** Where the corpora live; null: $LLEMMA_DATA_DIR, then ../shared/data next to the repository. */
  dataDir: string | null;
  seed: number;
  data: DataConfig;
}

/** The training workspace's folder (holds package.json) and the repository root above it. */
export const workspaceDir = path.resolve(import.meta.dirname, '..');
export const repoDir = path.resolve(workspaceDir, '..');

// Objects whose keys are data, not schema: any key is allowed and its value must be a string.
const openObjects = new Set(['data.decontamination.problemIdAliases']);
// Keys whose default is null but which take a string.
const nullableStrings = new Set(['dataDir']);
// Keys whose default is null but which take a number (the model stages' keys are merged with this function too).
const nullableNumbers = new Set(['pack.goalKnownShare']);
// Keys that take a number or the word "auto".
const numberOrAuto = new Set(['data.workers']);

/** Merges an override (parsed JSON) into `base`, checking every key and type against it. */
export function mergeConfig<T>(base: T, override: unknown, where = ''): T {
  if (typeof override !== 'object' || override === null || Array.isArray(override)) {
    throw new Error(`config${where ? ` ${where}` : ''}: expected an object`);
  }
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    const at = where ? `${where}.${key}` : key;
    if (openObjects.has(where)) {
      if (typeof value !== 'string') throw new Error(`config ${at}: expected a string`);
      out[key] = value;
      continue;
    }
    if (!(key in out)) throw new Error(`config ${at}: unknown key (known: ${Object.keys(out).join(', ')})`);
    const current = out[key];
    if (nullableStrings.has(at) && (value === null || typeof value === 'string')) {
      out[key] = value;
    } else if (nullableNumbers.has(at)) {
      if (value !== null && typeof value !== 'number') throw new Error(`config ${at}: expected a number or null`);
      out[key] = value;
    } else if (numberOrAuto.has(at)) {
      if (value !== 'auto' && !(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
        throw new Error(`config ${at}: expected "auto" or a whole number ≥ 0`);
      }
      out[key] = value;
    } else if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
      out[key] = mergeConfig(current, value, at);
    } else if (Array.isArray(current) !== Array.isArray(value) || typeof current !== typeof value) {
      throw new Error(`config ${at}: expected ${Array.isArray(current) ? 'an array' : typeof current}`);
    } else {
      out[key] = value;
    }
  }
  return out as T;
}

/** The defaults with the override file (if any) merged in and checked; relative `dataDir` is taken from the file. */
export function loadConfig(file?: string): TrainingConfig {
  if (!file) return validate(structuredClone(defaultConfig));
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  const merged = mergeConfig(structuredClone(defaultConfig), parsed);
  if (merged.dataDir !== null) merged.dataDir = path.resolve(path.dirname(path.resolve(file)), merged.dataDir);
  return validate(merged);
}

function validate(config: TrainingConfig): TrainingConfig {
  const { data } = config;
  if (!/^[\w.-]+$/.test(config.run)) throw new Error(`config run: "${config.run}" must be a plain folder name`);
  const names = new Set<string>();
  data.sources.forEach((s, i) => {
    const at = `data.sources[${i}]`;
    checkEntry(s, at, { name: 'string', kind: 'string', path: 'string', weight: 'number', tactics: 'boolean' });
    if (names.has(s.name)) throw new Error(`config ${at}: source name "${s.name}" is used twice`);
    names.add(s.name);
    if (!(s.weight >= 0)) throw new Error(`config ${at}.weight: must be ≥ 0`);
  });
  for (const [i, b] of [...data.decontamination.benchmarks, ...data.decontamination.extraBenchmarks].entries()) {
    checkEntry(b, `benchmark ${i}`, { name: 'string', kind: 'string', path: 'string' });
  }
  const { dedup, decontamination: dc, tactics } = data;
  if (dedup.numPerm % dedup.bands !== 0) throw new Error('config data.dedup: numPerm must be a multiple of bands');
  if (!(dedup.threshold > 0 && dedup.threshold <= 1)) throw new Error('config data.dedup.threshold: must be in (0, 1]');
  if (dc.ngramSizes.length === 0 || dc.ngramSizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error('config data.decontamination.ngramSizes: positive integers, at least one');
  }
  if (!['drop', 'report', 'off'].includes(dc.problemIds)) {
    throw new Error('config data.decontamination.problemIds: one of drop, report, off');
  }
  if (!(tactics.heldOutFraction >= 0 && tactics.heldOutFraction < 1)) {
    throw new Error('config data.tactics.heldOutFraction: must be in [0, 1)');
  }
  return config;
}

function checkEntry(entry: object, at: string, fields: Record<string, string>): void {
  const e = entry as Record<string, unknown>;
  for (const [field, type] of Object.entries(fields)) {
    if (typeof e[field] !== type) throw new Error(`config ${at}.${field}: expected a ${type}`);
  }
  if (e['kind'] !== 'jsonl' && e['kind'] !== 'folder') throw new Error(`config ${at}.kind: "jsonl" or "folder"`);
}

/** The data folder: the config's, else $LLEMMA_DATA_DIR, else ../shared/data beside the repository. */
export function resolveDataDir(config: TrainingConfig, env: NodeJS.ProcessEnv = process.env): string {
  const candidates = config.dataDir
    ? [config.dataDir]
    : [env['LLEMMA_DATA_DIR'], path.resolve(repoDir, '..', 'shared', 'data')];
  const found = candidates.find((d): d is string => typeof d === 'string' && d !== '' && existsSync(d));
  if (!found) {
    throw new Error(
      `no data folder: tried ${candidates.filter(Boolean).join(', ')} (set LLEMMA_DATA_DIR or "dataDir" in the config)`,
    );
  }
  return path.resolve(found);
}

/** A config path relative to `base` unless absolute. */
export function resolveIn(base: string, p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(base, p);
}
