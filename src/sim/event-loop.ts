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
import { removeAt, truncate } from '../core/list.ts';
import { CROSS_BUY, CROSS_SELL, QUIET_ASK_HI, QUIET_ASK_LO, QUIET_BID_HI, QUIET_BID_LO, type Book } from './book.ts';
import { EventClass, keyBefore, type VirtualClock } from './clock.ts';
import { printIsDismissed, quoteIsDismissedBy, type Matching } from './matching.ts';
import type { QuoteFeed } from './quote-feed.ts';

const NO_EVENT = 9;

export interface TapeEventCounts {
  quoteEvents: number;
  tradeEvents: number;
}

export class EventLoop {
  /** Books walked now, in activation order (which also breaks ties between books). */
  private readonly active: Book[] = [];
  /** Bumped whenever the active list changes: a burst notices that a listener changed it. */
  private activeVersion = 0;
  readonly counts: TapeEventCounts = { quoteEvents: 0, tradeEvents: 0 };
  /** Set by `peekBook`: the book's next event (no tuple allocated). */
  private peekUs = Infinity;
  private peekClass = NO_EVENT;
  /** The key `burst` runs up to: [tsUs, class] (a typed array, so no time is boxed per call). */
  private readonly limit = new Float64Array(2);
  /** The key `run` stops before: [tsUs, class]. */
  private readonly until = new Float64Array(2);
  /** The clock's time cell (clock.ts): read and moved forward in place. */
  private readonly now: Float64Array;

  constructor(
    private readonly clock: VirtualClock,
    private readonly matching: Matching,
    private readonly feed: QuoteFeed,
  ) {
    this.now = clock.nowCell;
  }

  /** A book is walked while children rest on it or the engine waits for its quotes. */
  refreshActive(book: Book): void {
    const shouldBe = book.hasTape && (book.resting.length > 0 || book.listeners.length > 0);
    if (shouldBe === book.active) return;
    book.active = shouldBe;
    this.activeVersion++;
    // In place (no new array per order): step() never holds the list across this call.
    if (shouldBe) this.active.push(book);
    else removeAt(this.active, this.active.indexOf(book));
  }

  /**
   * Process every event whose key is before (untilUs, beforeClass): tape events of active books and
   * everything in the clock's heap, in key order.
   */
  run(untilUs: number, beforeClass: number): void {
    // Saved and restored: a callback may run the loop again (nested) for a shorter horizon.
    const outerUs = this.until[0];
    const outerClass = this.until[1];
    this.until[0] = untilUs;
    this.until[1] = beforeClass;
    while (this.step()) {
      // one source at a time: a burst of one book's tape events, or one heap event
    }
    this.until[0] = outerUs;
    this.until[1] = outerClass;
    // Every operation on both paths (advanceTo to now itself when there is no horizon): compiled
    // while every call ran to Infinity (a replay), an operation reached only with a horizon had no
    // feedback, and the optimized code deoptimized at the end of every later run — 1,500 times in
    // one bench process.
    const nowUs = this.now[0];
    const horizonUs = untilUs < Infinity ? untilUs : nowUs;
    this.clock.advanceTo(horizonUs > nowUs ? horizonUs : nowUs);
  }

