/**
 * Comparing two models' next-token logits (ONNX Runtime's against PyTorch's): the largest difference, the spread of
 * the reference, the divergence of the two distributions and whether they agree on the best token. The export and
 * the conversion check their folders with these.
 */

/** Largest |a[i] − b[i]| over the first `n` entries (default: all of `a`); infinite when `b` is shorter. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  if (b.length < n || a.length < n) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

export function argmax(a: ArrayLike<number>, n = a.length): number {
  let best = 0;
  for (let i = 1; i < n; i++) if ((a[i] as number) > (a[best] as number)) best = i;
  return best;
}

/** Root mean square of the first `n` entries around their mean: the scale differences are measured against. */
export function spread(a: ArrayLike<number>, n = a.length): number {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i] as number;
  mean /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += ((a[i] as number) - mean) ** 2;
  return Math.sqrt(s / n);
}

function logSoftmax(a: ArrayLike<number>, n: number): Float64Array {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) m = Math.max(m, a[i] as number);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp((a[i] as number) - m);
  const z = m + Math.log(s);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (a[i] as number) - z;
  return out;
}

/** KL(reference ‖ candidate) of the next-token distributions, in nats, over the first `n` logits. */
export function klDivergence(reference: ArrayLike<number>, candidate: ArrayLike<number>, n: number): number {
  const p = logSoftmax(reference, n);
  const q = logSoftmax(candidate, n);
  let kl = 0;
  for (let i = 0; i < n; i++) kl += Math.exp(p[i] as number) * ((p[i] as number) - (q[i] as number));
  return Math.max(0, kl);
}
