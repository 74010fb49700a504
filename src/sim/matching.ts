/**
 * Venue matching shared by every fill model (the model decides only prints AT the limit and queue
 * position — fill/model.ts):
 *   · arrival: a buy with L ≥ ask of an uncrossed quote takes min(remaining, ask size not yet taken
 *     in this quote) at the ask (a taker at the touch; sell: bid); the rest rests at L.
 *     Locked or crossed quotes are never filled against.
 *   · resting buy at L, new uncrossed quote with ask ≤ L: fills min(remaining, ask size not yet
 *     taken) at L; eligible print below L: fills min(remaining, print size not yet taken) at L.
 *     (sell: bid ≥ L, print above L.)
 * Children consume displayed size within a quote or a print, so two children never take the same
 * shares. No allocation per event: reads the book's typed arrays, writes the orders' counters.
 */
import type { TickTable } from '../engine/ticks.ts';
import { CROSS_BUY, CROSS_SELL, MAX_BUY_LIMIT, MIN_SELL_LIMIT, QUIET_ASK_HI, QUIET_ASK_LO, QUIET_BID_HI, QUIET_BID_LO, type Book } from './book.ts';
import type { BeyondTouch } from './fill/beyond-touch.ts';
import { NearTouch, PRICE_EPSILON, type FillModel } from './fill/index.ts';
import { farTouchReaches, isFillableQuote, printGoesThrough } from './fill/model.ts';
import type { SimOrder } from './order.ts';

/** What matching needs from the venue: book a fill (and tell the engine). */
export type FillSink = (order: SimOrder, shares: number, price: number, tsUs: number) => void;

/**
 * Quote i (bids, asks: the book's columns) crosses no resting child and is quiet for every child's
 * model (Book.restingBounds): nothing to do. Small and free of `this`, so the event loop's burst
 * inlines it and dismisses most quotes without a call; it takes the row index, not the prices,
 * because a float passed to a call that is not inlined is boxed.
 */
export function quoteIsDismissed(bounds: Float64Array, bids: Float64Array, asks: Float64Array, i: number): boolean {
  return quoteIsDismissedBy(bids[i], asks[i], bounds[CROSS_BUY], bounds[CROSS_SELL], bounds[QUIET_BID_LO], bounds[QUIET_BID_HI], bounds[QUIET_ASK_LO], bounds[QUIET_ASK_HI]);
}

/**
 * The same test on bounds already read (the burst holds them in locals through a run of quotes
 * and reads them again after each quote or print that went child by child). Only ever inlined
 * into loops that read the bounds once: a float passed to a call that is not inlined is boxed.
 */
export function quoteIsDismissedBy(bid: number, ask: number, crossBuy: number, crossSell: number, bidLo: number, bidHi: number, askLo: number, askHi: number): boolean {
  if (isFillableQuote(bid, ask) && (ask <= crossBuy || bid >= crossSell)) return false;
  return bidLo < bid && bid < bidHi && askLo < ask && ask < askHi;
}

/**
 * Print i (prices: the book's column) more than 2ε above every buy limit and below every sell limit is neither through nor at
 * any child's price (applyTrade's tests allow ε: the margin keeps this side of rounding).
 */
export function printIsDismissed(bounds: Float64Array, prices: Float64Array, i: number): boolean {
  const price = prices[i];
  return price - bounds[MAX_BUY_LIMIT] > 2 * PRICE_EPSILON && bounds[MIN_SELL_LIMIT] - price > 2 * PRICE_EPSILON;
}

/** Two band ends are the same (NaN, "never quiet", equals NaN). */
function sameBand(a: number, b: number): boolean {
  return a === b || (a !== a && b !== b);
}

export class Matching {
  /** The touch handed to the model's hooks, refilled per call (no boxed price per event). */
  private readonly near = new NearTouch();
  /** Set when a child's quiet band changed during one event (the book's bounds must follow). */
  private boundsMoved = false;

  constructor(
    private readonly model: FillModel,
    private readonly includeIneligible: boolean,
    private readonly fill: FillSink,
    private readonly beyond: BeyondTouch,
    private readonly ticks: TickTable,
  ) {}

