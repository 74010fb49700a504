/**
 * The event loop: merges the tape events of the active books with the clock's heap, by
 *
 *   (tsUs, class, seq):  trades → quotes → feed deliveries → orders/cancels/queries arriving at the
 *                        venue → acks/fills arriving at the engine → engine timers → insertion order
 *
 * Trades and quotes are read straight from the tape's typed arrays through per-book cursors; the
 * rest sits in the VirtualClock's heap. A book is active (walked) only while children rest on it or
 * the engine waits for its quotes. Tape events of two books with the same (tsUs, class) go in the
 * order of the active list (a tie that must not stall the loop).
 *
 * The hot loop (`burst`) consumes one book's events while they come before every other source, and
 * allocates nothing per event: the loop state is plain numbers in locals and the book's fields.
 */
import type { Book } from './book.ts';
import { EventClass, keyBefore, type VirtualClock } from './clock.ts';
import type { Matching } from './matching.ts';
import type { QuoteFeed } from './quote-feed.ts';

const NO_EVENT = 9;

export interface TapeEventCounts {
  quoteEvents: number;
  tradeEvents: number;
}

export class EventLoop {
  /** Books walked now, in activation order (which also breaks ties between books). */
  private active: Book[] = [];
  readonly counts: TapeEventCounts = { quoteEvents: 0, tradeEvents: 0 };
  /** Set by `peekBook`: the book's next event (no tuple allocated). */
  private peekUs = Infinity;
  private peekClass = NO_EVENT;

  constructor(
    private readonly clock: VirtualClock,
    private readonly matching: Matching,
    private readonly feed: QuoteFeed,
  ) {}

  /** A book is walked while children rest on it or the engine waits for its quotes. */
  refreshActive(book: Book): void {
    const shouldBe = book.hasTape && (book.resting.length > 0 || book.listeners.length > 0);
    if (shouldBe === book.active) return;
    book.active = shouldBe;
    this.active = shouldBe ? [...this.active, book] : this.active.filter((b) => b !== book);
  }

  /**
   * Process every event whose key is before (untilUs, beforeClass): tape events of active books and
   * everything in the clock's heap, in key order.
   */
  run(untilUs: number, beforeClass: number): void {
    const clock = this.clock;
    for (;;) {
      const heapUs = clock.nextUs();
      const heapClass = clock.nextClass();
      let best: Book | null = null;
      let bestUs = Infinity;
      let bestClass = NO_EVENT;
      let secondUs = Infinity;
      let secondClass = NO_EVENT;
      const active = this.active;
      for (let k = 0; k < active.length; k++) {
        const book = active[k];
        this.peekBook(book);
        const us = this.peekUs;
        const cls = this.peekClass;
        if (keyBefore(us, cls, bestUs, bestClass)) {
          secondUs = bestUs;
          secondClass = bestClass;
          best = book;
          bestUs = us;
          bestClass = cls;
        } else if (keyBefore(us, cls, secondUs, secondClass)) {
          secondUs = us;
          secondClass = cls;
        }
      }
      if (best !== null && keyBefore(bestUs, bestClass, heapUs, heapClass)) {
        if (!keyBefore(bestUs, bestClass, untilUs, beforeClass)) break;
        // Up to the next other source. A second book tied with the best comes later in the active
        // list (the scan keeps the first of equal keys), so the best may take events AT its key.
        let limitUs = heapUs;
        let limitClass = heapClass;
        let inclusive = false;
        if (keyBefore(secondUs, secondClass, limitUs, limitClass)) {
          limitUs = secondUs;
          limitClass = secondClass;
          inclusive = secondUs === bestUs && secondClass === bestClass;
        }
        if (keyBefore(untilUs, beforeClass, limitUs, limitClass)) {
          limitUs = untilUs;
          limitClass = beforeClass;
          inclusive = false;
        }
        this.burst(best, limitUs, inclusive ? limitClass + 1 : limitClass);
      } else {
        if (heapUs === Infinity || !keyBefore(heapUs, heapClass, untilUs, beforeClass)) break;
        clock.runNext();
      }
    }
    if (untilUs !== Infinity && untilUs > clock.nowUs()) clock.advanceTo(untilUs);
  }

  /** Next tape event of an active book into (peekUs, peekClass). */
  private peekBook(book: Book): void {
    let us = Infinity;
    let cls = NO_EVENT;
    if (book.resting.length > 0) {
      const tt = book.ti < book.tn ? book.tTs[book.ti] : Infinity;
      const tq = book.qi < book.qn ? book.qTs[book.qi] : Infinity;
      if (tt <= tq) {
        us = tt;
        cls = tt === Infinity ? NO_EVENT : EventClass.trade;
      } else {
        us = tq;
        cls = EventClass.quote;
      }
    }
    if (book.listeners.length > 0 && keyBefore(book.nextFeedUs, EventClass.feed, us, cls)) {
      us = book.nextFeedUs;
      cls = EventClass.feed;
    }
    this.peekUs = us;
    this.peekClass = cls;
  }

  /**
   * Consume one book's tape events while their key is before (limitUs, limitClass). Returns after
   * anything that may have queued work or changed who is active (a fill, a feed delivery).
   */
  private burst(book: Book, limitUs: number, limitClass: number): void {
    const qTs = book.qTs;
    const tTs = book.tTs;
    const qn = book.qn;
    const tn = book.tn;
    const resting = book.resting.length > 0;
    const feeding = book.listeners.length > 0;
    let qi = book.qi;
    let ti = book.ti;
    let lastUs = -Infinity;
    let quoteEvents = 0;
    let tradeEvents = 0;
    for (;;) {
      let us = Infinity;
      let cls = NO_EVENT;
      if (resting) {
        const tt = ti < tn ? tTs[ti] : Infinity;
        const tq = qi < qn ? qTs[qi] : Infinity;
        if (tt <= tq && tt !== Infinity) {
          us = tt;
          cls = EventClass.trade;
        } else if (tq !== Infinity) {
          us = tq;
          cls = EventClass.quote;
        }
      }
      if (feeding && keyBefore(book.nextFeedUs, EventClass.feed, us, cls)) {
        us = book.nextFeedUs;
        cls = EventClass.feed;
      }
      if (!(us < limitUs || (us === limitUs && cls < limitClass))) break;
      lastUs = us;
      if (cls === EventClass.quote) {
        quoteEvents++;
        book.qi = ++qi;
        if (this.applyQuote(book, qi - 1, us)) break;
      } else if (cls === EventClass.trade) {
        tradeEvents++;
        book.ti = ++ti;
        if (this.applyTrade(book, ti - 1, us)) break;
      } else {
        this.clock.advanceTo(us);
        this.feed.deliver(book);
        break;
      }
    }
    book.qi = qi;
    book.ti = ti;
    this.counts.quoteEvents += quoteEvents;
    this.counts.tradeEvents += tradeEvents;
    if (lastUs > this.clock.nowUs()) this.clock.advanceTo(lastUs);
  }

  private applyQuote(book: Book, i: number, tsUs: number): boolean {
    if (!this.matching.applyQuote(book, i, tsUs)) return false;
    this.compactResting(book);
    return true;
  }

  private applyTrade(book: Book, i: number, tsUs: number): boolean {
    if (!this.matching.applyTrade(book, i, tsUs)) return false;
    this.compactResting(book);
    return true;
  }

  /** Drop children that stopped resting (filled or canceled). */
  compactResting(book: Book): void {
    const kept = book.resting.filter((o) => o.resting);
    if (kept.length !== book.resting.length) {
      book.resting = kept;
      this.refreshActive(book);
    }
  }
}
