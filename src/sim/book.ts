/**
 * Tape cursors: one symbol's current day as typed-array columns, the venue's cursors into it
 * (next quote / print to apply while children rest), the engine's feed cursor (last quote
 * delivered), the children resting on it, and the displayed size our children already took.
 */
import { nyLocalToUtcUs } from '../core/calendar.ts';
import type { Quote } from '../engine/types.ts';
import type { SimOrder } from './order.ts';
import { PRICE_EPSILON } from './fill/model.ts';
import { allocQuoteColumns, allocTradeColumns, sampledColumn, type SampledColumn, type SymbolDay } from '../data/tape/tape.ts';

/** Slots of Book.restingBounds. */
export const CROSS_BUY = 0;
export const CROSS_SELL = 1;
export const QUIET_BID_LO = 2;
export const QUIET_BID_HI = 3;
export const QUIET_ASK_LO = 4;
export const QUIET_ASK_HI = 5;
export const MAX_BUY_LIMIT = 6;
export const MIN_SELL_LIMIT = 7;
const RESTING_BOUNDS = 8;

export class Book {
  readonly symbol: string;
  day = '';
  hasTape = false;
  /** New York midnight to midnight of `day`, epoch µs: outside it the loader is asked for another day. */
  dayStartUs = Infinity;
  dayEndUs = -Infinity;
  qTs: Float64Array = new Float64Array(0);
  qBid: Float64Array = new Float64Array(0);
  qAsk: Float64Array = new Float64Array(0);
  qBidSize: Float64Array = new Float64Array(0);
  qAskSize: Float64Array = new Float64Array(0);
  qn = 0;
  tTs: Float64Array = new Float64Array(0);
  tPrice: Float64Array = new Float64Array(0);
  tSize: Float64Array = new Float64Array(0);
  tEligible: Uint8Array = new Uint8Array(0);
  tn = 0;
  /** qTs and tTs with their samples, for cursors that jump far ahead (search.ts SampledColumn). */
  qTsSampled: SampledColumn = sampledColumn(this.qTs, 0);
  tTsSampled: SampledColumn = sampledColumn(this.tTs, 0);
  /** Venue cursors: next quote / trade to apply while children rest. */
  qi = 0;
  ti = 0;
  resting: SimOrder[] = [];
  /**
   * Bounds over the resting children (summarizeResting), so that most tape events are dismissed
   * without a look at each child (matching.ts):
   *   [CROSS_BUY]  max over buys of L + ε: an uncrossed quote with ask ≤ it crosses some buy;
   *   [CROSS_SELL] min over sells of L − ε: bid ≥ it crosses some sell;
   *   [QUIET_BID_LO, QUIET_BID_HI] the buys' quiet bands intersected (their near price is the bid),
   *   [QUIET_ASK_LO, QUIET_ASK_HI] the sells' — NaN when some child is never quiet;
   *   [MAX_BUY_LIMIT], [MIN_SELL_LIMIT]: a print far enough above / below them reaches no child.
   * A typed array: reading a bound per event boxes nothing.
   */
  readonly restingBounds = new Float64Array(RESTING_BOUNDS);
  listeners: (() => void)[] = [];
  /** Engine side: index of the last quote delivered (−1 none); its lag; delivery time of the next one. */
  seenIdx = -1;
  feedLagUs = 0;
  nextFeedIdx = -1;
  nextFeedUs = Infinity;
  lastFeedDeliveryUs = -Infinity;
  lastReadUs = -Infinity;
  /** Displayed size already taken by our children within one quote / one print. */
  takenQuoteIdx = -1;
  takenBid = 0;
  takenAsk = 0;
  takenTradeIdx = -1;
  takenTrade = 0;
  /** Shares our takers took behind the displayed bid / ask of quote takenQuoteIdx (fill/beyond-touch.ts). */
  takenBeyondBid = 0;
  takenBeyondAsk = 0;
  /** In the event loop's active list (children rest here or the engine listens). */
  active = false;
  readonly view: Quote = { tsUs: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0 };

  constructor(symbol: string) {
    this.symbol = symbol;
    this.summarizeResting();
  }

  /** Make `tape` this symbol's day (replacing an earlier one); the venue cursors start after `nowUs`. */
  load(tape: SymbolDay, nowUs: number): void {
    const q = tape.quotes;
    const t = tape.trades;
    this.day = tape.day;
    this.hasTape = q.length > 0 || t.length > 0;
    this.dayStartUs = nyLocalToUtcUs(tape.day, 0);
    this.dayEndUs = nyLocalToUtcUs(tape.day, 24 * 3600 * 1000);
    this.qn = q.length;
    this.qTsSampled = sampledColumn(q.ts, q.length);
    this.qTs = this.qTsSampled.values;
    this.qBid = q.bid;
    this.qAsk = q.ask;
    this.qBidSize = q.bidSize;
    this.qAskSize = q.askSize;
    this.tn = t.length;
    this.tTsSampled = sampledColumn(t.ts, t.length);
    this.tTs = this.tTsSampled.values;
    this.tPrice = t.price;
    this.tSize = t.size;
    this.tEligible = t.eligible;
    this.qi = this.qTsSampled.upperBoundFrom(nowUs, 0);
    this.ti = this.tTsSampled.upperBoundFrom(nowUs, 0);
    this.seenIdx = -1;
    this.lastReadUs = -Infinity;
    this.lastFeedDeliveryUs = -Infinity;
    this.takenQuoteIdx = -1;
    this.takenTradeIdx = -1;
  }