  /**
   * Quote i reaches the venue: crossing fills, then the model's depth hook. True if anything filled.
   * Takes the row index, not its time: a float passed to a call that is not inlined is boxed, and
   * this runs once per tape event. For the same reason the quote's time and the limit price are read
   * only inside the (rare) fill paths: read here and passed on, the optimizer boxes them once per
   * resting child per quote, fill or not.
   */
  applyQuote(book: Book, i: number): boolean {
    if (quoteIsDismissed(book.restingBounds, book.qBid, book.qAsk, i)) return false;
    return this.applyUndismissedQuote(book, i);
  }

  /**
   * applyQuote for a quote the caller already found not dismissed (the event loop's burst). The
   * book's bounds are summarized again only if a fill or a child's quiet band moved them: a child
   * at the touch, never quiet, sends every quote here and leaves its NaN band as it was.
   */
  applyUndismissedQuote(book: Book, i: number): boolean {
    this.boundsMoved = false;
    const filled = this.applyQuoteToEach(book, i);
    if (filled || this.boundsMoved) book.summarizeResting();
    return filled;
  }

  /**
   * applyQuote, child by child (the bands or the crossing of some child require it). Reads the row
   * again rather than taking bid and ask as arguments: a float passed to a call is boxed.
   */
  private applyQuoteToEach(book: Book, i: number): boolean {
    const bid = book.qBid[i];
    const ask = book.qAsk[i];
    // Both sizes read up front, side by side: their cache misses overlap (read per child, the second
    // would wait behind the first child's work).
    const bidSize = book.qBidSize[i];
    const askSize = book.qAskSize[i];
    const usable = isFillableQuote(bid, ask);
    const orders = book.resting;
    const model = this.model;
    const near = this.near;
    let filled = false;
    for (let k = 0; k < orders.length; k++) {
      const o = orders[k];
      const isBuy = o.isBuy;
      if (usable && farTouchReaches(isBuy, o.limitPrice, bid, ask) && this.fillCrossed(book, o, i)) filled = true;
      if (model.usesDepth && o.resting) {
        const nearPrice = isBuy ? bid : ask;
        // The model said this quote would change nothing (NearTouch.quietLo/Hi): no call.
        if (o.quietLo < nearPrice && nearPrice < o.quietHi) continue;
        near.price = nearPrice;
        near.size = isBuy ? bidSize : askSize;
        near.tsUs = book.qTs[i];
        near.quietLo = Number.NaN;
        near.quietHi = Number.NaN;
        model.depth(o.fillState, near);
        this.setQuietBand(o, near.quietLo, near.quietHi);
        if (model.fillsOnQuote && this.fillOnQuote(book, o, i)) filled = true;
      }
    }
    return filled;
  }

  /** A resting child crossed by quote i (buy: ask ≤ L, sell: bid ≥ L): the far size not yet taken, at L. True if any filled. */
  private fillCrossed(book: Book, o: SimOrder, i: number): boolean {
    const shares = Math.min(o.qty - o.cumQty, o.isBuy ? book.availableAsk(i) : book.availableBid(i));
    if (!(shares > 0)) return false;
    if (o.isBuy) book.takeAsk(i, shares);
    else book.takeBid(i, shares);
    this.fill(o, shares, o.limitPrice, book.qTs[i]);
    return true;
  }

  /** A model that fills on time (intensity): the shares it made fillable at quote i, at L. True if any filled. */
  private fillOnQuote(book: Book, o: SimOrder, i: number): boolean {
    const shares = Math.min(o.qty - o.cumQty, this.model.takeFillable(o.fillState));
    if (!(shares > 0)) return false;
    this.fill(o, shares, o.limitPrice, book.qTs[i]);
    return true;
  }

  /** Print i reaches the venue: through fills, then the model for prints at the limit. True if anything filled. */
  applyTrade(book: Book, i: number): boolean {
    if (book.tEligible[i] === 0 && !this.includeIneligible) return false;
    if (printIsDismissed(book.restingBounds, book.tPrice, i)) return false;
    this.boundsMoved = false;
    const filled = this.applyTradeToEach(book, i);
    // As for quotes: the bounds move only with a fill or a band (a print at a child's price resets it).
    if (filled || this.boundsMoved) book.summarizeResting();
    return filled;
  }

