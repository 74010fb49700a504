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

  /** Sift up with a hole: parents move down until `entry` fits (no swap temporaries). */
  push(entry: T): void {
    const items = this.items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent];
      if (!this.less(entry, above)) break;
      items[i] = above;
      i = parent;
    }
    items[i] = entry;
  }

  /** Sift down with a hole: the smaller child moves up until the last entry fits (no swap temporaries). */
  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && this.less(items[r], items[l]) ? r : l;
        if (!this.less(items[child], last)) break;
        items[i] = items[child];
        i = child;
      }
      items[i] = last;
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
