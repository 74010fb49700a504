/**
 * SimMarket: the engine's `Market` port over replayed tapes (DESIGN §3), and the venue behind it.
 * The work is split by job:
 *   · book.ts        — tape cursors: one symbol-day's columns, the venue's and the feed's cursors;
 *   · matching.ts    — fills every fill model shares (arrival taker, quote and print through L);
 *   · fill/          — the fill models (prints AT the limit, queue position);
 *   · quote-feed.ts  — which quote the engine sees, after the feed latency;
 *   · event-loop.ts  — the deterministic merge of tape events and the clock's heap.
 * This file is the port and the venue's order lifecycle: orders and cancels travel over their
 * latency channels, arrive, rest, fill, and every answer goes back over the response channel.
 *
 * An order arriving at t sees the quote stamped t but never fills on a print stamped t (trades and
 * quotes at t come first; the cursors restart after t). Cancels travel on their own channel but
 * never overtake the order they cancel; a fill that happens before the cancel reaches the venue
 * stands, and the cancel is answered `cancel_rejected`.
 */
import { removeAt } from '../core/list.ts';
import { nyDay } from '../core/calendar.ts';
import type { SimRunConfig } from './config.ts';
import type { ChildOrderRequest, Market, OrderEvent, SessionInfo } from '../engine/ports.ts';
import type { Quote } from '../engine/types.ts';
import { Book, emptySymbolDay } from './book.ts';
import { EventClass, type VirtualClock } from './clock.ts';
import { EventLoop } from './event-loop.ts';
import { makeFillModel } from './fill/index.ts';
import { BeyondTouch } from './fill/beyond-touch.ts';
import { makeTickTable, type TickTable } from '../engine/ticks.ts';
import { makeLatencyChannels, type LatencyChannels } from './latency.ts';
import { Matching } from './matching.ts';
import { SimOrder } from './order.ts';
import { OrdersById } from './orders-by-id.ts';
import { QuoteFeed } from './quote-feed.ts';
import { SessionCalendar } from './sessions.ts';
import type { SymbolDay } from '../data/tape/tape.ts';

