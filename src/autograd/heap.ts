// A binary max-heap keyed by a number; the engine's ready queue.

/** Max-heap of items ordered by `key`. */
export class MaxHeap<T> {
  private items: T[] = [];
  private keys: number[] = [];
  constructor(private readonly key: (item: T) => number) {}

  /** Number of items. */
  get size(): number {
    return this.items.length;
  }

  /** Adds an item. */
  push(item: T): void {
    const { items, keys } = this;
    let i = items.length;
    const k = this.key(item);
    items.push(item);
    keys.push(k);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p]! >= k) break;
      items[i] = items[p]!;
      keys[i] = keys[p]!;
      i = p;
    }
    items[i] = item;
    keys[i] = k;
  }

  /** Removes and returns the item with the largest key. */
  pop(): T | undefined {
    const { items, keys } = this;
    if (!items.length) return undefined;
    const top = items[0];
    const lastItem = items.pop()!;
    const lastKey = keys.pop()!;
    const n = items.length;
    if (n) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && keys[c + 1]! > keys[c]!) c++;
        if (keys[c]! <= lastKey) break;
        items[i] = items[c]!;
        keys[i] = keys[c]!;
        i = c;
      }
      items[i] = lastItem;
      keys[i] = lastKey;
    }
    return top;
  }
}
