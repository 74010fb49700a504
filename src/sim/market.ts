/**
 * SimMarket: the engine's `Market` port over replayed tapes (DESIGN §3). One deterministic event
 * loop merges, by (tsUs, class, seq):
 *
 *   trades → quotes → feed deliveries → orders/cancels/queries arriving at the venue
 *          → acks/fills arriving at the engine → engine timers → insertion order
 *
 * Trades and quotes are read straight from the tape's typed arrays through per-symbol cursors;
 * everything else sits in the VirtualClock's heap. A symbol's tape is only walked while one of our
 * children rests on it (fills) or the engine waits for its quotes (feed); otherwise its cursors jump
 * by binary search when next needed, so cost grows with the quotes inside order windows, not with
 * the day. An order arriving at t sees the quote stamped t but never fills on a print stamped t
 * (trades and quotes at t come first; the cursors restart after t).
 *
 * Venue matching shared by every fill model (the model decides only prints AT the limit and queue
 * position — fill/model.ts):
 *   · arrival: a buy with L ≥ ask of an uncrossed quote takes min(remaining, ask size not yet taken
 *     in this quote) at the ask (a taker at the touch; sell: bid); the rest rests at L (`ioc`:
 *     canceled). Locked or crossed quotes are never filled against.
 *   · resting buy at L, new uncrossed quote with ask ≤ L: fills min(remaining, ask size not yet
 *     taken) at L; eligible print below L: fills min(remaining, print size not yet taken) at L.
 *     (sell: bid ≥ L, print above L.)
 * Cancels travel on their own channel but never overtake the order they cancel; a fill that happens
 * before the cancel reaches the venue stands, and the cancel is answered `cancel_rejected`.
 */
import { nyDay, nyLocalToUtcUs, regularSession, weekdaysFrom } from '../core/calendar.ts';
import type { SimRunConfig } from './config.ts';
import type { ChildOrderRequest, Market, OrderEvent, SessionInfo, VenueOrderStatus } from '../engine/ports.ts';
import type { Quote } from '../engine/types.ts';
import { EventClass, keyBefore, type VirtualClock } from './clock.ts';
import { makeFillModel, PRICE_EPSILON, type FillModel, type FillOrder } from './fill/index.ts';
import { resetFillState } from './fill/model.ts';
import { makeLatencyChannels, type LatencyChannel, type LatencyChannels } from './latency.ts';
import { allocQuoteColumns, allocTradeColumns, firstIndexAfter, upperBound, type SymbolDay } from '../data/tape/tape.ts';

const NO_EVENT = 9;

/** One child order as the venue holds it (also the fill model's per-order state). */
export class SimOrder implements FillOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly isBuy: boolean;
  readonly qty: number;
  readonly limitPrice: number;
  readonly timeInForce: 'day' | 'ioc';
  /** When the order reaches the venue (a cancel never arrives before this). */
  readonly venueArrivalUs: number;
  status: VenueOrderStatus = 'pending_new';
  cumQty = 0;
  execCount = 0;
  resting = false;
  // fill-model state (FillOrder)
  queueAhead = Infinity;
  levelQty = Number.NaN;
  tradedAtLevel = 0;
  fillable = 0;
  expectedCarry = 0;
  insideSpread = false;

  constructor(request: ChildOrderRequest, venueArrivalUs: number) {
    this.clientOrderId = request.clientOrderId;
    this.symbol = request.symbol;
    this.isBuy = request.side === 'buy';
    this.qty = request.qty;
    this.limitPrice = request.limitPrice;
    this.timeInForce = request.timeInForce;
    this.venueArrivalUs = venueArrivalUs;
  }

  get remainingQty(): number {
    return this.qty - this.cumQty;
  }
}

/** One symbol's tape, cursors and resting children. */
class Book {
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
  /** Venue cursors: next quote / trade to apply while children rest. */
  qi = 0;
  ti = 0;
  resting: SimOrder[] = [];
  listeners: (() => void)[] = [];
  /** Engine side: index of the last quote delivered (−1 none); its lag; delivery time of the next one. */
  seenIdx = -1;
  feedLagUs = 0;
  nextFeedIdx = -1;
  nextFeedUs = Infinity;
  lastFeedDeliveryUs = -Infinity;
  lastReadUs = -1;
  /** Displayed size already taken by our children within one quote / one print. */
  takenQuoteIdx = -1;
  takenBid = 0;
  takenAsk = 0;
  takenTradeIdx = -1;
  takenTrade = 0;
  active = false;
  readonly view: Quote = { tsUs: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0 };

