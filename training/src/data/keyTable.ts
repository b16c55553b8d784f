/**
 * A hash set of 64-bit keys (given as two 32-bit halves) mapping to small non-negative integers, in typed arrays with
 * open addressing. Decontamination looks up every n-gram of a corpus (tens of millions) in it: a JavaScript `Map`
 * with number keys would box each 53-bit key into a heap number, and the garbage collector would then cost more
 * than the lookups. The halves are already well-mixed hashes, so the low bits of one pick the slot.
 */
export class KeyTable {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private values: Int32Array;
  private mask: number;
  size = 0;

  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
  }

  /** The value stored for the key, or -1. */
  get(hi: number, lo: number): number {
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.values[i] as number;
      if (v < 0) return -1;
      if (this.lo[i] === lo && this.hi[i] === hi) return v;
    }
  }

  /** Stores `value` (≥ 0) unless the key is present already (the first value for a key wins). */
  add(hi: number, lo: number, value: number): void {
    if ((this.size + 1) * 2 > this.values.length) this.grow();
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      if ((this.values[i] as number) < 0) {
        this.hi[i] = hi;
        this.lo[i] = lo;
        this.values[i] = value;
        this.size++;
        return;
      }
      if (this.lo[i] === lo && this.hi[i] === hi) return;
    }
  }

  private grow(): void {
    const { hi, lo, values } = this;
    const capacity = values.length * 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.values = new Int32Array(capacity).fill(-1);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < values.length; i++) {
      if ((values[i] as number) >= 0) this.add(hi[i] as number, lo[i] as number, values[i] as number);
    }
  }
}
