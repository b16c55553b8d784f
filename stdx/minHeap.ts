/**
 * A binary min-heap ordered by a caller-given comparison. The best-first search and the tokenizer trainer need only
 * push, pop and size, and keeping the heap here (rather than a dependency) keeps their order fully specified by code
 * we test.
 */
export class MinHeap<T> {
  /** The heap array: `items[i]` is never greater than its children `items[2i+1]` and `items[2i+2]`. */
  private readonly items: T[] = [];

  /** `less(a, b)` must be a strict weak order; equal elements come out in an unspecified order. */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i] as T, items[parent] as T)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes and returns the least element, or undefined when the heap is empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && this.less(items[left] as T, items[least] as T)) least = left;
      if (right < items.length && this.less(items[right] as T, items[least] as T)) least = right;
      if (least === i) break;
      this.swap(i, least);
      i = least;
    }
    return top;
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    const t = items[a] as T;
    items[a] = items[b] as T;
    items[b] = t;
  }
}