  constructor(symbol: string) {
    this.symbol = symbol;
  }
}

export interface SimMarketOptions {
  clock: VirtualClock;
  /** The `sim` section of the config (fill model, latency). */
  sim: SimRunConfig['sim'];
  seed: number | string;
  tapes?: readonly SymbolDay[];
  /** Trading days in the data, for `session()` when closed (next open). Defaults to the tapes' days; weekdays when empty. */
  days?: readonly string[];
  /**
   * Load a symbol-day on demand (null when there is none): asked when the engine or an order
   * needs a symbol at a time outside the New York day of its current tape.
   */
  loadTape?: (symbol: string, day: string) => SymbolDay | null;
}

export interface SimMarketStats {
  quoteEvents: number;
  tradeEvents: number;
  feedEvents: number;
  fills: number;
  ordersArrived: number;
}

export class SimMarket implements Market {
  private readonly clock: VirtualClock;
  private readonly model: FillModel;
  private readonly latency: LatencyChannels;
  private readonly feed: LatencyChannel;
  private readonly includeIneligible: boolean;
  private readonly books = new Map<string, Book>();
  private active: Book[] = [];
  private readonly orders = new Map<string, SimOrder>();
  private listener: ((event: OrderEvent) => void) | null = null;
  private readonly days: string[];
  private readonly loadTape: ((symbol: string, day: string) => SymbolDay | null) | null;
  private readonly notifyScratch: (() => void)[] = [];
  readonly stats: SimMarketStats = { quoteEvents: 0, tradeEvents: 0, feedEvents: 0, fills: 0, ordersArrived: 0 };
  /** Tapes added so far (directly or through the loader, empty days included). */
  tapesLoaded = 0;

  constructor(options: SimMarketOptions) {
    this.clock = options.clock;
    this.model = makeFillModel(options.sim, options.seed);
    this.latency = makeLatencyChannels(options.sim.latency, options.seed);
    this.feed = this.latency.feed;
    this.includeIneligible = options.sim.include_ineligible;
    this.loadTape = options.loadTape ?? null;
    for (const tape of options.tapes ?? []) this.addTape(tape);
    this.days = [...new Set(options.days ?? (options.tapes ?? []).map((t) => t.day))].sort();
  }

  // ── tapes ────────────────────────────────────────────────────────────────────────────────

  /** Make `tape` the symbol's current day (replacing an earlier day); cursors start after now. */
  addTape(tape: SymbolDay): void {
    const book = this.bookFor(tape.symbol);
    const q = tape.quotes;
    const t = tape.trades;
    book.day = tape.day;
    book.hasTape = tape.quotes.length > 0 || tape.trades.length > 0;
    this.tapesLoaded++;
    book.dayStartUs = nyLocalToUtcUs(tape.day, 0);
    book.dayEndUs = nyLocalToUtcUs(tape.day, 24 * 3600 * 1000);
    book.qn = q.length;
    book.qTs = q.ts.subarray(0, q.length);
    book.qBid = q.bid;
    book.qAsk = q.ask;
    book.qBidSize = q.bidSize;
    book.qAskSize = q.askSize;
    book.tn = t.length;
    book.tTs = t.ts.subarray(0, t.length);
    book.tPrice = t.price;
    book.tSize = t.size;
    book.tEligible = t.eligible;
    const now = this.clock.nowUs();
    book.qi = firstIndexAfter(book.qTs, now);
    book.ti = firstIndexAfter(book.tTs, now);
    book.seenIdx = -1;
    book.lastReadUs = -1;
    book.lastFeedDeliveryUs = -Infinity;
    book.takenQuoteIdx = -1;
    book.takenTradeIdx = -1;
    if (book.listeners.length > 0) {
      this.readSeen(book);
      this.scheduleNextFeed(book);
    }
    this.refreshActive(book);
  }

  /** With a loader: make sure the symbol's tape is the New York day of `nowUs`. */
  private ensureDay(symbol: string, nowUs: number): Book | undefined {
    let book = this.books.get(symbol);
    if (this.loadTape === null || (book !== undefined && nowUs >= book.dayStartUs && nowUs < book.dayEndUs)) return book;
    const day = nyDay(nowUs);
    this.addTape(this.loadTape(symbol, day) ?? emptySymbolDay(symbol, day));
    book = this.books.get(symbol)!;
    return book;
  }

