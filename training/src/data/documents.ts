/**
 * Reading corpora into documents. A source is either a JSONL file of `{path, text}` rows (how mathlib4 and compfiles
 * are stored) or a folder of files with chosen extensions (`.lean`, `.thy`, `.tex`, `.md`), read recursively in
 * sorted order so that the document order, and with it every "keep the first copy" decision, is the same on every
 * machine.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

export interface Document {
  /** The source's name from the config (`mathlib4`, `compfiles`, …). */
  source: string;
  /** The file's path inside its source: the JSONL row's `path`, or the path relative to the folder. */
  path: string;
  text: string;
  /** Lean 4 source, from which tactic examples can be extracted. */
  isLean: boolean;
}

export interface SourceSpec {
  name: string;
  /** `jsonl`: one `{path, text}` object per line. `folder`: files under a directory. */
  kind: 'jsonl' | 'folder';
  /** Absolute path (the config resolves it against the data folder). */
  path: string;
  /** For folders: which files to read, by ending (`.lean`). */
  extensions: readonly string[];
}

/** Reads every document of a source, in a deterministic order. */
export async function readSource(spec: SourceSpec): Promise<Document[]> {
  if (spec.kind === 'jsonl') return readJsonlSource(spec);
  return listFiles(spec.path, spec.extensions).map((rel) => {
    const text = readFileSync(path.join(spec.path, rel), 'utf8');
    return { source: spec.name, path: rel, text, isLean: rel.endsWith('.lean') };
  });
}

async function readJsonlSource(spec: SourceSpec): Promise<Document[]> {
  const docs: Document[] = [];
  let line = 0;
  for await (const row of jsonlRows(spec.path)) {
    line++;
    const p = row['path'];
    const text = row['text'];
    if (typeof p !== 'string' || typeof text !== 'string') {
      throw new Error(`${spec.path}:${line}: each row needs string fields "path" and "text"`);
    }
    docs.push({ source: spec.name, path: p, text, isLean: p.endsWith('.lean') });
  }
  return docs;
}

/**
 * The objects of a JSONL file, streamed (corpora can be larger than one string may be). Python's `json.dump` writes
 * `NaN` for missing numbers, which is not JSON; such values are read as null.
 */
export async function* jsonlRows(file: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = raw.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      try {
        value = JSON.parse(line.replace(/:\s*NaN\b/g, ': null'));
      } catch (e) {
        throw new Error(`${file}:${n}: not JSON (${(e as Error).message})`);
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${file}:${n}: expected a JSON object per line`);
    }
    yield value as Record<string, unknown>;
  }
}

/** Paths (relative, `/`-separated, sorted) of the files under `root` whose names end with one of `extensions`. */
export function listFiles(root: string, extensions: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const entries = readdirSync(path.join(root, rel)).sort();
    for (const name of entries) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const stat = statSync(path.join(root, childRel));
      if (stat.isDirectory()) walk(childRel);
      else if (extensions.some((ext) => name.endsWith(ext))) out.push(childRel);
    }
  };
  walk('');
  return out;
}