export { SimOrder } from './order.ts';

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
  /** The symbols' ticks (the config's `ticks.overrides`), for levels behind the touch; Rule 612 when absent. */
  ticks?: TickTable;
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
  private readonly latency: LatencyChannels;
  private readonly feed: QuoteFeed;
  private readonly matching: Matching;
  private readonly loop: EventLoop;
  private readonly sessions: SessionCalendar;
  private readonly books = new Map<string, Book>();
  private readonly orders = new OrdersById();
  private listener: ((event: OrderEvent) => void) | null = null;
  private readonly loadTape: ((symbol: string, day: string) => SymbolDay | null) | null;
  private fills = 0;
  private ordersArrived = 0;
  /** Tapes added so far (directly or through the loader, empty days included). */
  tapesLoaded = 0;

  constructor(options: SimMarketOptions) {
    this.clock = options.clock;
    this.latency = makeLatencyChannels(options.sim.latency, options.seed);
    this.feed = new QuoteFeed(this.clock, this.latency.feed);
    const model = makeFillModel(options.sim, options.seed);
    const beyond = new BeyondTouch(options.sim.beyond_touch);
    const ticks = options.ticks ?? makeTickTable();
    this.matching = new Matching(model, options.sim.include_ineligible, (order, shares, price, tsUs) => this.fill(order, shares, price, tsUs), beyond, ticks);
    this.loop = new EventLoop(this.clock, this.matching, this.feed);
    this.loadTape = options.loadTape ?? null;
    for (const tape of options.tapes ?? []) this.addTape(tape);
    this.sessions = new SessionCalendar(options.days ?? (options.tapes ?? []).map((t) => t.day));
  }

  get stats(): SimMarketStats {
    const { quoteEvents, tradeEvents } = this.loop.counts;
    return { quoteEvents, tradeEvents, feedEvents: this.feed.deliveries, fills: this.fills, ordersArrived: this.ordersArrived };
  }

  // ── tapes ────────────────────────────────────────────────────────────────────────────────

  /** Make `tape` the symbol's current day (replacing an earlier day); cursors start after now. */
  addTape(tape: SymbolDay): void {
    const book = this.bookFor(tape.symbol);
    this.tapesLoaded++;
    book.load(tape, this.clock.nowUs());
    if (book.listeners.length > 0) {
      this.feed.readSeen(book);
      this.feed.scheduleNext(book);
    }
    this.loop.refreshActive(book);
  }

  /** With a loader: make sure the symbol's tape is the New York day of `nowUs`. */
  private ensureDay(symbol: string, nowUs: number): Book | undefined {
    const book = this.books.get(symbol);
    if (this.loadTape === null || (book !== undefined && nowUs >= book.dayStartUs && nowUs < book.dayEndUs)) return book;
    const day = nyDay(nowUs);
    this.addTape(this.loadTape(symbol, day) ?? emptySymbolDay(symbol, day));
    return this.books.get(symbol)!;
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
    this.feed.readSeen(book);
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
      this.feed.readSeen(book);
      this.feed.scheduleNext(book);
    }
    this.loop.refreshActive(book);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const at = book.listeners.indexOf(listener);
      if (at >= 0) removeAt(book.listeners, at);
      if (book.listeners.length === 0) book.nextFeedUs = Infinity;
      this.loop.refreshActive(book);
    };
  }

  submit(request: ChildOrderRequest): void {
    const now = this.clock.nowUs();
    const order = new SimOrder(request, this.latency.entry.deliver(now));
    this.ensureDay(request.symbol, now);
    order.duplicateId = !this.orders.add(order);
    this.clock.scheduleCall(order.venueArrivalUs, EventClass.venue, this.orderArrives, order);
  }

  cancel(clientOrderId: string): void {
    const now = this.clock.nowUs();
    const order = this.orders.get(clientOrderId);
    let at = this.latency.cancel.deliver(now);
    // Same session as the order: a cancel never reaches the venue before the order it cancels.
    if (order && order.venueArrivalUs > at) at = order.venueArrivalUs;
    this.clock.scheduleCall(at, EventClass.venue, this.cancelArrives, clientOrderId);
  }

  queryOrder(clientOrderId: string): void {
    const at = this.latency.entry.deliver(this.clock.nowUs());
    this.clock.scheduleCall(at, EventClass.venue, this.queryArrives, clientOrderId);
  }

  // One handler per kind of message reaching the venue (no closure per order, cancel or query).
  private readonly orderArrives = (order: SimOrder): void => this.onOrderArrival(order);
  private readonly cancelArrives = (clientOrderId: string): void => this.onCancelArrival(clientOrderId);
  private readonly queryArrives = (clientOrderId: string): void => {
    const order = this.orders.get(clientOrderId);
    this.respond({
      type: 'status',
      clientOrderId,
      tsUs: this.clock.nowUs(),
      status: order ? order.status : 'unknown',
      cumQty: order ? order.cumQty : 0,
    });
  };

  setOrderListener(listener: (event: OrderEvent) => void): void {
    this.listener = listener;
  }

  /** The regular session of `tsUs` or the next one (sessions.ts). */
  session(tsUs: number): SessionInfo {
    return this.sessions.at(tsUs);
  }

  // ── running ──────────────────────────────────────────────────────────────────────────────

  /**
   * Process every event whose key is before (untilUs, beforeClass): tape events of active symbols
   * and everything in the clock's heap, in key order. `run(t, EventClass.timer)` stops just before
   * the engine timers at t — where a parent order arriving at t is handed to the engine.
   */
  run(untilUs = Infinity, beforeClass: number = EventClass.trade): void {
    this.loop.run(untilUs, beforeClass);
  }

  /** Children resting now, all symbols. */
  restingCount(): number {
    let n = 0;
    for (const book of this.books.values()) n += book.resting.length;
    return n;
  }

  // ── venue ────────────────────────────────────────────────────────────────────────────────

  private onOrderArrival(order: SimOrder): void {
    const now = this.clock.nowUs();
    const duplicate = order.duplicateId;
    this.ordersArrived++;
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
    if (book.resting.length === 0) book.syncVenueCursors(now);

    // Marketable on arrival: a taker at the displayed far touch, up to its size.
    const i = book.qi - 1;
    if (i >= 0) this.matching.takeOnArrival(book, order, i, now);
    if (order.remainingQty <= 0) return;
    if (order.timeInForce === 'ioc') {
      order.status = 'canceled';
      this.respond({ type: 'canceled', clientOrderId: order.clientOrderId, tsUs: now, cumQty: order.cumQty });
      return;
    }
    // Rest at L: the fill model learns where in the queue the child stands.
    this.matching.startResting(book, order, i, now);
    this.loop.refreshActive(book);
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
        this.loop.compactResting(this.books.get(order.symbol)!);
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
    this.fills++;
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
    this.clock.scheduleCall(at, EventClass.engine, this.deliverToEngine, event);
  }

  /** One handler for every venue answer (no closure per message). */
  private readonly deliverToEngine = (event: OrderEvent): void => {
    this.listener?.(event);
  };

  private bookFor(symbol: string): Book {
    let book = this.books.get(symbol);
    if (!book) {
      book = new Book(symbol);
      this.books.set(symbol, book);
    }
    return book;
  }
}
