// Random numbers from a seed, the same on every machine: the model runtime's sampling, the tiny test model's weights,
// the tokenizer trainer's corpus sample and the fuzz tests use this one generator, so a seed names one sequence.

/** A 32-bit seeded PRNG (mulberry32): uniform floats in [0, 1), the same sequence on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