  /** applyTrade, child by child (the print read again: see applyQuoteToEach). */
  private applyTradeToEach(book: Book, i: number): boolean {
    const price = book.tPrice[i];
    const size = book.tSize[i];
    const orders = book.resting;
    const model = this.model;
    let filled = false;
    for (let k = 0; k < orders.length; k++) {
      const o = orders[k];
      const through = printGoesThrough(o.isBuy, o.limitPrice, price);
      let shares = 0;
      if (through) {
        shares = o.qty - o.cumQty;
      } else if (Math.abs(price - o.limitPrice) <= PRICE_EPSILON) {
        model.trade(o.fillState, size);
        // A print moved the model's state: the next quote goes to `depth` whatever its price.
        this.resetQuiet(o);
        shares = Math.min(o.qty - o.cumQty, model.takeFillable(o.fillState));
      }
      if (shares > 0 && this.fillFromPrint(book, o, i, shares)) filled = true;
    }
    return filled;
  }

  /** Up to `shares` of print i not yet taken fill the child at L (the print's time read here: see applyQuote). True if any filled. */
  private fillFromPrint(book: Book, o: SimOrder, i: number, wanted: number): boolean {
    const available = book.availableTrade(i);
    const shares = wanted > available ? available : wanted;
    if (!(shares > 0)) return false;
    book.takeTrade(i, shares);
    this.fill(o, shares, o.limitPrice, book.tTs[i]);
    return true;
  }

  /**
   * Marketable on arrival: a taker at the displayed far touch of quote i, up to its size not yet
   * taken; then, per `sim.beyond_touch`, behind it up to the limit (fill/beyond-touch.ts).
   */
  takeOnArrival(book: Book, order: SimOrder, i: number, nowUs: number): void {
    const bid = book.qBid[i];
    const ask = book.qAsk[i];
    if (!isFillableQuote(bid, ask) || !farTouchReaches(order.isBuy, order.limitPrice, bid, ask)) return;
    if (order.isBuy) {
      const shares = Math.min(order.remainingQty, book.availableAsk(i));
      if (shares > 0) {
        book.takeAsk(i, shares);
        this.fill(order, shares, ask, nowUs);
      }
      this.takeBeyond(book, order, i, ask, book.qAskSize[i], nowUs);
    } else {
      const shares = Math.min(order.remainingQty, book.availableBid(i));
      if (shares > 0) {
        book.takeBid(i, shares);
        this.fill(order, shares, bid, nowUs);
      }
      this.takeBeyond(book, order, i, bid, book.qBidSize[i], nowUs);
    }
  }

  private takeBeyond(book: Book, order: SimOrder, i: number, farPrice: number, farSize: number, nowUs: number): void {
    if (!this.beyond.walks || order.remainingQty <= 0) return;
    const tickUnits = this.ticks.tickUnits(order.symbol, farPrice, book.day);
    const taken = this.beyond.walk(order.isBuy, farPrice, farSize, tickUnits, order.limitPrice, order.remainingQty, book.takenBeyond(order.isBuy, i), (shares, price) =>
      this.fill(order, shares, price, nowUs),
    );
    if (taken > 0) book.takeBeyond(order.isBuy, i, taken);
  }

  /** No quote is known quiet for a model with a depth hook until the hook says so; without one, every quote is. */
  private resetQuiet(o: SimOrder): void {
    const usesDepth = this.model.usesDepth;
    this.setQuietBand(o, usesDepth ? Number.NaN : -Infinity, usesDepth ? Number.NaN : Infinity);
  }

  /** A child's quiet band becomes (lo, hi); a change means the book's bounds must be summarized again. */
  private setQuietBand(o: SimOrder, lo: number, hi: number): void {
    if (!sameBand(o.quietLo, lo) || !sameBand(o.quietHi, hi)) this.boundsMoved = true;
    o.quietLo = lo;
    o.quietHi = hi;
  }

  /** The child starts resting at L at `nowUs`: the fill model makes its state from the near touch of quote i (−1: none yet). */
  startResting(book: Book, order: SimOrder, i: number, nowUs: number): void {
    order.tickUnits = this.ticks.tickUnits(order.symbol, order.limitPrice, book.day);
    this.near.tsUs = nowUs;
    if (i >= 0) {
      this.near.price = order.isBuy ? book.qBid[i] : book.qAsk[i];
      this.near.size = order.isBuy ? book.qBidSize[i] : book.qAskSize[i];
    } else {
      this.near.price = Number.NaN;
      this.near.size = 0;
    }
    order.fillState = this.model.newOrder(order, this.near);
    this.resetQuiet(order);
    order.resting = true;
    book.resting.push(order);
    book.summarizeResting();
  }
}
