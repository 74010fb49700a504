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
import { TimerHeap } from '../core/timer-heap.ts';

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
  callback: ((arg?: unknown) => void) | null;
  /** Passed to the callback (scheduleCall): one shared handler instead of a closure per message. */
  arg: unknown;
  /** Listed in `pending` (setTimer / schedule): cancelTimer can find it. Venue messages are not. */
  cancelable: boolean;
}

export class VirtualClock implements Clock {
  /**
   * The current time, epoch µs, as a one-element array: the simulator's event loop and quote feed
   * read it and move it forward (never back) in place, because a time passed to or returned from a
   * call that is not inlined is boxed — one allocation per tape event. Everyone else uses nowUs()
   * and advanceTo().
   */
  readonly nowCell = new Float64Array(1);
  /** Ordered by (atUs, cls, seq): the DESIGN's order for equal timestamps, then insertion. */
  private readonly heap = new TimerHeap<Entry>((a, b) => (a.atUs !== b.atUs ? a.atUs < b.atUs : a.cls !== b.cls ? a.cls < b.cls : a.seq < b.seq));
  /** Cancelable entries not yet run, by id. */
  private readonly pending = new Map<TimerId, Entry>();
  /** Entries already run, reused by the next schedule (one object per message otherwise). */
  private readonly free: Entry[] = [];
  private seq = 0;
  private live = 0;
  /** Bumped on every schedule: lets a market loop notice that new work was queued. */
  mutations = 0;

  constructor(startUs = 0) {
    this.nowCell[0] = startUs;
  }

  nowUs(): number {
    return this.nowCell[0];
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
    this.live--;
  }

  /** Queue `callback` at (max(atUs, now), cls); returns an id usable with cancelTimer. */
  schedule(atUs: number, cls: number, callback: () => void): TimerId {
    const entry = this.enqueue(atUs, cls, callback, undefined, true);
    this.pending.set(entry.id, entry);
    return entry.id;
  }

  /**
   * Queue `handler(arg)` at (max(atUs, now), cls): no closure made per message, no id kept —
   * it cannot be canceled (a venue message in flight is never recalled).
   */
  scheduleCall<A>(atUs: number, cls: number, handler: (arg: A) => void, arg: A): void {
    this.enqueue(atUs, cls, handler as (arg?: unknown) => void, arg, false);
  }

  private enqueue(atUs: number, cls: number, callback: (arg?: unknown) => void, arg: unknown, cancelable: boolean): Entry {
    const seq = ++this.seq;
    const now = this.nowCell[0];
    const at = atUs > now ? atUs : now;
    let entry = this.free.pop();
    if (entry === undefined) {
      entry = { atUs: at, cls, seq, id: seq, callback, arg, cancelable };
    } else {
      entry.atUs = at;
      entry.cls = cls;
      entry.seq = seq;
      entry.id = seq;
      entry.callback = callback;
      entry.arg = arg;
      entry.cancelable = cancelable;
    }
    this.heap.push(entry);
    this.live++;
    this.mutations++;
    return entry;
  }

  /**
   * The next scheduled event's key (read its `atUs` and `cls`), undefined when none. The event
   * loop reads the key this way: a time returned from a call may be boxed, a field read is not.
   */
  nextKey(): { readonly atUs: number; readonly cls: number } | undefined {
    return this.heap.peek();
  }

  /** Time of the next scheduled event, Infinity when none. */
  nextUs(): number {
    return this.heap.peek()?.atUs ?? Infinity;
  }

  /** Class of the next scheduled event (meaningful only when nextUs() is finite). */
  nextClass(): number {
    return this.heap.peek()?.cls ?? EventClass.timer;
  }

  pendingCount(): number {
    return this.live;
  }

  /** Move time forward (never back) without running anything: the market does this per tape event. */
  advanceTo(tUs: number): void {
    if (tUs < this.nowCell[0]) throw new Error(`VirtualClock: time would run backwards (${tUs} < ${this.nowCell[0]})`);
    this.nowCell[0] = tUs;
  }

  /** Pop and run the next scheduled event; false when there is none. */
  runNext(): boolean {
    if (!this.heap.peek()) return false;
    const entry = this.heap.pop()!;
    if (entry.cancelable) this.pending.delete(entry.id);
    this.live--;
    const callback = entry.callback!;
    const arg = entry.arg;
    entry.callback = null;
    entry.arg = undefined;
    if (entry.atUs > this.nowCell[0]) this.nowCell[0] = entry.atUs;
    callback(arg);
    // Reused only now: the callback may schedule (and so take entries) while it runs.
    this.free.push(entry);
    return true;
  }

  /** Run every scheduled event up to and including `tUs`, then stand at `tUs` (clock-only use, tests). */
  runUntil(tUs: number): void {
    while (this.nextUs() <= tUs) this.runNext();
    if (tUs > this.nowCell[0]) this.nowCell[0] = tUs;
  }
}