  /** The day currently loaded for `symbol`, or undefined. */
  tapeDay(symbol: string): string | undefined {
    const book = this.books.get(symbol);
    return book?.hasTape ? book.day : undefined;
  }

  // ── Market port ──────────────────────────────────────────────────────────────────────────

  latestQuote(symbol: string): Quote | undefined {
    const book = this.ensureDay(symbol, this.clock.nowUs());
    if (!book || !book.hasTape) return undefined;
    this.readSeen(book);
    const i = book.seenIdx;
    if (i < 0) return undefined;
    const view = book.view;
    // "as of" time: the replay time the engine sees (now − feed latency), see types.ts Quote.tsUs.
    view.tsUs = this.clock.nowUs() - book.feedLagUs;
    view.bid = book.qBid[i];
    view.ask = book.qAsk[i];
    view.bidSize = book.qBidSize[i];
    view.askSize = book.qAskSize[i];
    return view;
  }

  subscribeQuotes(symbol: string, listener: () => void): () => void {
    const book = this.ensureDay(symbol, this.clock.nowUs()) ?? this.bookFor(symbol);
    book.listeners.push(listener);
    if (book.listeners.length === 1 && book.hasTape) {
      this.readSeen(book);
      this.scheduleNextFeed(book);
    }
    this.refreshActive(book);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const at = book.listeners.indexOf(listener);
      if (at >= 0) book.listeners.splice(at, 1);
      if (book.listeners.length === 0) book.nextFeedUs = Infinity;
      this.refreshActive(book);
    };
  }

  submit(request: ChildOrderRequest): void {
    const now = this.clock.nowUs();
    const order = new SimOrder(request, this.latency.entry.deliver(now));
    this.ensureDay(request.symbol, now);
    const duplicate = this.orders.has(request.clientOrderId);
    if (!duplicate) this.orders.set(request.clientOrderId, order);
    this.clock.schedule(order.venueArrivalUs, EventClass.venue, () => this.onOrderArrival(order, duplicate));
  }

  cancel(clientOrderId: string): void {
    const now = this.clock.nowUs();
    const order = this.orders.get(clientOrderId);
    let at = this.latency.cancel.deliver(now);
    // Same session as the order: a cancel never reaches the venue before the order it cancels.
    if (order && order.venueArrivalUs > at) at = order.venueArrivalUs;
    this.clock.schedule(at, EventClass.venue, () => this.onCancelArrival(clientOrderId));
  }

  queryOrder(clientOrderId: string): void {
    const at = this.latency.entry.deliver(this.clock.nowUs());
    this.clock.schedule(at, EventClass.venue, () => {
      const order = this.orders.get(clientOrderId);
      this.respond({
        type: 'status',
        clientOrderId,
        tsUs: this.clock.nowUs(),
        status: order ? order.status : 'unknown',
        cumQty: order ? order.cumQty : 0,
      });
    });
  }

  setOrderListener(listener: (event: OrderEvent) => void): void {
    this.listener = listener;
  }

  /**
   * Regular session 09:30–16:00 New York of the day of `tsUs` when it is a trading day in the data
   * (weekdays when no day list is known) and `tsUs` is before its close; otherwise the next one.
   */
  session(tsUs: number): SessionInfo {
    const day = nyDay(tsUs);
    const candidates = this.days.length > 0 ? this.days.filter((d) => d >= day) : weekdaysFrom(day, 7);
    for (const d of candidates) {
      const { openUs, closeUs } = regularSession(d);
      if (tsUs < closeUs) return { isOpen: tsUs >= openUs, openUs, closeUs };
    }
    return { isOpen: false, openUs: null, closeUs: null };
  }

  // ── running ──────────────────────────────────────────────────────────────────────────────

  /**
   * Process every event whose key is before (untilUs, beforeClass): tape events of active symbols
   * and everything in the clock's heap, in key order. `run(t, EventClass.timer)` stops just before
   * the engine timers at t — where a parent order arriving at t is handed to the engine.
   */
  run(untilUs = Infinity, beforeClass: number = EventClass.trade): void {
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
        const peek = this.peekBook(book);
        const us = peek[0];
        const cls = peek[1];
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
        let limitUs = heapUs;
        let limitClass = heapClass;
        if (keyBefore(secondUs, secondClass, limitUs, limitClass)) {
          limitUs = secondUs;
          limitClass = secondClass;
        }
        if (keyBefore(untilUs, beforeClass, limitUs, limitClass)) {
          limitUs = untilUs;
          limitClass = beforeClass;
        }
        this.burst(best, limitUs, limitClass);
      } else {
        if (heapUs === Infinity || !keyBefore(heapUs, heapClass, untilUs, beforeClass)) break;
        clock.runNext();
      }
    }
    if (untilUs !== Infinity && untilUs > clock.nowUs()) clock.advanceTo(untilUs);
  }

  /** Children resting now, all symbols. */
  restingCount(): number {
    let n = 0;
    for (const book of this.books.values()) n += book.resting.length;
    return n;
  }

  // ── the hot loop ─────────────────────────────────────────────────────────────────────────

  private readonly peekResult: [number, number] = [Infinity, NO_EVENT];

  /** Next tape event of an active book: (tsUs, class). Reuses one tuple. */
  private peekBook(book: Book): [number, number] {
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
    const out = this.peekResult;
    out[0] = us;
    out[1] = cls;
    return out;
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
    let nowUs = this.clock.nowUs();
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
      nowUs = us;
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
        this.deliverFeed(book);
        break;
      }
    }
    book.qi = qi;
    book.ti = ti;
    this.stats.quoteEvents += quoteEvents;
    this.stats.tradeEvents += tradeEvents;
    if (nowUs > this.clock.nowUs()) this.clock.advanceTo(nowUs);
  }

  /** A new quote at the venue: crossing fills, then the model's depth hook. True if anything filled. */
  private applyQuote(book: Book, i: number, tsUs: number): boolean {
    const bid = book.qBid[i];
    const ask = book.qAsk[i];
    const usable = ask - bid > PRICE_EPSILON && bid > 0;
    const orders = book.resting;
    const model = this.model;
    let filled = false;
    for (let k = 0; k < orders.length; k++) {
      const o = orders[k];
      if (o.isBuy) {
        if (usable && ask <= o.limitPrice + PRICE_EPSILON) {
          const shares = Math.min(o.qty - o.cumQty, this.availableAsk(book, i));
          if (shares > 0) {
            this.takeAsk(book, i, shares);
            this.fill(o, shares, o.limitPrice, tsUs);
            filled = true;
          }
        }
        if (model.usesDepth && o.resting) model.depth(o, bid, book.qBidSize[i]);
      } else {
        if (usable && bid >= o.limitPrice - PRICE_EPSILON) {
          const shares = Math.min(o.qty - o.cumQty, this.availableBid(book, i));
          if (shares > 0) {
            this.takeBid(book, i, shares);
            this.fill(o, shares, o.limitPrice, tsUs);
            filled = true;
          }
        }
        if (model.usesDepth && o.resting) model.depth(o, ask, book.qAskSize[i]);
      }
    }
    if (filled) this.compactResting(book);
    return filled;
  }

  /** A print at the venue: through fills, then the model for prints at the limit. True if anything filled. */
  private applyTrade(book: Book, i: number, tsUs: number): boolean {
    if (book.tEligible[i] === 0 && !this.includeIneligible) return false;
    const price = book.tPrice[i];
    const size = book.tSize[i];
    const orders = book.resting;
    const model = this.model;
    let filled = false;
    for (let k = 0; k < orders.length; k++) {
      const o = orders[k];
      const through = o.isBuy ? price < o.limitPrice - PRICE_EPSILON : price > o.limitPrice + PRICE_EPSILON;
      let shares = 0;
      if (through) {
        shares = o.qty - o.cumQty;
      } else if (Math.abs(price - o.limitPrice) <= PRICE_EPSILON) {
        model.trade(o, size);
        shares = Math.min(o.qty - o.cumQty, model.isFilled(o));
      }
      if (shares > 0) {
        const available = book.takenTradeIdx === i ? size - book.takenTrade : size;
        if (shares > available) shares = available;
        if (shares > 0) {
          if (book.takenTradeIdx !== i) {
            book.takenTradeIdx = i;
            book.takenTrade = 0;
          }
          book.takenTrade += shares;
          this.fill(o, shares, o.limitPrice, tsUs);
          filled = true;
        }
      }
    }
    if (filled) this.compactResting(book);
    return filled;
  }

  private availableAsk(book: Book, i: number): number {
    return book.qAskSize[i] - (book.takenQuoteIdx === i ? book.takenAsk : 0);
  }

  private availableBid(book: Book, i: number): number {
    return book.qBidSize[i] - (book.takenQuoteIdx === i ? book.takenBid : 0);
  }

  private takeAsk(book: Book, i: number, shares: number): void {
    this.touchQuote(book, i);
    book.takenAsk += shares;
  }

  private takeBid(book: Book, i: number, shares: number): void {
    this.touchQuote(book, i);
    book.takenBid += shares;
  }

  private touchQuote(book: Book, i: number): void {
    if (book.takenQuoteIdx !== i) {
      book.takenQuoteIdx = i;
      book.takenBid = 0;
      book.takenAsk = 0;
    }
  }

  // ── venue ────────────────────────────────────────────────────────────────────────────────

  private onOrderArrival(order: SimOrder, duplicate: boolean): void {
    const now = this.clock.nowUs();
    this.stats.ordersArrived++;
    const reason = duplicate
      ? 'duplicate_client_order_id'
      : !(order.qty > 0) || !Number.isFinite(order.qty)
        ? 'invalid_qty'
        : !(order.limitPrice > 0) || !Number.isFinite(order.limitPrice)
          ? 'invalid_price'
          : !this.books.get(order.symbol)?.hasTape
            ? 'unknown_symbol'
            : null;
    if (reason !== null) {
      if (!duplicate) order.status = 'rejected';
      this.respond({ type: 'rejected', clientOrderId: order.clientOrderId, tsUs: now, reason });
      return;
    }
    const book = this.books.get(order.symbol)!;
    order.status = 'new';
    this.respond({ type: 'accepted', clientOrderId: order.clientOrderId, tsUs: now });
    if (book.resting.length === 0) this.syncVenueCursors(book, now);

    // Marketable on arrival: a taker at the displayed far touch, up to its size.
    const i = book.qi - 1;
    if (i >= 0) {
      const bid = book.qBid[i];
      const ask = book.qAsk[i];
      if (ask - bid > PRICE_EPSILON && bid > 0) {
        if (order.isBuy && ask <= order.limitPrice + PRICE_EPSILON) {
          const shares = Math.min(order.remainingQty, this.availableAsk(book, i));
          if (shares > 0) {
            this.takeAsk(book, i, shares);
            this.fill(order, shares, ask, now);
          }
        } else if (!order.isBuy && bid >= order.limitPrice - PRICE_EPSILON) {
          const shares = Math.min(order.remainingQty, this.availableBid(book, i));
          if (shares > 0) {
            this.takeBid(book, i, shares);
            this.fill(order, shares, bid, now);
          }
        }
      }
    }
    if (order.remainingQty <= 0) return;
    if (order.timeInForce === 'ioc') {
      order.status = 'canceled';
      this.respond({ type: 'canceled', clientOrderId: order.clientOrderId, tsUs: now, cumQty: order.cumQty });
      return;
    }
    // Rest at L: the fill model learns where in the queue the child stands.
    resetFillState(order);
    if (i >= 0) {
      this.model.newOrder(order, order.isBuy ? book.qBid[i] : book.qAsk[i], order.isBuy ? book.qBidSize[i] : book.qAskSize[i]);
    } else {
      this.model.newOrder(order, Number.NaN, 0);
    }
    order.resting = true;
    book.resting.push(order);
    this.refreshActive(book);
  }

  private onCancelArrival(clientOrderId: string): void {
    const now = this.clock.nowUs();
    const order = this.orders.get(clientOrderId);
    if (!order) {
      this.respond({ type: 'cancel_rejected', clientOrderId, tsUs: now, reason: 'unknown_order' });
      return;
    }
    if (order.status === 'new' || order.status === 'partially_filled') {
      if (order.resting) {
        order.resting = false;
        this.compactResting(this.books.get(order.symbol)!);
      }
      order.status = 'canceled';
      this.respond({ type: 'canceled', clientOrderId, tsUs: now, cumQty: order.cumQty });
      return;
    }
    // Too late: the order already filled (the fill stands), or was canceled/rejected before.
    const reason = order.status === 'filled' ? 'already_filled' : order.status === 'canceled' ? 'already_canceled' : `order_${order.status}`;
    this.respond({ type: 'cancel_rejected', clientOrderId, tsUs: now, reason });
  }

  private fill(order: SimOrder, shares: number, price: number, tsUs: number): void {
    if (tsUs > this.clock.nowUs()) this.clock.advanceTo(tsUs);
    order.cumQty += shares;
    order.execCount++;
    order.status = order.cumQty >= order.qty ? 'filled' : 'partially_filled';
    if (order.status === 'filled') order.resting = false;
    this.stats.fills++;
    this.respond({
      type: 'fill',
      clientOrderId: order.clientOrderId,
      tsUs,
      execId: `${order.clientOrderId}-x${order.execCount}`,
      qty: shares,
      price,
      cumQty: order.cumQty,
    });
  }

  /** Venue → engine, over the response channel (in order). */
  private respond(event: OrderEvent): void {
    const at = this.latency.response.deliver(this.clock.nowUs());
    this.clock.schedule(at, EventClass.engine, () => this.listener?.(event));
  }

  private compactResting(book: Book): void {
    const kept = book.resting.filter((o) => o.resting);
    if (kept.length !== book.resting.length) {
      book.resting = kept;
      this.refreshActive(book);
    }
  }

  private syncVenueCursors(book: Book, nowUs: number): void {
    if (book.qi < book.qn && book.qTs[book.qi] <= nowUs) book.qi = upperBound(book.qTs, nowUs, book.qi);
    if (book.ti < book.tn && book.tTs[book.ti] <= nowUs) book.ti = upperBound(book.tTs, nowUs, book.ti);
  }

  // ── feed (venue → engine quotes) ─────────────────────────────────────────────────────────

  /** Bring the engine's view of `book` up to now (reads; deliveries while subscribed do it themselves). */
  private readSeen(book: Book): void {
    const now = this.clock.nowUs();
    if (book.lastReadUs === now) return;
    book.lastReadUs = now;
    if (this.feed.isFixed) {
      const lag = this.feed.sampleUs();
      book.feedLagUs = lag;
      this.advanceSeen(book, now - lag);
    } else if (book.listeners.length === 0) {
      // Sampled lag, per read; the view never goes back to an older quote (the channel keeps order).
      const lag = this.feed.sampleUs();
      book.feedLagUs = lag;
      this.advanceSeen(book, now - lag);
    }
  }

  private advanceSeen(book: Book, asOfUs: number): void {
    const from = book.seenIdx + 1;
    if (from < book.qn && book.qTs[from] <= asOfUs) book.seenIdx = upperBound(book.qTs, asOfUs, from) - 1;
  }

  /** Delivery time of quote seenIdx + 1 while the engine listens. */
  private scheduleNextFeed(book: Book): void {
    const next = book.seenIdx + 1;
    book.nextFeedIdx = next;
    if (next >= book.qn) {
      book.nextFeedUs = Infinity;
      return;
    }
    const now = this.clock.nowUs();
    let at = book.qTs[next] + this.feed.sampleUs();
    if (at < book.lastFeedDeliveryUs) at = book.lastFeedDeliveryUs;
    if (at < now) at = now;
    book.lastFeedDeliveryUs = at;
    book.nextFeedUs = at;
  }

  /** Quotes reach the engine: every quote delivered by now is applied, then listeners run once. */
  private deliverFeed(book: Book): void {
    const now = this.clock.nowUs();
    this.stats.feedEvents++;
    // max(): a read of this book during another delivery at the same instant may have moved it already.
    if (book.nextFeedIdx > book.seenIdx) book.seenIdx = book.nextFeedIdx;
    book.feedLagUs = now - book.qTs[book.seenIdx];
    this.scheduleNextFeed(book);
    while (book.nextFeedUs <= now) {
      book.seenIdx = book.nextFeedIdx;
      this.scheduleNextFeed(book);
    }
    book.lastReadUs = now;
    if (this.feed.isFixed) book.feedLagUs = this.feed.sampleUs();
    const listeners = this.notifyScratch;
    listeners.length = 0;
    for (const l of book.listeners) listeners.push(l);
    for (const l of listeners) {
      if (book.listeners.includes(l)) l();
    }
    listeners.length = 0;
  }

  // ── bookkeeping ──────────────────────────────────────────────────────────────────────────

  private bookFor(symbol: string): Book {
    let book = this.books.get(symbol);
    if (!book) {
      book = new Book(symbol);
      this.books.set(symbol, book);
    }
    return book;
  }

  /** A book is walked while children rest on it or the engine waits for its quotes. */
  private refreshActive(book: Book): void {
    const shouldBe = book.hasTape && (book.resting.length > 0 || book.listeners.length > 0);
    if (shouldBe === book.active) return;
    book.active = shouldBe;
    this.active = shouldBe ? [...this.active, book] : this.active.filter((b) => b !== book);
  }
}

function emptySymbolDay(symbol: string, day: string): SymbolDay {
  return { symbol, day, quotes: allocQuoteColumns(0), trades: allocTradeColumns(0) };
}
