/**
 * Virtual time for the simulator (DESIGN §3): one binary heap of scheduled events, ordered by
 *
 *   (atUs, eventClass, seq)
 *
 * so that events at equal timestamps run in the DESIGN's order — market-data trades, quotes, feed
 * deliveries, our orders/cancels arriving at the venue, acks/fills arriving at the engine, engine
 * timers — and, within one class, in insertion order. Time advances only as events are consumed;
 * nothing here ever sleeps. Trades, quotes and feed deliveries are not stored in the heap (the
 * market reads them straight from the tape's columns); their classes are listed so both sides
 * compare keys the same way.
 */
import type { Clock, TimerId } from '../engine/ports.ts';

/** Event classes at equal timestamps, lowest first. */
export const EventClass = {
  trade: 0,
  quote: 1,
  /** A quote reaching the engine (after feed latency). */
  feed: 2,
  /** Our orders, cancels and queries arriving at the venue. */
  venue: 3,
  /** Acks, fills and cancel answers arriving at the engine. */
  engine: 4,
  /** The engine's own timers (Clock.setTimer). */
  timer: 5,
} as const;
export type EventClass = (typeof EventClass)[keyof typeof EventClass];

/** Does (aUs, aClass) come strictly before (bUs, bClass)? */
export function keyBefore(aUs: number, aClass: number, bUs: number, bClass: number): boolean {
  return aUs < bUs || (aUs === bUs && aClass < bClass);
}

interface Entry {
  atUs: number;
  cls: number;
  seq: number;
  id: TimerId;
  /** null once canceled (lazy deletion: the heap skips it when it reaches the top). */
  callback: (() => void) | null;
}

export class VirtualClock implements Clock {
  private now: number;
  private readonly heap: Entry[] = [];
  private readonly pending = new Map<TimerId, Entry>();
  private seq = 0;
  /** Bumped on every schedule: lets a market loop notice that new work was queued. */
  mutations = 0;

  constructor(startUs = 0) {
    this.now = startUs;
  }

  nowUs(): number {
    return this.now;
  }

  /** An engine timer; a time already past runs on the clock's next turn (at `now`). */
  setTimer(atUs: number, callback: () => void): TimerId {
    return this.schedule(atUs, EventClass.timer, callback);
  }

  cancelTimer(id: TimerId): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    entry.callback = null;
    this.pending.delete(id);
  }

  /** Queue `callback` at (max(atUs, now), cls); returns an id usable with cancelTimer. */
  schedule(atUs: number, cls: number, callback: () => void): TimerId {
    const seq = ++this.seq;
    const entry: Entry = { atUs: atUs > this.now ? atUs : this.now, cls, seq, id: seq, callback };
    this.pending.set(seq, entry);
    this.push(entry);
    this.mutations++;
    return seq;
  }

  /** Time of the next scheduled event, Infinity when none. */
  nextUs(): number {
    this.dropCanceled();
    return this.heap.length > 0 ? this.heap[0].atUs : Infinity;
  }

  /** Class of the next scheduled event (meaningful only when nextUs() is finite). */
  nextClass(): number {
    this.dropCanceled();
    return this.heap.length > 0 ? this.heap[0].cls : EventClass.timer;
  }

  pendingCount(): number {
    return this.pending.size;
  }

  /** Move time forward (never back) without running anything: the market does this per tape event. */
  advanceTo(tUs: number): void {
    if (tUs < this.now) throw new Error(`VirtualClock: time would run backwards (${tUs} < ${this.now})`);
    this.now = tUs;
  }

  /** Pop and run the next scheduled event; false when there is none. */
  runNext(): boolean {
    this.dropCanceled();
    const entry = this.pop();
    if (!entry) return false;
    this.pending.delete(entry.id);
    const callback = entry.callback!;
    entry.callback = null;
    if (entry.atUs > this.now) this.now = entry.atUs;
    callback();
    return true;
  }

  /** Run every scheduled event up to and including `tUs`, then stand at `tUs` (clock-only use, tests). */
  runUntil(tUs: number): void {
    while (this.nextUs() <= tUs) this.runNext();
    if (tUs > this.now) this.now = tUs;
  }

  // ── binary heap on (atUs, cls, seq) ──────────────────────────────────────────────────────

  private dropCanceled(): void {
    while (this.heap.length > 0 && this.heap[0].callback === null) this.pop();
  }

  private static less(a: Entry, b: Entry): boolean {
    if (a.atUs !== b.atUs) return a.atUs < b.atUs;
    if (a.cls !== b.cls) return a.cls < b.cls;
    return a.seq < b.seq;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!VirtualClock.less(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && VirtualClock.less(heap[l], heap[smallest])) smallest = l;
        if (r < heap.length && VirtualClock.less(heap[r], heap[smallest])) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}
