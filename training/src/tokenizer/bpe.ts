/**
 * Byte-pair-encoding training over counted words: repeatedly merge the most frequent adjacent pair of pieces, as
 * SentencePiece's and Hugging Face's BPE trainers do. Encoding with the merges in the order learned (what
 * @huggingface/tokenizers' BPE model does) reproduces the training segmentation.
 *
 * The run is deterministic: ties between equally frequent pairs go to the pair whose pieces sort first. Pair
 * counts are kept up to date incrementally (only words containing the merged pair are touched) and the next pair
 * comes from a heap with lazy deletion, so thousands of merges over a large word list take seconds.
 */

import { MinHeap } from '@llemma/stdx';

export interface BpeOptions {
  /** Characters that are pieces from the start; others never merge (they become byte-fallback tokens). */
  alphabet: readonly string[];
  /** Stop once alphabet + merged pieces reach this many. */
  maxPieces: number;
  /** Stop when the best pair occurs fewer times than this. */
  minPairCount: number;
}

export interface BpeResult {
  /** Alphabet first, then each new piece in the order it was created. */
  pieces: string[];
  /** Merge rules in rank order. */
  merges: [string, string][];
}

const SHIFT = 2 ** 21;
const pairKey = (a: number, b: number) => a * SHIFT + b;

interface HeapEntry {
  count: number;
  key: number;
}

export function trainBpe(words: ReadonlyMap<string, number>, options: BpeOptions): BpeResult {
  const pieces: string[] = [];
  const idOf = new Map<string, number>();
  const addPiece = (p: string) => {
    let id = idOf.get(p);
    if (id === undefined) {
      id = pieces.length;
      pieces.push(p);
      idOf.set(p, id);
    }
    return id;
  };
  for (const c of options.alphabet) addPiece(c);

  // Words as arrays of piece ids; -1 stands for a character outside the alphabet, which pairs with nothing.
  const symbols: number[][] = [];
  const counts: number[] = [];
  for (const [w, n] of words) {
    symbols.push(Array.from(w, (c) => idOf.get(c) ?? -1));
    counts.push(n);
  }
  const pairCounts = new Map<number, number>();
  const where = new Map<number, number[]>();
  const pairsOf = (s: readonly number[]) => {
    const out: number[] = [];
    for (let i = 0; i + 1 < s.length; i++) {
      const a = s[i] as number;
      const b = s[i + 1] as number;
      if (a >= 0 && b >= 0) out.push(pairKey(a, b));
    }
    return out;
  };
  symbols.forEach((s, w) => {
    const n = counts[w] as number;
    for (const k of new Set(pairsOf(s))) {
      const list = where.get(k);
      if (list) list.push(w);
      else where.set(k, [w]);
    }
    for (const k of pairsOf(s)) pairCounts.set(k, (pairCounts.get(k) ?? 0) + n);
  });

  const before = (x: HeapEntry, y: HeapEntry): boolean => {
    if (x.count !== y.count) return x.count > y.count;
    const xa = pieces[Math.floor(x.key / SHIFT)] as string;
    const ya = pieces[Math.floor(y.key / SHIFT)] as string;
    if (xa !== ya) return xa < ya;
    return (pieces[x.key % SHIFT] as string) < (pieces[y.key % SHIFT] as string);
  };
  const heap = new MinHeap<HeapEntry>(before);
  for (const [key, count] of pairCounts) heap.push({ count, key });

  const merges: [string, string][] = [];
  const ruleSeen = new Set<string>();
  const seenStamp = new Int32Array(symbols.length).fill(-1);
  let stamp = 0;
  while (pieces.length < options.maxPieces) {
    // Entries whose count is no longer the pair's current count are stale: skip them.
    let best = heap.pop();
    while (best !== undefined && pairCounts.get(best.key) !== best.count) best = heap.pop();
    if (!best || best.count < options.minPairCount) break;
    const a = Math.floor(best.key / SHIFT);
    const b = best.key % SHIFT;
    const left = pieces[a] as string;
    const right = pieces[b] as string;
    const merged = addPiece(left + right);
    // A pair can come back when a merge re-creates an existing piece; its rule is already there, at a better rank.
    const rule = `${left} ${right}`;
    if (!ruleSeen.has(rule)) {
      ruleSeen.add(rule);
      merges.push([left, right]);
    }
    const changed = new Set<number>();
    stamp++;
    for (const w of where.get(best.key) ?? []) {
      if (seenStamp[w] === stamp) continue;
      seenStamp[w] = stamp;
      const old = symbols[w] as number[];
      const next: number[] = [];
      for (let i = 0; i < old.length; i++) {
        if (old[i] === a && old[i + 1] === b) {
          next.push(merged);
          i++;
        } else {
          next.push(old[i] as number);
        }
      }
      if (next.length === old.length) continue;
      symbols[w] = next;
      const n = counts[w] as number;
      const diff = new Map<number, number>();
      for (const k of pairsOf(old)) diff.set(k, (diff.get(k) ?? 0) - 1);
      const oldSet = new Set(diff.keys());
      for (const k of pairsOf(next)) diff.set(k, (diff.get(k) ?? 0) + 1);
      for (const [k, d] of diff) {
        if (d === 0) continue;
        pairCounts.set(k, (pairCounts.get(k) ?? 0) + d * n);
        changed.add(k);
        if (!oldSet.has(k)) {
          const list = where.get(k);
          if (list) list.push(w);
          else where.set(k, [w]);
        }
      }
    }
    pairCounts.delete(best.key);
    where.delete(best.key);
    for (const k of changed) {
      const count = pairCounts.get(k) ?? 0;
      if (count > 0) heap.push({ count, key: k });
      else pairCounts.delete(k);
    }
  }
  return { pieces, merges };
}
