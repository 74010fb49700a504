/**
 * The quote feed: which quote the engine sees (venue → engine, after the feed latency channel).
 *
 *   · the engine reads a book (`latestQuote`) → the view advances to the last quote stamped
 *     ≤ now − lag (fixed lag: every read; sampled lag: per read while nobody listens);
 *   · while the engine listens to a symbol, each quote is delivered at
 *     max(previous delivery, quote time + lag sample, now) — the channel keeps its order — and the
 *     listeners run once per delivery instant, after every quote due by then is applied.
 */
import type { VirtualClock } from './clock.ts';
import type { Book } from './book.ts';
import type { LatencyChannel } from './latency.ts';

export class QuoteFeed {
  /**
   * Listeners of the delivery in progress (a listener may unsubscribe another). Its length never
   * shrinks: truncating an array drops its backing store, and the next push would allocate again.
   */
  private readonly notifyScratch: ((() => void) | null)[] = [];
  private notifyCount = 0;
  deliveries = 0;

  /** The clock's time cell (read without a call: no boxed time per delivery). */
  private readonly now: Float64Array;

  constructor(
    clock: VirtualClock,
    private readonly channel: LatencyChannel,
  ) {
    this.now = clock.nowCell;
  }

  /** Bring the engine's view of `book` up to now (reads; deliveries while subscribed do it themselves). */
  readSeen(book: Book): void {
    const now = this.now[0];
    if (book.lastReadUs === now) return;
    book.lastReadUs = now;
    if (this.channel.isFixed) {
      const lag = this.channel.sampleUs();
      book.feedLagUs = lag;
      this.advanceSeen(book, now - lag);
    } else if (book.listeners.length === 0) {
      // Sampled lag, per read; the view never goes back to an older quote (the channel keeps order).
      const lag = this.channel.sampleUs();
      book.feedLagUs = lag;
      this.advanceSeen(book, now - lag);
    }
  }

  private advanceSeen(book: Book, asOfUs: number): void {
    const from = book.seenIdx + 1;
    if (from < book.qn && book.qTs[from] <= asOfUs) book.seenIdx = book.qTsSampled.upperBoundFrom(asOfUs, from) - 1;
  }

  /** Delivery time of quote seenIdx + 1 while the engine listens. */
  scheduleNext(book: Book): void {
    const next = book.seenIdx + 1;
    book.nextFeedIdx = next;
    if (next >= book.qn) {
      book.nextFeedUs = Infinity;
      return;
    }
    const now = this.now[0];
    let at = book.qTs[next] + this.channel.sampleUs();
    if (at < book.lastFeedDeliveryUs) at = book.lastFeedDeliveryUs;
    if (at < now) at = now;
    book.lastFeedDeliveryUs = at;
    book.nextFeedUs = at;
  }

  /** Quotes reach the engine: every quote delivered by now is applied, then listeners run once. */
  deliver(book: Book): void {
    const now = this.now[0];
    this.deliveries++;
    // max(): a read of this book during another delivery at the same instant may have moved it already.
    if (book.nextFeedIdx > book.seenIdx) book.seenIdx = book.nextFeedIdx;
    book.feedLagUs = now - book.qTs[book.seenIdx];
    this.scheduleNext(book);
    while (book.nextFeedUs <= now) {
      book.seenIdx = book.nextFeedIdx;
      this.scheduleNext(book);
    }
    book.lastReadUs = now;
    if (this.channel.isFixed) book.feedLagUs = this.channel.sampleUs();
    // One listener (an executor waiting at a step start): nothing can unsubscribe it before it runs.
    if (book.listeners.length === 1) {
      book.listeners[0]();
      return;
    }
    const scratch = this.notifyScratch;
    const start = this.notifyCount;
    const end = start + book.listeners.length;
    for (let k = start; k < end; k++) {
      if (k < scratch.length) scratch[k] = book.listeners[k - start];
      else scratch.push(book.listeners[k - start]);
    }
    this.notifyCount = end;
    for (let k = start; k < end; k++) {
      const l = scratch[k]!;
      if (book.listeners.includes(l)) l();
    }
    for (let k = start; k < end; k++) scratch[k] = null;
    this.notifyCount = start;
  }
}