  /**
   * One turn of the loop: the earliest source (a book's tape events or the clock's next event) runs
   * if it comes before `until`; false when nothing does. A method of its own, not a loop body, so
   * the hot path is ordinary optimized code; its inputs and outputs are typed-array cells and
   * fields, never float arguments (which would be boxed).
   */
  private step(): boolean {
    const clock = this.clock;
    const untilUs = this.until[0];
    const beforeClass = this.until[1];
    const head = clock.nextKey();
    const heapUs = head === undefined ? Infinity : head.atUs;
    const heapClass = head === undefined ? EventClass.timer : head.cls;
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
      if (!keyBefore(bestUs, bestClass, untilUs, beforeClass)) return false;
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
      this.limit[0] = limitUs;
      this.limit[1] = inclusive ? limitClass + 1 : limitClass;
      this.burst(best);
      return true;
    }
    if (heapUs === Infinity || !keyBefore(heapUs, heapClass, untilUs, beforeClass)) return false;
    clock.runNext();
    return true;
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
    const feedUs = book.listeners.length > 0 ? book.nextFeedUs : Infinity;
    // keyBefore(feedUs, feed, us, cls) written out: this call is not always inlined, and a float
    // passed to a call boxes (an allocation per step).
    if (feedUs < us || (feedUs === us && EventClass.feed < cls)) {
      us = feedUs;
      cls = EventClass.feed;
    }
    this.peekUs = us;
    this.peekClass = cls;
  }

  /**
   * Consume one book's tape events while their key is before `limit` (tsUs, class). Returns after
   * anything that may have queued work or changed who is active (a fill; a feed delivery whose
   * listeners scheduled, canceled or (un)subscribed anything — most only read the quote and go on
   * waiting, and the burst goes on after those). The next print's and quote's times and the next
   * delivery's stay in locals: nothing in a turn that does not end the burst moves the book's
   * cursors or its feed (matching reads rows by index).
   */
  private burst(book: Book): void {
    const limitUs = this.limit[0];
    const limitClass = this.limit[1];
    const qTs = book.qTs;
    const tTs = book.tTs;
    const qn = book.qn;
    const tn = book.tn;
    const resting = book.resting.length > 0;
    const qBid = book.qBid;
    const qAsk = book.qAsk;
    const tPrice = book.tPrice;
    const bounds = book.restingBounds;
    let feedUs = book.listeners.length > 0 ? book.nextFeedUs : Infinity;
    let qi = book.qi;
    let ti = book.ti;
    // Not resting: the venue cursors stand still (only the feed is walked).
    let tt = resting && ti < tn ? tTs[ti] : Infinity;
    let tq = resting && qi < qn ? qTs[qi] : Infinity;
    let lastUs = -Infinity;
    let quoteEvents = 0;
    let tradeEvents = 0;
    burst: for (;;) {
      // The book's bounds in locals, read again only after an event that went child by child (the
      // only kind that moves them): dismissed prints and idle deliveries keep them (paired A/B:
      // resting replay +3–6 %, with fills +1–4 %), and a run of quotes reads two columns.
      const crossBuy = bounds[CROSS_BUY];
      const crossSell = bounds[CROSS_SELL];
      const bidLo = bounds[QUIET_BID_LO];
      const bidHi = bounds[QUIET_BID_HI];
      const askLo = bounds[QUIET_ASK_LO];
      const askHi = bounds[QUIET_ASK_HI];
      for (;;) {
        // Quotes, most events, run here: while before the next print (prints go first at equal
        // times), at or before the next delivery (quotes go first) and before the limit — three
        // comparisons each, the fourth only at the limit's own time.
        while (tq < tt && tq <= feedUs && (tq < limitUs || (tq === limitUs && EventClass.quote < limitClass))) {
          lastUs = tq;
          quoteEvents++;
          const i = qi++;
          tq = qi < qn ? qTs[qi] : Infinity;
          if (quoteIsDismissedBy(qBid[i], qAsk[i], crossBuy, crossSell, bidLo, bidHi, askLo, askHi)) continue;
          if (this.applyQuote(book, i)) break burst;
          continue burst;
        }
        // Then a print or a delivery, whichever is first (a quote still waiting is past the limit or after it).
        let us = Infinity;
        let cls = NO_EVENT;
        if (tt <= tq && tt !== Infinity) {
          us = tt;
          cls = EventClass.trade;
        }
        // keyBefore(feedUs, feed, us, cls), written out (see peekBook).
        if (feedUs < us || (feedUs === us && EventClass.feed < cls)) {
          us = feedUs;
          cls = EventClass.feed;
        }
        if (!(us < limitUs || (us === limitUs && cls < limitClass))) break burst;
        lastUs = us;
        if (cls === EventClass.trade) {
          tradeEvents++;
          const i = ti++;
          tt = ti < tn ? tTs[ti] : Infinity;
          if (printIsDismissed(bounds, tPrice, i)) continue;
          if (this.applyTrade(book, i)) break burst;
          continue burst;
        }
        book.qi = qi;
        book.ti = ti;
        // Time only moves forward here: tape events come in key order (clock.advanceTo, in place).
        if (us > this.now[0]) this.now[0] = us;
        if (!this.deliveryChangedNothing(book) || this.now[0] !== us) break burst;
        feedUs = book.listeners.length > 0 ? book.nextFeedUs : Infinity;
      }
    }
    book.qi = qi;
    book.ti = ti;
    this.counts.quoteEvents += quoteEvents;
    this.counts.tradeEvents += tradeEvents;
    if (lastUs > this.now[0]) this.now[0] = lastUs;
  }

  /**
   * A delivery inside a burst (the cursors saved to the book, the time moved): true when its
   * listeners queued, canceled and (un)subscribed nothing and moved no cursor (no nested loop) —
   * then the burst's `limit`, cursors and bounds still hold (the caller checks the time: a float
   * is not passed to a call, which could box it).
   */
  private deliveryChangedNothing(book: Book): boolean {
    const qi = book.qi;
    const ti = book.ti;
    const mutations = this.clock.mutations;
    const activeVersion = this.activeVersion;
    this.feed.deliver(book);
    return this.clock.mutations === mutations && this.activeVersion === activeVersion && book.qi === qi && book.ti === ti;
  }

  private applyQuote(book: Book, i: number): boolean {
    if (!this.matching.applyUndismissedQuote(book, i)) return false;
    this.compactResting(book);
    return true;
  }

  private applyTrade(book: Book, i: number): boolean {
    if (!this.matching.applyTrade(book, i)) return false;
    this.compactResting(book);
    return true;
  }

  /** Drop children that stopped resting (filled or canceled), in place and in order. */
  compactResting(book: Book): void {
    const resting = book.resting;
    let kept = 0;
    for (let k = 0; k < resting.length; k++) {
      const o = resting[k];
      if (o.resting) resting[kept++] = o;
    }
    if (kept !== resting.length) {
      truncate(resting, kept);
      book.summarizeResting();
      this.refreshActive(book);
    }
  }
}
