/**
 * Small, fast, deterministic hashing for the data pipeline. Keys are "64-bit-ish": two independent 32-bit hashes
 * packed into one JavaScript number (21 + 32 = 53 bits, the most a double holds exactly), so they can live in a
 * plain `Set<number>`/`Map<number, …>` without BigInt's cost. At 53 bits, a few hundred thousand benchmark n-grams
 * against tens of millions of corpus n-grams give an expected number of false hits well below one, and every hit is
 * checked against the real tokens anyway.
 */

/** Packs two 32-bit hashes into one exactly representable number (the low 21 bits of `hi`, all 32 of `lo`). */
export function pack53(hi: number, lo: number): number {
  return (hi & 0x1fffff) * 0x100000000 + (lo >>> 0);
}

/** MurmurHash3's finaliser: spreads every input bit over the whole word, so weak hashes become usable keys. */
export function fmix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Two independent 32-bit FNV-1a style hashes of a string's UTF-16 units (different offsets and primes). */
export function hashString2(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return [fmix32(a), fmix32(b ^ s.length)];
}

/** A 53-bit key of a string, e.g. a file path for the train/held-out split. */
export function hashString53(s: string, seed = 0): number {
  const [a, b] = hashString2(`${seed}\u0000${s}`);
  return pack53(a, b);
}

/** A uniform number in [0, 1) from a string and a seed: the same on every machine and every run. */
export function unitInterval(s: string, seed: number): number {
  return hashString53(s, seed) / 2 ** 53;
}

/**
 * splitmix32: a tiny seeded PRNG with good statistical quality. Used for MinHash parameters, upsampling and shuffles,
 * so that a run is a pure function of its inputs and its seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 0x100000000;
  };
}

/** Fisher–Yates with a seeded generator. Returns a new array. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
}
