/**
 * Results files: JSON Lines, one `BenchmarkRecord` per finished problem, appended the moment it ends. A process killed
 * while writing leaves at most one torn line, at the end, without its newline; reading reports it and the runner cuts
 * it off before appending, so that problem simply runs again. Records of one file, and files merged into one, must
 * come from one configuration (variant, model, budget, Lean and Mathlib), or their numbers would mean nothing.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import {
  type BenchmarkRecord,
  benchmarkRecordFormat,
  benchmarkStatuses,
  LlemmaErrorCode,
  miniF2FSplits,
  miniF2FVariantIds,
} from '../../protocol';
import { LlemmaError } from '../errors';
import { problemKey } from './problems';

export interface ResultsRead {
  records: BenchmarkRecord[];
  /** Bytes of a last line without its newline (a write cut short), which `records` leaves out; 0 when none. */
  tornTailBytes: number;
  /** Length of the file up to the end of its last complete line. */
  completeBytes: number;
}

/** The records of a results file; a missing file has none. A malformed complete line is an error (with its number). */
export function readResults(file: string): ResultsRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], tornTailBytes: 0, completeBytes: 0 };
    throw new LlemmaError(LlemmaErrorCode.ResultsFileError, `${file} cannot be read: ${(err as Error).message}`);
  }
  const completeBytes = bytes.lastIndexOf(0x0a) + 1;
  const lines = bytes.subarray(0, completeBytes).toString('utf8').split('\n');
  const records: BenchmarkRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new LlemmaError(LlemmaErrorCode.ResultsFileError, `${file}:${i + 1} is not JSON: not a results file.`);
    }
    const problem = recordProblem(value);
    if (problem) throw new LlemmaError(LlemmaErrorCode.ResultsFileError, `${file}:${i + 1} ${problem}`);
    records.push(value as BenchmarkRecord);
  });
  return { records, tornTailBytes: bytes.length - completeBytes, completeBytes };
}

/** What is wrong with a parsed line as a record, or undefined when it is one. */
function recordProblem(v: unknown): string | undefined {
  const r = v as Partial<Record<keyof BenchmarkRecord, unknown>> | null;
  if (typeof r !== 'object' || r === null || r.format !== benchmarkRecordFormat) {
    return `is not a miniF2F result of this format (${benchmarkRecordFormat}).`;
  }
  if (!miniF2FVariantIds.includes(r.variant as never)) return `names an unknown variant ${String(r.variant)}.`;
  if (!miniF2FSplits.includes(r.split as never)) return `names an unknown split ${String(r.split)}.`;
  if (!benchmarkStatuses.includes(r.status as never)) return `has an unknown status ${String(r.status)}.`;
  if (typeof r.problem !== 'string') return 'names no problem.';
  if (!Array.isArray(r.proof) || !r.proof.every((t) => typeof t === 'string')) return 'has no proof list.';
  if (r.sources !== undefined && (!Array.isArray(r.sources) || !r.sources.every((t) => typeof t === 'string'))) {
    return 'has sources that are not a list of strings.';
  }
  for (const k of ['wallMs', 'expansions', 'tacticsRun'] as const) {
    if (typeof r[k] !== 'number' || !Number.isFinite(r[k])) return `has no number ${k}.`;
  }
  if (typeof r.model !== 'object' || r.model === null || typeof r.budget !== 'object' || r.budget === null) {
    return 'does not say which model and budget produced it.';
  }
  return undefined;
}

/** Cuts a torn last line off, so the next record starts on a line of its own. */
export function repairTail(file: string, read: ResultsRead): void {
  if (read.tornTailBytes > 0 && statSync(file).size > read.completeBytes) truncateSync(file, read.completeBytes);
}

/** Appends records, each written whole in one call and flushed to disk before the next problem is counted. */
export class ResultsWriter {
  private readonly fd: number;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a');
  }

  append(record: BenchmarkRecord): void {
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** A model's name as results compare it: a server's URL, or a model folder's last component (paths differ by machine). */
export function modelName(source: string): string {
  if (/^https?:\/\//.test(source)) return source.replace(/\/+$/, '');
  return source.split(/[\\/]/).filter(Boolean).pop() ?? source;
}

/** What must be equal for two records to be counted together. */
export function configOf(r: BenchmarkRecord): Record<string, string> {
  const b = r.budget;
  return {
    variant: r.variant,
    model: `${modelName(r.model.source)} (prompt ${r.model.promptFormat})`,
    budget: `${b.candidatesPerExpansion} candidates × ${b.maxExpansions} expansions, ${b.timeLimitMs / 1000} s, native_decide ${b.allowNativeDecide ? 'allowed' : 'forbidden'}`,
    lean: r.prover.lean ?? 'unknown',
    mathlib: r.prover.mathlib ?? 'unknown',
  };
}

/** How two configurations differ, in words; empty when they are the same. */
export function configDifferences(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys(a)
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k}: ${a[k]} vs ${b[k]}`);
}

/**
 * The records of several results files as one set: one record per problem, in the variants' order of split and name.
 * A problem in two files must have ended alike (status and proof); every record must share one configuration.
 */
export function mergeRecords(files: { file: string; records: BenchmarkRecord[] }[]): BenchmarkRecord[] {
  const byKey = new Map<string, { record: BenchmarkRecord; file: string }>();
  let first: { config: Record<string, string>; file: string } | undefined;
  for (const { file, records } of files) {
    for (const record of records) {
      const config = configOf(record);
      if (!first) first = { config, file };
      const differ = configDifferences(first.config, config);
      if (differ.length > 0) {
        throw new LlemmaError(
          LlemmaErrorCode.ResultsFileError,
          `${file} and ${first.file} hold results of different runs (${differ.join('; ')}); they cannot be merged.`,
        );
      }
      const key = `${record.variant}/${problemKey(record)}`;
      const seen = byKey.get(key);
      if (!seen) {
        byKey.set(key, { record, file });
      } else if (seen.record.status !== record.status || seen.record.proof.join('\n') !== record.proof.join('\n')) {
        throw new LlemmaError(
          LlemmaErrorCode.ResultsFileError,
          `${record.problem} (${record.split}) ended differently in ${seen.file} (${seen.record.status}) and ${file} ` +
            `(${record.status}); keep one of the two runs.`,
        );
      }
    }
  }
  const order = (r: BenchmarkRecord) => `${miniF2FSplits.indexOf(r.split)}/${r.problem}`;
  return [...byKey.values()]
    .map((v) => v.record)
    .sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}