  /**
   * Recompute restingBounds: after the resting list changes and after a child's quiet band does.
   * A NaN band sticks, so a child that is never quiet keeps its side's quotes on the per-child path.
   */
  summarizeResting(): void {
    let bidLo = -Infinity;
    let bidHi = Infinity;
    let askLo = -Infinity;
    let askHi = Infinity;
    let maxBuy = -Infinity;
    let minSell = Infinity;
    const resting = this.resting;
    for (let k = 0; k < resting.length; k++) {
      const o = resting[k];
      if (!o.resting) continue;
      const limit = o.limitPrice;
      const lo = o.quietLo;
      const hi = o.quietHi;
      // Written out, not Math.max/min (a call that returns a boxed float); a NaN band sticks.
      if (o.isBuy) {
        if (limit > maxBuy) maxBuy = limit;
        if (bidLo === bidLo && !(lo <= bidLo)) bidLo = lo;
        if (bidHi === bidHi && !(hi >= bidHi)) bidHi = hi;
      } else {
        if (limit < minSell) minSell = limit;
        if (askLo === askLo && !(lo <= askLo)) askLo = lo;
        if (askHi === askHi && !(hi >= askHi)) askHi = hi;
      }
    }
    const b = this.restingBounds;
    // max(L) + ε = max(L + ε): adding ε is monotone, so the crossing tests match each child's.
    b[CROSS_BUY] = maxBuy + PRICE_EPSILON;
    b[CROSS_SELL] = minSell - PRICE_EPSILON;
    b[QUIET_BID_LO] = bidLo;
    b[QUIET_BID_HI] = bidHi;
    b[QUIET_ASK_LO] = askLo;
    b[QUIET_ASK_HI] = askHi;
    b[MAX_BUY_LIMIT] = maxBuy;
    b[MIN_SELL_LIMIT] = minSell;
  }

  /** Venue cursors past everything stamped ≤ nowUs (they only move forward). */
  syncVenueCursors(nowUs: number): void {
    // Every quote up to the feed's view (seenIdx, stamped ≤ now) is behind the cursor too. The engine
    // usually read that view just before sending the order, so the search starts in cache there.
    if (this.seenIdx >= this.qi) this.qi = this.seenIdx + 1;
    if (this.qi < this.qn && this.qTs[this.qi] <= nowUs) this.qi = this.qTsSampled.upperBoundFrom(nowUs, this.qi);
    if (this.ti < this.tn && this.tTs[this.ti] <= nowUs) this.ti = this.tTsSampled.upperBoundFrom(nowUs, this.ti);
  }

  /** Ask size of quote i not yet taken by our children. */
  availableAsk(i: number): number {
    return this.qAskSize[i] - (this.takenQuoteIdx === i ? this.takenAsk : 0);
  }

  availableBid(i: number): number {
    return this.qBidSize[i] - (this.takenQuoteIdx === i ? this.takenBid : 0);
  }

  takeAsk(i: number, shares: number): void {
    this.touchQuote(i);
    this.takenAsk += shares;
  }

  takeBid(i: number, shares: number): void {
    this.touchQuote(i);
    this.takenBid += shares;
  }

  /** Size of print i not yet taken by our children. */
  availableTrade(i: number): number {
    return this.takenTradeIdx === i ? this.tSize[i] - this.takenTrade : this.tSize[i];
  }

  takeTrade(i: number, shares: number): void {
    if (this.takenTradeIdx !== i) {
      this.takenTradeIdx = i;
      this.takenTrade = 0;
    }
    this.takenTrade += shares;
  }

  /** Shares taken behind the displayed ask (buy) / bid (sell) of quote i. */
  takenBeyond(isBuy: boolean, i: number): number {
    if (this.takenQuoteIdx !== i) return 0;
    return isBuy ? this.takenBeyondAsk : this.takenBeyondBid;
  }

  takeBeyond(isBuy: boolean, i: number, shares: number): void {
    this.touchQuote(i);
    if (isBuy) this.takenBeyondAsk += shares;
    else this.takenBeyondBid += shares;
  }

  private touchQuote(i: number): void {
    if (this.takenQuoteIdx !== i) {
      this.takenQuoteIdx = i;
      this.takenBid = 0;
      this.takenAsk = 0;
      this.takenBeyondBid = 0;
      this.takenBeyondAsk = 0;
    }
  }
}

export function emptySymbolDay(symbol: string, day: string): SymbolDay {
  return { symbol, day, quotes: allocQuoteColumns(0), trades: allocTradeColumns(0) };
}
