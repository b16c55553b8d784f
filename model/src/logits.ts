// Numeric helpers on one row of next-token logits. Log-probabilities are computed in float64 so that summing
// 256 of them adds no visible error to a candidate's score. The decoding loops call these once per row per step
// over the whole vocabulary (32 rows × 32 000 entries per beam-search step), so they allocate nothing that big
// and use a table-driven exp (ExpTable) instead of Math.exp, which is 3–4× slower in V8.

/** log-softmax of a whole row: a new array (tests and one-off use; the loops use logSumExp). */
export function logSoftmax(logits: Float32Array): Float64Array {
  const logZ = logSumExpMathExp(logits);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - logZ;
  return out;
}

/** The straightforward log Σ exp(v) with Math.exp: the reference the fast version is tested against. */
export function logSumExpMathExp(logits: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i]! - max);
  return max + Math.log(total);
}

// exp(x) for x ≤ 0 as 2^(n/N) · e^r with n = round(x·N/ln 2), |r| ≤ ln 2 / 2N: a 2048-entry table of 2^(j/N),
// a power of two for n >> 11, and a degree-4 polynomial for e^r (truncation error < 1e-20). ln 2 / N is split
// in a high part with few significant bits (n · high is exact) and a low part, as fdlibm does. Relative error
// ≈ 1e-16 · |x|: below 1e-14 for every term that matters in a sum whose largest term is 1.
const expBits = 11;
const expN = 1 << expBits;
const expInvStep = expN / Math.LN2;
const ln2Hi = 0.6931471803691238 / expN; // fdlibm ln2_hi (31 significant bits) / 2^11: exact
const ln2Lo = 1.9082149292705877e-10 / expN;
const roundShift = 6755399441055744; // 1.5 · 2^52: (y + shift) - shift rounds y to an integer
const expTable = Float64Array.from({ length: expN }, (_, j) => 2 ** (j / expN));
const pow2Offset = 1100;
const pow2 = Float64Array.from({ length: pow2Offset + 1 }, (_, i) => 2 ** (i - pow2Offset));
/** Terms below e^-700 cannot change a sum that contains 1 (and would leave the table's range). */
const expFloor = -700;

/** e^x for expFloor ≤ x ≤ 0 (exported for tests). */
export function expNonPositive(x: number): number {
  const nf = x * expInvStep + roundShift - roundShift;
  const n = nf | 0;
  const r = x - nf * ln2Hi - nf * ln2Lo;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24))));
  return p * expTable[n & (expN - 1)]! * pow2[(n >> expBits) + pow2Offset]!;
}

/**
 * log Σ exp(v) over the row, given its maximum (rowMax). NaN when the maximum is not finite, like the Math.exp
 * version. The log-probability of token t is `logits[t] - logSumExp(logits, max)`.
 */
export function logSumExp(logits: Float32Array, max: number): number {
  if (!Number.isFinite(max)) return Number.NaN;
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    const x = logits[i]! - max;
    // NaN fails the test and poisons the total, as it should.
    if (x < expFloor) continue;
    const nf = x * expInvStep + roundShift - roundShift;
    const n = nf | 0;
    const r = x - nf * ln2Hi - nf * ln2Lo;
    total +=
      (1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24))))) *
      expTable[n & (expN - 1)]! *
      pow2[(n >> expBits) + pow2Offset]!;
  }
  return max + Math.log(total);
}

/** The largest value of a row (NaN when it holds NaN). */
export function rowMax(values: Float32Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > max) max = v;
    else if (Number.isNaN(v)) return Number.NaN;
  }
  return max;
}

/** Index of the largest value (the lowest such index on ties). */
export function argmaxRow(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Indices of the k largest values, largest first; equal values keep index order (lower index first). */
export function topK(values: ArrayLike<number>, k: number): number[] {
  const size = Math.max(0, Math.min(k, values.length));
  if (size === 0) return [];
  const idx = new Int32Array(size);
  const val = new Float64Array(size);
  let filled = 0;
  // Below the k-th value kept, nothing enters; equal loses to the lower index already kept; NaN never enters.
  let threshold = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (filled === size && !(v > threshold)) continue;
    let at = filled === size ? size - 1 : filled;
    while (at > 0 && val[at - 1]! < v) {
      val[at] = val[at - 1]!;
      idx[at] = idx[at - 1]!;
      at--;
    }
    val[at] = v;
    idx[at] = i;
    if (filled < size) filled++;
    if (filled === size) threshold = val[size - 1]!;
  }
  return Array.from(idx.subarray(0, filled));
}

let sampleWeights = new Float64Array(0);

/** Draws an index from softmax(logits / temperature). */
export function sampleIndex(logits: Float32Array, temperature: number, random: () => number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits) if (v > max) max = v;
  // One scratch array reused across calls (single-threaded; filled completely before it is read).
  if (sampleWeights.length < logits.length) sampleWeights = new Float64Array(logits.length);
  const weights = sampleWeights;
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    weights[i] = Math.exp((logits[i]! - max) / temperature);
    total += weights[i]!;
  }
  let u = random() * total;
  for (let i = 0; i < logits.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  // Rounding can leave u at a hair above 0 after the last weight: the last index with weight wins.
  for (let i = logits.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
  return 0;
}
