/**
 * A run's configuration read from one JSON override file (or the defaults): never code, so a config cannot run
 * anything. An override is merged into the defaults key by key; objects merge, arrays and scalars replace, and a key
 * the defaults do not have is an error (a typo must not silently fall back to a default). The model-stage keys are
 * split off and merged into `defaultStages` with the same rules; the rest is the data stage's `TrainingConfig`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type ModelStagesConfig, type RunConfig, type TrainingConfig, unknownGoalQueries } from './config';
import { defaultConfig, defaultStages } from './defaults';
import { runDirOf } from './layout';

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

const stageKeys = [
  'index',
  'calibrate',
  'evalSources',
  'tokenizer',
  'pack',
  'model',
  'train',
  'export',
  'eval',
] as const;

/** The run's config from an override file (or the defaults), split between the data stage and the model stages. */
export function loadRunConfig(file?: string): RunConfig {
  let parsed: Record<string, unknown> = {};
  if (file) {
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${file}: expected a JSON object`);
    }
  }
  const dataPart: Record<string, unknown> = {};
  const stagePart: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if ((stageKeys as readonly string[]).includes(k)) stagePart[k] = v;
    else dataPart[k] = v;
  }
  const stages = mergeStages(stagePart);
  const data = file ? loadDataConfig(file, dataPart, Object.keys(stagePart).length > 0) : loadConfig();
  return { data, stages, runDir: runDirOf(data) };
}

function mergeStages(part: Record<string, unknown>): ModelStagesConfig {
  const { model, train, ...rest } = part;
  // model and train are open objects for Python; everything else is checked key by key against the defaults.
  const merged = mergeConfig(structuredClone(defaultStages), { ...rest });
  for (const [key, value] of [
    ['model', model],
    ['train', train],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`config ${key}: expected an object`);
    }
  }
  if (train !== undefined) merged.train.train = { ...merged.train.train, ...(train as object) };
  if (model !== undefined) merged.train.model = { ...merged.train.model, ...(model as object) };
  const { pack, tokenizer, index } = merged;
  if (!(index.heldAsideFraction > 0 && index.heldAsideFraction < 1)) {
    throw new Error('config index.heldAsideFraction: a number between 0 and 1');
  }
  if (!['keep', 'drop'].includes(index.retrieval.unmatched)) {
    throw new Error('config index.retrieval.unmatched: "keep" or "drop"');
  }
  const { evalSources } = merged;
  if (!['heldout', 'heldaside'].includes(evalSources.split)) {
    throw new Error('config evalSources.split: "heldout" or "heldaside"');
  }
  if (!['all', 'first'].includes(evalSources.steps)) {
    throw new Error('config evalSources.steps: "all" or "first"');
  }
  if (typeof evalSources.model !== 'boolean') throw new Error('config evalSources.model: true or false');
  if (typeof evalSources.card !== 'boolean') throw new Error('config evalSources.card: true or false');
  if (!unknownGoalQueries.includes(evalSources.unknownGoal)) {
    throw new Error(`config evalSources.unknownGoal: one of ${unknownGoalQueries.join(', ')}`);
  }
  if (!Number.isInteger(pack.seqLen) || pack.seqLen < 8) throw new Error('config pack.seqLen: an integer ≥ 8');
  const share = pack.goalKnownShare;
  if (share !== null && !(share >= 0 && share <= 1)) {
    throw new Error('config pack.goalKnownShare: a number from 0 to 1');
  }
  if (!Number.isInteger(pack.maxTargetTokens) || pack.maxTargetTokens < 0) {
    throw new Error('config pack.maxTargetTokens: a whole number ≥ 0 (0: no limit)');
  }
  if (tokenizer.vocabSize < 300 || tokenizer.vocabSize > 65535) {
    throw new Error('config tokenizer.vocabSize: between 300 and 65535 (ids are stored as uint16)');
  }
  return merged;
}

// loadConfig reads its overrides from a file (and resolves a relative dataDir against that file's folder), so when the
// file also holds model-stage keys the data part is handed to it as a temporary file of its own.
function loadDataConfig(file: string, dataPart: Record<string, unknown>, hasStageKeys: boolean): TrainingConfig {
  if (!hasStageKeys) return loadConfig(file);
  const dataDir = dataPart['dataDir'];
  const part =
    typeof dataDir === 'string'
      ? { ...dataPart, dataDir: path.resolve(path.dirname(path.resolve(file)), dataDir) }
      : dataPart;
  const dir = mkdtempSync(path.join(tmpdir(), 'llemma-config-'));
  try {
    const tmp = path.join(dir, path.basename(file));
    writeFileSync(tmp, JSON.stringify(part));
    return loadConfig(tmp);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
