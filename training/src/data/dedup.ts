/**
 * Duplicate removal. Exact duplicates: equal hashes of the normalised text (lowercase, whitespace collapsed). Near
 * duplicates: MinHash signatures of word 5-shingles (five words with the symbols after each, see tokens.ts), banded
 * into an LSH index; a document whose estimated Jaccard similarity with an earlier one reaches the threshold is
 * dropped. The first copy in document order is kept.
 *
 * The signature is one-permutation MinHash with optimal densification (Shrivastava, ICML 2017): every shingle is
 * hashed once and goes to one of `numPerm` bins, which keeps its minimum; empty bins borrow a deterministic other
 * bin's value. Its collision probability per bin equals the Jaccard similarity, like `numPerm` independent
 * permutations, at the cost of one hash per shingle instead of `numPerm` (a 70 MB corpus has ~8 M word shingles).
 */
import { fmix32, pack53, seededRandom } from './hashing';
import { ngramHashes, type TokenHashes } from './tokens';

/**
 * The exact-duplicate key: a 64-bit hash of the normalised text (lowercase, whitespace runs as one space, trimmed)
 * and its length, taken while tokenising. Equal for texts that differ only in case and whitespace; with 64 bits, a
 * false match among even millions of documents is improbable (n² / 2⁶⁵).
 */
export function exactKey(tokens: TokenHashes): string {
  return tokens.exact;
}

export interface MinHasher {
  numPerm: number;
  signature(tokens: TokenHashes): Uint32Array | undefined;
}

/** A MinHash function for a seed; the same seed gives the same signatures in every run. */
export function minHasher(numPerm: number, shingleSize: number, seed: number): MinHasher {
  const random = seededRandom(seed);
  const salt = Math.floor(random() * 0x100000000) | 0;
  // For each bin, the fixed order in which empty bins look for a filled one to borrow from.
  const probe = (bin: number, attempt: number) =>
    fmix32(Math.imul(bin + 1, 0x9e3779b9) ^ Math.imul(attempt, 0x85ebca6b) ^ salt) % numPerm;
  return {
    numPerm,
    signature(tokens) {
      const shingles = ngramHashes(tokens, shingleSize).lo;
      if (shingles.length === 0) return undefined;
      const sig = new Uint32Array(numPerm).fill(0xffffffff);
      const filled = new Uint8Array(numPerm);
      for (let i = 0; i < shingles.length; i++) {
        const h = fmix32((shingles[i] as number) ^ salt);
        // The bin from the high bits, the value from the rest: independent parts of one well-mixed hash.
        const bin = Math.floor((h / 0x100000000) * numPerm);
        const value = fmix32(h ^ 0x5bd1e995);
        if (value < (sig[bin] ?? 0) || filled[bin] === 0) sig[bin] = value;
        filled[bin] = 1;
      }
      for (let bin = 0; bin < numPerm; bin++) {
        if (filled[bin] === 1) continue;
        for (let attempt = 1; ; attempt++) {
          const from = probe(bin, attempt);
          if (filled[from] === 1) {
            // Offset by the attempt so that two empty bins borrowing the same bin do not always agree.
            sig[bin] = fmix32((sig[from] ?? 0) + attempt);
            break;
          }
        }
      }
      return sig;
    },
  };
}

/** The share of equal positions: an unbiased estimate of the Jaccard similarity of the shingle sets. */
export function estimatedJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

export interface NearMatch {
  /** Index (as given to `add`) of the kept document this one nearly duplicates. */
  of: number;
  similarity: number;
}

/**
 * LSH over MinHash signatures: `bands` bands of `numPerm / bands` rows. Two documents become candidates when any band
 * is equal; candidates are confirmed on the whole signature. With 32 bands of 4 rows a pair at similarity 0.8 becomes
 * a candidate with probability 1 − (1 − 0.8⁴)³² > 0.999, so nearly nothing above the threshold is missed.
 */
export class LshIndex {
  private readonly rows: number;
  private readonly buckets: Map<number, number[]>[];
  private readonly signatures = new Map<number, Uint32Array>();

  constructor(
    numPerm: number,
    private readonly bands: number,
    private readonly threshold: number,
  ) {
    this.rows = numPerm / bands;
    this.buckets = Array.from({ length: bands }, () => new Map());
  }

  /** The most similar indexed document at or above the threshold (the earliest on ties), if any. */
  query(sig: Uint32Array): NearMatch | undefined {
    const seen = new Set<number>();
    let best: NearMatch | undefined;
    for (let band = 0; band < this.bands; band++) {
      for (const id of this.buckets[band]?.get(this.bandKey(sig, band)) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const similarity = estimatedJaccard(sig, this.signatures.get(id) as Uint32Array);
        const better = !best || similarity > best.similarity || (similarity === best.similarity && id < best.of);
        if (similarity >= this.threshold && better) best = { of: id, similarity };
      }
    }
    return best;
  }

  add(id: number, sig: Uint32Array): void {
    this.signatures.set(id, sig);
    for (let band = 0; band < this.bands; band++) {
      const key = this.bandKey(sig, band);
      const bucket = this.buckets[band] as Map<number, number[]>;
      const ids = bucket.get(key);
      if (ids) ids.push(id);
      else bucket.set(key, [id]);
    }
  }

  private bandKey(sig: Uint32Array, band: number): number {
    let a = 0x811c9dc5;
    let b = band + 1;
    for (let r = band * this.rows; r < (band + 1) * this.rows; r++) {
      a = Math.imul(a ^ (sig[r] ?? 0), 0x01000193);
      b = Math.imul(b ^ (sig[r] ?? 0), 0x5bd1e995);
    }
    return pack53(fmix32(a), fmix32(b));
  }
}
