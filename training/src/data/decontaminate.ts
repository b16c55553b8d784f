/**
 * Benchmark decontamination by n-gram overlap on normalised tokens (tokens.ts), as GPT-3 (13-grams) and the Llemma
 * paper (30-grams) did. Every n-gram of every benchmark text goes into a map from its 53-bit key to where it came from;
 * a document is scanned with rolling hashes, and every hit is confirmed on the real tokens before it counts, so a hash
 * collision can never drop a document. Files named like a benchmark problem (`Imo1959P1.lean`) are reported too:
 * two formalisations of one olympiad problem often share no long n-gram at all.
 */
import { type BenchmarkItem, problemId } from './benchmarks';
import { KeyTable } from './keyTable';
import { ngramHashes, type TokenHashes, tokenHashes, tokenStrings } from './tokens';

export interface Overlap {
  kind: 'ngram' | 'problem-id';
  /** The n-gram size (tokens); 0 for problem-id matches. */
  n: number;
  source: string;
  path: string;
  /** The benchmark item's name (`imo_1959_p1`), its split and the benchmark file and field the text came from. */
  item: string;
  split: string;
  benchmark: string;
  field: string;
  /** How many n-gram windows of the document matched this item. */
  windows: number;
  /** 1-based line of the first match in the document (1 for problem-id matches). */
  line: number;
  /** The first matched n-gram, as normalised tokens joined by spaces; for problem ids, the two names. */
  ngram: string;
  /** The longest run of consecutive matched windows, as normalised text (cut at `maxSpanChars`). */
  span: string;
}

const maxSpanChars = 400;

export class ContaminationIndex {
  private readonly tables = new Map<number, KeyTable>();
  /** Entry k of every table: the benchmark item and the index of the n-gram's first unit in it. */
  private readonly entryItem: number[] = [];
  private readonly entryStart: number[] = [];
  private readonly itemTokens: string[][];
  private readonly problems = new Map<string, number>();

  constructor(
    private readonly items: readonly BenchmarkItem[],
    readonly ngramSizes: readonly number[],
    private readonly aliases: Readonly<Record<string, string>> = {},
  ) {
    this.itemTokens = items.map((it) => tokenStrings(it.text).tokens);
    const hashes = items.map((it) => tokenHashes(it.text));
    for (const n of ngramSizes) {
      const table = new KeyTable();
      hashes.forEach((h, item) => {
        const keys = ngramHashes(h, n);
        // The first item to contain an n-gram names it; the same statement recurs across miniF2F ports.
        for (let start = 0; start < keys.count; start++) {
          const before = table.size;
          table.add(keys.hi[start] as number, keys.lo[start] as number, this.entryItem.length);
          if (table.size > before) {
            this.entryItem.push(item);
            this.entryStart.push(start);
          }
        }
      });
      this.tables.set(n, table);
    }
    items.forEach((it, item) => {
      const id = problemId(it.name, aliases);
      if (id !== undefined && !this.problems.has(id)) this.problems.set(id, item);
    });
  }

  /** Distinct n-grams indexed per size, for the report. */
  sizes(): Record<number, number> {
    return Object.fromEntries([...this.tables].map(([n, t]) => [n, t.size]));
  }

  /** The n-gram overlaps of one document, confirmed on tokens, one record per (benchmark item, n). */
  scan(doc: { source: string; path: string; text: string }, hashes: TokenHashes): Overlap[] {
    const hits: { n: number; pos: number; entry: number }[] = [];
    for (const [n, table] of this.tables) {
      const { count, hi, lo } = ngramHashes(hashes, n);
      for (let pos = 0; pos < count; pos++) {
        const entry = table.get(hi[pos] as number, lo[pos] as number);
        if (entry >= 0) hits.push({ n, pos, entry });
      }
    }
    if (hits.length === 0) return [];
    const { tokens, offsets, lowered } = tokenStrings(doc.text);
    const groups = new Map<string, { n: number; item: number; positions: number[]; start: number }>();
    for (const { n, pos, entry } of hits) {
      const item = this.entryItem[entry] as number;
      const start = this.entryStart[entry] as number;
      const bench = this.itemTokens[item] ?? [];
      let same = true;
      for (let k = 0; k < n && same; k++) same = tokens[pos + k] === bench[start + k];
      if (!same) continue;
      const key = `${n}\u0000${this.items[item]?.name}`;
      const group = groups.get(key) ?? { n, item, positions: [], start };
      group.positions.push(pos);
      groups.set(key, group);
    }
    return [...groups.values()].map(({ n, item, positions, start }) => {
      const it = this.items[item] as BenchmarkItem;
      const first = positions[0] ?? 0;
      const run = longestRun(positions);
      const spanTokens = tokens.slice(run.from, run.to + n);
      return {
        kind: 'ngram',
        n,
        source: doc.source,
        path: doc.path,
        item: it.name,
        split: it.split,
        benchmark: it.benchmark,
        field: it.field,
        windows: positions.length,
        line: lineAt(lowered, offsets[first] ?? 0),
        ngram: (this.itemTokens[item] ?? []).slice(start, start + n).join(' '),
        span: cut(spanTokens.join(' ')),
      };
    });
  }

  /** The benchmark problem a document's file name stands for, if any. */
  problemMatch(doc: { source: string; path: string }): Overlap | undefined {
    const id = problemId(doc.path, this.aliases);
    const item = id === undefined ? undefined : this.problems.get(id);
    if (item === undefined) return undefined;
    const it = this.items[item] as BenchmarkItem;
    const stem = doc.path.replace(/^.*\//, '').replace(/\.[^.]*$/, '');
    return {
      kind: 'problem-id',
      n: 0,
      source: doc.source,
      path: doc.path,
      item: it.name,
      split: it.split,
      benchmark: it.benchmark,
      field: 'name',
      windows: 0,
      line: 1,
      ngram: `${stem} ~ ${it.name} (${id})`,
      span: '',
    };
  }
}

/** The longest stretch of consecutive window positions (positions are increasing). */
function longestRun(positions: readonly number[]): { from: number; to: number } {
  let best = { from: positions[0] ?? 0, to: positions[0] ?? 0 };
  let from = best.from;
  for (let i = 1; i < positions.length; i++) {
    const p = positions[i] ?? 0;
    if (p !== (positions[i - 1] ?? 0) + 1) from = p;
    if (p - from > best.to - best.from) best = { from, to: p };
  }
  return best;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function cut(s: string): string {
  return s.length <= maxSpanChars ? s : `${s.slice(0, maxSpanChars - 1)}…`;
}
