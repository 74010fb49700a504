/**
 * A binary min-heap of scheduled callbacks with lazy cancellation: canceling nulls the callback,
 * and canceled entries are dropped when they reach the top. Shared by the simulator's
 * VirtualClock and live's WallClock, which differ only in their ordering and in what moves time.
 */
export interface HeapEntry {
  /** null once canceled. */
  callback: (() => void) | null;
}

export class TimerHeap<T extends HeapEntry> {
  private readonly items: T[] = [];

  /** `less(a, b)`: a runs before b. */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  /** The next live entry, or undefined (drops canceled entries on the way). */
  peek(): T | undefined {
    const items = this.items;
    while (items.length > 0 && items[0].callback === null) this.pop();
    return items[0];
  }

  push(entry: T): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < items.length && this.less(items[l], items[smallest])) smallest = l;
        if (r < items.length && this.less(items[r], items[smallest])) smallest = r;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest], items[i]];
        i = smallest;
      }
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
