/**
 * Benchmark items to keep out of the training data: each is a named problem (miniF2F's `imo_1959_p1`) with the texts
 * that must not leak (formal statement, informal statement, known proofs), from JSONL files or folders of files.
 * Also the problem ids that olympiad file names carry, so that `Compfiles/Imo1959P1.lean` is recognised as miniF2F's
 * `imo_1959_p1` even where the two formalisations share no long n-gram.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BenchmarkConfig } from '../run/config';
import { jsonlRows, listFiles } from './documents';

export interface BenchmarkItem {
  /** The problem's name, e.g. `imo_1959_p1`. */
  name: string;
  split: string;
  /** The benchmark file it came from (the config entry's name). */
  benchmark: string;
  /** Which field of the row this text is (`formal_statement`, `informal_prefix`, or `file`). */
  field: string;
  text: string;
}

/** Reads a benchmark's items; `dataDir` resolves a relative path. Missing files are an error, never a silent skip. */
export async function readBenchmark(spec: BenchmarkConfig, dataDir: string): Promise<BenchmarkItem[]> {
  const file = path.isAbsolute(spec.path) ? spec.path : path.join(dataDir, spec.path);
  const splits = spec.splits ?? [];
  const keep = (split: string) => splits.length === 0 || splits.includes(split);
  const items: BenchmarkItem[] = [];
  if (spec.kind === 'folder') {
    for (const rel of listFiles(file, spec.extensions ?? ['.lean', '.thy'])) {
      const name = path.basename(rel).replace(/\.[^.]*$/, '');
      // A folder's layout may say the split (`test/…`, `valid/…`); otherwise it is unknown.
      const split = /(?:^|\/)(test|valid)\//.exec(rel)?.[1] ?? 'unknown';
      if (!keep(split)) continue;
      items.push({
        name,
        split,
        benchmark: spec.name,
        field: 'file',
        text: readFileSync(path.join(file, rel), 'utf8'),
      });
    }
    return items;
  }
  const nameField = spec.nameField ?? 'name';
  const textFields = spec.textFields ?? ['formal_statement'];
  let row = 0;
  for await (const r of jsonlRows(file)) {
    row++;
    const name = r[nameField];
    if (typeof name !== 'string') throw new Error(`${file}:${row}: no string field "${nameField}"`);
    const split =
      spec.splitField && typeof r[spec.splitField] === 'string' ? (r[spec.splitField] as string) : 'unknown';
    if (!keep(split)) continue;
    for (const field of textFields) {
      const text = r[field];
      if (typeof text === 'string' && text.trim() !== '') {
        items.push({ name, split, benchmark: spec.name, field, text });
      }
    }
  }
  return items;
}

// `imo_1959_p1`, `amc12a_2019_p21`, `aimeI_2001_p3`, `Imo1959P1`, Mathlib Archive's `Imo1962Q1`: contest, year, problem.
const problemIdPattern = /^([a-z][a-z0-9]*?)_?((?:19|20)\d\d)_?[pq](\d+)(?:_.*)?$/;

/**
 * The contest-year-problem id a name stands for (`imo-1959-1`), or undefined for names that are not olympiad problem
 * names (`mathd_algebra_107`, `Mathlib/Order/Basic.lean`). `aliases` maps contest names that differ between sources.
 */
export function problemId(nameOrPath: string, aliases: Readonly<Record<string, string>> = {}): string | undefined {
  const stem = path
    .basename(nameOrPath)
    .replace(/\.[^.]*$/, '')
    .toLowerCase();
  const m = problemIdPattern.exec(stem);
  if (!m) return undefined;
  const contest = m[1] ?? '';
  return `${aliases[contest] ?? contest}-${m[2]}-${Number(m[3])}`;
}
