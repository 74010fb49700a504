/**
 * AlpacaMarket: the engine's Market port on Alpaca (DESIGN §4). The engine is synchronous; this
 * adapter turns REST promises and stream messages into synchronous calls of the engine's
 * listeners, always from a fresh turn of the event loop (a promise continuation, a socket message,
 * a timer) — never from inside an engine call.
 *
 * Orders. Each engine child `c` goes to the venue as client_order_id `<prefix><run tag>-<c>` (a
 * rerun never collides with an earlier run's ids; reconcile.ts finds leftovers by the prefix).
 *   submit  POST once; on 429/5xx/network failure, GET by client order id BEFORE any re-send
 *           (exactly one order per client id: a lost answer is found, not duplicated); after the
 *           last attempt one more GET decides between adopting the order and `rejected`.
 *   cancel  DELETE (retried: idempotent). Asked before the order id is known → sent once known.
 *           404/422 → `cancel_rejected` (the executor then asks for the order's state).
 *   query   GET by order id (by client id while unknown); asked during a submit → answered after it.
 *   replace PATCH the old order's venue id with the new limit, qty and client_order_id (the new
 *           child's, prefixed as submits are). Not idempotent: on 429/5xx/network failure, GET the
 *           NEW client order id BEFORE any re-send; after the last attempt one more GET decides.
 *           The answers, in the order ports.ts promises them:
 *             old `replaced` → `canceled` old (cumQty = its final filled_qty), then `accepted` new;
 *                              the new order's own updates wait until then (queued), and later
 *                              fills/cancels of the new venue order go to the new engine id
 *             PATCH 4xx, `order_replace_rejected`, or the new order `rejected` before it was
 *             accepted → `cancel_rejected` old, then `rejected` new
 *           A cancel of the old order asked meanwhile waits for the outcome (the venue refuses
 *           cancels of an order pending replace): sent if the replace is refused.
 * trade_updates → OrderEvents:
 *   new / accepted                   → accepted (once per child; the REST answer may come first)
 *   fill / partial_fill              → fill, de-duplicated by execution id; cumQty = order.filled_qty
 *   canceled / expired / done_for_day / replaced → canceled (once), cumQty = order.filled_qty
 *   rejected                         → rejected (once)
 *   order_cancel_rejected            → cancel_rejected
 *   order_replace_rejected           → cancel_rejected old + rejected new (a refused replace)
 * A terminal update whose filled_qty exceeds the fills seen is held up to reorder_wait_ms for the
 * missing fills (reordered updates), then delivered anyway: the engine sizes children from the
 * cumulative quantity, so nothing can over-fill either way. After the trade stream reconnects,
 * every open child is asked for over REST (`status` events cover updates missed while down).
 *
 * Quotes: quote-cache.ts (stream, REST fallback). Hours: session-clock.ts.
 */
import type { ChildOrderRequest, Market, OrderEvent, SessionInfo, VenueOrderStatus } from '../engine/ports.ts';
import type { Quote } from '../engine/types.ts';
import type { LiveApi, StreamQuoteMsg, StreamTradeMsg, TradeUpdateMsg, VenueOrder } from './alpaca-api.ts';
import { QuoteCache } from './quote-cache.ts';
import { isRetryable, withRetry, type RetryNotice, type RetryPolicy } from './retry.ts';
import { SessionClock } from './session-clock.ts';
import type { WallClock } from './wall-clock.ts';

interface Child {
  engineId: string;
  venueId: string;
  request: ChildOrderRequest;
  orderId: string | null;
  /** submitting: no answer yet; open: the venue has it; failed: it never existed. */
  phase: 'submitting' | 'open' | 'failed';
  acceptedSent: boolean;
  terminalSent: boolean;
  execIds: Set<string>;
  seenFillQty: number;
  maxCumQty: number;
  cancelWanted: boolean;
  queryWanted: boolean;
  held: { event: OrderEvent; timer: number } | null;
  watching: boolean;
  /** A replacement: the child it replaces (kept after the outcome, to tell a refusal from a later reject). */
  replaces: Child | null;
  /** An old child: its replacement, from the request until the replace is refused. */
  replacedBy: Child | null;
  /** An old child: the venue reported it `replaced` (its replacement is live). */
  venueReplaced: boolean;
  /** A replacement whose old child has not ended yet: its updates wait in `queued`. */
  blocked: boolean;
  queued: (() => void)[];
  /** An old child: a cancel asked while its replace was unresolved, sent if the replace is refused. */
  cancelAfterReplace: boolean;
  /** Cancels the engine asked for this child. */
  cancelRequests: number;
  /** A replacement reported `rejected` to the engine (refused): if the venue shows it live after all, it is canceled. */
  refused: boolean;
  orphanCanceled: boolean;
  /** The quantity the engine asked for (request.qty follows the venue's shrinking). */
  engineQty: number;
  /** A replacement: the old child's filled qty as the engine knew it when it asked. */
  oldFilledAtRequest: number;
  /** A replacement the venue made: the most it may work, engineQty − (old's final fill − oldFilledAtRequest). */
  allowedQty: number | null;
  oversizeCanceled: boolean;
}

export interface AlpacaMarketStats {
  submits: number;
  submitAttempts: number;
  submitsFoundByClientId: number;
  /** Replace requests from the engine, PATCH attempts, lost answers found by the new client id, refusals. */
  replaces: number;
  replaceAttempts: number;
  replacesFoundByClientId: number;
  replacesRefused: number;
  /** Updates or answers about a replacement that waited for its old order's end (reordering). */
  replacementUpdatesHeld: number;
  /** Replacements the venue left larger than what the parent had left (fills it did not deduct), canceled at once. */
  oversizedReplacementsCanceled: number;
  cancels: number;
  queries: number;
  retries: number;
  tradeUpdates: number;
  duplicateFills: number;
  heldTerminals: number;
  streamDrops: { data: number; trading: number };
  reconnects: { data: number; trading: number };
  resyncs: number;
}

export interface AlpacaMarketOptions {
  clock: WallClock;
  api: LiveApi;
  /** execution.stale_ms */
  staleMs: number;
  retry: RetryPolicy;
  /** Venue client order id = prefix + run tag + '-' + engine child id. */
  clientIdPrefix: string;
  runTag: string;
  reorderWaitMs: number;
  /** Progress lines (already free of secrets: nothing here ever sees a key). */
  log?: (line: string) => void;
  /** The engine threw inside a listener, or a timer did: the run must stop. */
  onFatal?: (err: unknown) => void;
  /** Every stream quote and trade, and REST quotes newer than the stream's (the tape). */
  onQuoteSeen?: (symbol: string, q: { tsUs: number; bid: number; ask: number; bidSize: number; askSize: number }, source: 'stream' | 'rest') => void;
  onTradeSeen?: (trade: StreamTradeMsg) => void;
}

/** Alpaca order status → the engine's venue status. */
export function venueStatus(status: string): VenueOrderStatus {
  switch (status) {
    case 'pending_new':
      return 'pending_new';
    case 'new':
    case 'accepted':
    case 'accepted_for_bidding':
    case 'pending_cancel':
    case 'pending_replace':
    case 'calculated':
    case 'held':
      return 'new';
    case 'partially_filled':
      return 'partially_filled';
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'expired':
    case 'done_for_day':
    case 'replaced':
    case 'stopped':
    case 'suspended':
      return 'canceled';
    case 'rejected':
      return 'rejected';
    default:
      return 'unknown';
  }
}

const TERMINAL_EVENTS = new Set(['canceled', 'expired', 'done_for_day', 'replaced']);

export class AlpacaMarket implements Market {
  readonly quotes: QuoteCache;
  readonly hours: SessionClock;
  readonly stats: AlpacaMarketStats = {
    submits: 0,
    submitAttempts: 0,
    submitsFoundByClientId: 0,
    replaces: 0,
    replaceAttempts: 0,
    replacesFoundByClientId: 0,
    replacesRefused: 0,
    replacementUpdatesHeld: 0,
    oversizedReplacementsCanceled: 0,
    cancels: 0,
    queries: 0,
    retries: 0,
    tradeUpdates: 0,
    duplicateFills: 0,
    heldTerminals: 0,
    streamDrops: { data: 0, trading: 0 },
    reconnects: { data: 0, trading: 0 },
    resyncs: 0,
  };
  private readonly clock: WallClock;
  private readonly api: LiveApi;
  private readonly options: AlpacaMarketOptions;
  private listener: ((event: OrderEvent) => void) | null = null;
  private readonly observers: ((event: OrderEvent) => void)[] = [];
  private readonly byEngineId = new Map<string, Child>();
  private readonly byVenueId = new Map<string, Child>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private tradingDown = false;
  private dataDown = false;

  constructor(options: AlpacaMarketOptions) {
    this.options = options;
    this.clock = options.clock;
    this.api = options.api;
    const log = options.log ?? (() => {});
    this.quotes = new QuoteCache({
      clock: options.clock,
      staleMs: options.staleMs,
      fetchLatest: (symbol) => this.retry(`latest quote ${symbol}`, () => this.api.data.latestQuote(symbol)),
      onRestQuote: (symbol, q) => {
        this.clock.observe(q.tsUs);
        options.onQuoteSeen?.(symbol, q, 'rest');
      },
      onError: (what, err, fatal) => (fatal ? this.fatal(err) : log(`live: ${what} failed: ${describe(err)}`)),
    });
    this.hours = new SessionClock(options.clock, () => this.retry('clock', () => this.api.trading.clock()), {
      refreshClockUs: 60e6,
      onError: (err) => log(`live: clock failed: ${describe(err)}`),
    });

    this.api.dataStream.onQuote((q) => this.guard(() => this.onStreamQuote(q)));
    this.api.dataStream.onTrade((t) => this.guard(() => this.onStreamTrade(t)));
    this.api.dataStream.onState((state, detail) => {
      if (state === 'down' && !this.dataDown) {
        this.dataDown = true;
        this.stats.streamDrops.data++;
        log('live: market-data stream down — quotes from REST until it is back');
      } else if (state === 'up' && this.dataDown) {
        this.dataDown = false;
        this.stats.reconnects.data++;
        log('live: market-data stream back');
      } else if (state === 'failed') log(`live: market-data stream: ${detail}`);
    });
    this.api.tradeStream.onUpdate((u) => this.guard(() => this.onTradeUpdate(u)));
    this.api.tradeStream.onState((state, detail) => {
      if (state === 'down' && !this.tradingDown) {
        this.tradingDown = true;
        this.stats.streamDrops.trading++;
        log('live: trade_updates stream down — order states from REST until it is back');
      } else if (state === 'up' && this.tradingDown) {
        this.tradingDown = false;
        this.stats.reconnects.trading++;
        log('live: trade_updates stream back — re-reading open children');
        this.resyncOpenChildren();
      } else if (state === 'failed') log(`live: trade_updates stream: ${detail}`);
    });
  }

  // ── Market port ──────────────────────────────────────────────────────────────────────────

  latestQuote(symbol: string): Quote | undefined {
    return this.quotes.latest(symbol);
  }

  subscribeQuotes(symbol: string, listener: () => void): () => void {
    return this.quotes.subscribe(symbol, listener);
  }

  session(tsUs: number): SessionInfo {
    return this.hours.session(tsUs);
  }

  setOrderListener(listener: (event: OrderEvent) => void): void {
    this.listener = listener;
  }

  /** Also see every event delivered to the engine (the run tracks late fills after a shutdown). */
  addObserver(observer: (event: OrderEvent) => void): void {
    this.observers.push(observer);
  }

  venueClientId(engineId: string): string {
    return `${this.options.clientIdPrefix}${this.options.runTag}-${engineId}`;
  }

  submit(request: ChildOrderRequest): void {
    const existing = this.byEngineId.get(request.clientOrderId);
    if (existing) {
      // The engine never re-uses a child id; if it did, the venue would refuse it too.
      this.later(() => this.deliver({ type: 'rejected', clientOrderId: request.clientOrderId, tsUs: this.clock.nowUs(), reason: 'duplicate_client_order_id' }));
      return;
    }
    const child = this.newChild(request);
    this.stats.submits++;
    this.track(this.submitFlow(child));
  }

  /**
   * Replace the working child `oldClientOrderId` by `request` in one PATCH (ports.ts has the
   * answers). Refused at once (on a later turn) when the old child is unknown, not acknowledged,
   * already done or already being replaced.
   */
  replace(oldClientOrderId: string, request: ChildOrderRequest): void {
    this.stats.replaces++;
    if (this.byEngineId.has(request.clientOrderId)) {
      // Never re-used by the engine; the child holding the id is left alone.
      this.later(() => this.refuseReplace(null, oldClientOrderId, null, request.clientOrderId, 'duplicate_client_order_id'));
      return;
    }
    const next = this.newChild(request);
    const old = this.byEngineId.get(oldClientOrderId) ?? null;
    const why =
      old === null
        ? 'unknown_order'
        : old.phase === 'failed' || old.terminalSent || old.held
          ? 'not_replaceable'
          : old.orderId === null
            ? 'not_acknowledged'
            : old.replacedBy !== null
              ? 'replace_pending'
              : null;
    if (old === null || why !== null) {
      this.later(() => this.refuseReplace(old, oldClientOrderId, next, next.engineId, why ?? 'unknown_order'));
      return;
    }
    old.replacedBy = next;
    next.replaces = old;
    next.blocked = true;
    next.oldFilledAtRequest = old.maxCumQty;
    this.track(this.replaceFlow(old, next));
  }

  cancel(clientOrderId: string): void {
    const child = this.byEngineId.get(clientOrderId);
    if (!child) {
      this.later(() => this.deliver({ type: 'cancel_rejected', clientOrderId, tsUs: this.clock.nowUs(), reason: 'unknown_order' }));
      return;
    }
    if (child.terminalSent || child.phase === 'failed') return;
    child.cancelRequests++;
    if (child.replacedBy !== null) {
      // Being replaced: the venue refuses cancels meanwhile; the outcome decides.
      child.cancelAfterReplace = true;
      return;
    }
    if (child.orderId === null || child.blocked) {
      child.cancelWanted = true;
      return;
    }
    this.track(this.cancelFlow(child));
  }

  queryOrder(clientOrderId: string): void {
    const child = this.byEngineId.get(clientOrderId);
    if (!child) {
      this.later(() => this.deliver({ type: 'status', clientOrderId, tsUs: this.clock.nowUs(), status: 'unknown', cumQty: 0 }));
      return;
    }
    if (child.phase === 'submitting' && child.orderId === null) {
      child.queryWanted = true;
      return;
    }
    this.track(this.queryFlow(child));
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────

  /** Children the venue may still work (sent, not known to be done). */
  openChildren(): { engineId: string; venueId: string; orderId: string | null; symbol: string }[] {
    return [...this.byEngineId.values()]
      .filter((c) => c.phase !== 'failed' && !c.terminalSent && !(c.maxCumQty >= c.request.qty))
      .map((c) => ({ engineId: c.engineId, venueId: c.venueId, orderId: c.orderId, symbol: c.request.symbol }));
  }

  /** Cancel every open child directly (shutdown after the engine let go). */
  cancelAllOpen(): void {
    for (const c of this.openChildren()) this.cancel(c.engineId);
  }

  /** Wait for every REST call in flight. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.quotes.settle();
  }

  stop(): void {
    for (const child of this.byEngineId.values()) {
      if (child.held) this.clock.cancelTimer(child.held.timer);
    }
    this.quotes.stop();
    this.hours.stop();
  }

  // ── streams ──────────────────────────────────────────────────────────────────────────────

  private onStreamQuote(q: StreamQuoteMsg): void {
    this.clock.observe(q.tsUs);
    this.options.onQuoteSeen?.(q.symbol, q, 'stream');
    this.quotes.onStreamQuote(q);
  }

  private onStreamTrade(t: StreamTradeMsg): void {
    this.clock.observe(t.tsUs);
    this.options.onTradeSeen?.(t);
    this.quotes.onStreamMessage(t.symbol);
  }

  private onTradeUpdate(u: TradeUpdateMsg): void {
    this.stats.tradeUpdates++;
    const child = this.byVenueId.get(u.order.clientOrderId);
    if (!child) return; // not this run's order
    this.clock.observe(u.tsUs);
    const tsUs = Number.isFinite(u.tsUs) ? Math.min(u.tsUs, this.clock.nowUs()) : this.clock.nowUs();
    this.learnOrderId(child, u.order.id);
    this.learnVenueQty(child, u.order.qty);
    if (child.blocked && u.event !== 'rejected') {
      // A replacement speaks only after its old order has ended (reordered updates).
      this.stats.replacementUpdatesHeld++;
      child.queued.push(() => this.applyTradeUpdate(child, u, tsUs));
      return;
    }
    this.applyTradeUpdate(child, u, tsUs);
  }

  private applyTradeUpdate(child: Child, u: TradeUpdateMsg, tsUs: number): void {
    this.mapTradeUpdate(child, u, tsUs);
    // Only the venue's own word once the order works (`new`, fills) shows its size after the replace.
    if (u.event === 'new' || u.event === 'fill' || u.event === 'partial_fill') this.checkOversized(child, u.order.qty);
  }

  private mapTradeUpdate(child: Child, u: TradeUpdateMsg, tsUs: number): void {
    switch (u.event) {
      case 'new':
      case 'accepted':
        if (child.refused) return this.cancelOrphan(child);
        return this.sendAccepted(child, tsUs);
      case 'fill':
      case 'partial_fill':
        if (child.refused) this.cancelOrphan(child);
        return this.onFillUpdate(child, u, tsUs);
      case 'rejected':
        if (child.replaces !== null && !child.acceptedSent) return this.refuseReplace(child.replaces, child.replaces.engineId, child, child.engineId, 'venue_rejected');
        return this.sendTerminal(child, { type: 'rejected', clientOrderId: child.engineId, tsUs, reason: 'venue_rejected' });
      case 'order_replace_rejected':
        if (child.replacedBy !== null) return this.refuseReplace(child, child.engineId, child.replacedBy, child.replacedBy.engineId, u.event);
        return this.deliver({ type: 'cancel_rejected', clientOrderId: child.engineId, tsUs, reason: u.event });
      case 'order_cancel_rejected':
        return this.deliver({ type: 'cancel_rejected', clientOrderId: child.engineId, tsUs, reason: u.event });
      default:
        if (TERMINAL_EVENTS.has(u.event)) {
          if (u.event === 'replaced') child.venueReplaced = true;
          return this.sendTerminal(child, { type: 'canceled', clientOrderId: child.engineId, tsUs, cumQty: u.order.filledQty });
        }
    }
  }

  private onFillUpdate(child: Child, u: TradeUpdateMsg, tsUs: number): void {
    const cumQty = u.order.filledQty;
    const qty = u.qty ?? cumQty - child.seenFillQty;
    const execId = u.executionId ?? `${u.order.id}:${cumQty}`;
    if (child.execIds.has(execId)) {
      this.stats.duplicateFills++;
      return;
    }
    if (!(qty > 0)) return;
    child.execIds.add(execId);
    child.seenFillQty += qty;
    child.maxCumQty = Math.max(child.maxCumQty, cumQty);
    const price = u.price ?? u.order.filledAvgPrice ?? child.request.limitPrice;
    // A fill proves the venue took the order: acknowledge first (a cancel may wait on it).
    this.sendAccepted(child, tsUs);
    this.deliver({ type: 'fill', clientOrderId: child.engineId, tsUs, execId, qty, price, cumQty: child.maxCumQty });
    if (child.maxCumQty >= child.request.qty || u.event === 'fill') {
      this.markDone(child);
      this.releaseReplacement(child);
    }
    if (child.held && child.seenFillQty >= heldCumQty(child.held.event)) this.releaseHeld(child);
  }

  private sendAccepted(child: Child, tsUs: number): void {
    if (child.acceptedSent || child.terminalSent) return;
    child.acceptedSent = true;
    if (child.phase === 'submitting') child.phase = 'open';
    this.deliver({ type: 'accepted', clientOrderId: child.engineId, tsUs });
    if (child.cancelWanted && child.orderId !== null) {
      child.cancelWanted = false;
      this.track(this.cancelFlow(child));
    }
  }

  /** One terminal event per child; held while fills it reports have not been seen (reordering). */
  private sendTerminal(child: Child, event: OrderEvent): void {
    if (child.terminalSent || child.held) return;
    const cum = heldCumQty(event);
    if (event.type === 'canceled' && cum > child.seenFillQty && this.options.reorderWaitMs > 0) {
      this.stats.heldTerminals++;
      const atUs = this.clock.nowUs() + this.options.reorderWaitMs * 1000 * this.clock.speed;
      child.held = { event, timer: this.clock.setTimer(atUs, () => this.releaseHeld(child)) };
      return;
    }
    if (event.type === 'canceled') child.maxCumQty = Math.max(child.maxCumQty, cum);
    this.markDone(child);
    this.deliver(event);
    this.releaseReplacement(child);
  }

  private releaseHeld(child: Child): void {
    const held = child.held;
    if (!held) return;
    this.clock.cancelTimer(held.timer);
    child.held = null;
    if (child.terminalSent) return;
    if (held.event.type === 'canceled') child.maxCumQty = Math.max(child.maxCumQty, held.event.cumQty);
    this.markDone(child);
    this.deliver(held.event);
    this.releaseReplacement(child);
  }

  /**
   * The old child has ended (its terminal event is delivered): its replacement may speak. When the
   * venue replaced it, the replacement is acknowledged first; then its queued updates follow.
   */
  private releaseReplacement(old: Child): void {
    const next = old.replacedBy;
    if (next === null || !next.blocked) return;
    next.blocked = false;
    if (old.venueReplaced) next.allowedQty = next.engineQty - Math.max(0, old.maxCumQty - next.oldFilledAtRequest);
    if (old.venueReplaced && !next.terminalSent) this.sendAccepted(next, this.clock.nowUs());
    for (const run of next.queued.splice(0)) run();
    if (next.cancelWanted && next.orderId !== null && !next.terminalSent) {
      next.cancelWanted = false;
      this.track(this.cancelFlow(next));
    }
  }

  /**
   * A refused replace: `cancel_rejected` for the old id, then `rejected` for the new one. The old
   * child works on as before; a cancel asked for it meanwhile (and not asked again by the engine
   * on hearing of the refusal) is sent now.
   */
  private refuseReplace(old: Child | null, oldEngineId: string, next: Child | null, nextEngineId: string, reason: string): void {
    // Does this answer end the old child's pending replace (rather than refuse a second request)?
    const resolves = old !== null && next !== null && old.replacedBy === next;
    if (resolves) old.replacedBy = null;
    if (next !== null) {
      next.blocked = false;
      next.queued.length = 0;
      if (next.terminalSent) return; // already answered
      next.refused = true;
      if (next.orderId === null) next.phase = 'failed';
      this.markDone(next);
    }
    this.stats.replacesRefused++;
    const cancelAfter = resolves && old.cancelAfterReplace;
    const cancelsBefore = old?.cancelRequests ?? 0;
    if (resolves) old.cancelAfterReplace = false;
    const tsUs = this.clock.nowUs();
    this.deliver({ type: 'cancel_rejected', clientOrderId: oldEngineId, tsUs, reason });
    this.deliver({ type: 'rejected', clientOrderId: nextEngineId, tsUs, reason });
    if (cancelAfter && old.cancelRequests === cancelsBefore && !old.terminalSent && old.orderId !== null) this.track(this.cancelFlow(old));
  }

  /**
   * The venue shrinks a replacement by what the old order filled after the PATCH reached it; fills
   * that happened before that but after the engine sized the request (their updates still on the
   * way) are not deducted, so the new order can work more than the parent has left:
   *   allowed = engine qty − (old order's final filled qty − its filled qty the engine knew)
   * A replacement working more than `allowed` is canceled at once: the engine hears `canceled`
   * and sends the step again sized from the fills (cancel then submit).
   */
  private checkOversized(child: Child, venueQty: number): void {
    if (child.allowedQty === null || child.oversizeCanceled || child.terminalSent || child.orderId === null) return;
    if (!(Number.isFinite(venueQty) && venueQty > child.allowedQty)) return;
    child.oversizeCanceled = true;
    this.stats.oversizedReplacementsCanceled++;
    (this.options.log ?? (() => {}))(`live: ${child.venueId} works ${venueQty} but only ${child.allowedQty} are left (fills the venue did not deduct) — canceling it`);
    this.track(this.cancelFlow(child));
  }

  /** A replacement reported refused turned up live at the venue after all (a late PATCH): take it out. */
  private cancelOrphan(child: Child): void {
    if (child.orderId === null || child.orphanCanceled) return;
    child.orphanCanceled = true;
    (this.options.log ?? (() => {}))(`live: ${child.venueId} was reported refused but the venue has it — canceling it`);
    this.track(this.cancelFlow(child));
  }

  private markDone(child: Child): void {
    child.terminalSent = true;
    if (child.watching) {
      child.watching = false;
      this.quotes.unwatch(child.request.symbol);
    }
  }

  // ── REST flows ───────────────────────────────────────────────────────────────────────────

  private async submitFlow(child: Child): Promise<void> {
    const req = child.request;
    let order: VenueOrder | null = null;
    let failure: unknown = null;
    try {
      order = await withRetry(
        `submit ${child.venueId}`,
        async (attempt) => {
          this.stats.submitAttempts++;
          if (attempt > 1) {
            // The previous answer was lost or refused for load: does the order exist? Never send twice.
            const found = await this.api.trading.getByClientOrderId(child.venueId);
            if (found) {
              this.stats.submitsFoundByClientId++;
              return found;
            }
          }
          return this.api.trading.submitLimit({ ...req, clientOrderId: child.venueId });
        },
        this.options.retry,
        (n) => this.noteRetry(n),
      );
    } catch (err) {
      failure = err;
    }
    if (!order && failure !== null) {
      // Refused, or out of attempts with the outcome unknown: one last look before calling it
      // rejected (a re-send refused as a duplicate means an earlier attempt got through).
      try {
        order = await this.retry(`find ${child.venueId}`, () => this.api.trading.getByClientOrderId(child.venueId));
        if (order) this.stats.submitsFoundByClientId++;
      } catch (err) {
        failure = err;
      }
    }
    if (!order) {
      child.phase = 'failed';
      this.markDone(child);
      const reason = failure === null ? 'submit_failed' : `submit_failed: ${describe(failure)}`;
      this.deliver({ type: 'rejected', clientOrderId: child.engineId, tsUs: this.clock.nowUs(), reason });
      return;
    }
    this.learnOrderId(child, order.id);
    if (child.phase === 'submitting') child.phase = 'open';
    if (order.status === 'rejected') {
      this.sendTerminal(child, { type: 'rejected', clientOrderId: child.engineId, tsUs: this.clock.nowUs(), reason: 'venue_rejected' });
    } else {
      this.sendAccepted(child, this.clock.nowUs());
    }
    if (child.cancelWanted && !child.terminalSent) {
      child.cancelWanted = false;
      this.track(this.cancelFlow(child));
    }
    if (child.queryWanted) {
      child.queryWanted = false;
      this.track(this.queryFlow(child));
    }
  }

  private async replaceFlow(old: Child, next: Child): Promise<void> {
    const req = next.request;
    let order: VenueOrder | null = null;
    let failure: unknown = null;
    let attempts = 0;
    try {
      order = await withRetry(
        `replace ${old.venueId} → ${next.venueId}`,
        async (attempt) => {
          attempts = attempt;
          this.stats.replaceAttempts++;
          if (attempt > 1) {
            // The previous answer was lost or refused for load: did the venue make the new order? Never PATCH twice.
            const found = await this.api.trading.getByClientOrderId(next.venueId);
            if (found) {
              this.stats.replacesFoundByClientId++;
              return found;
            }
          }
          return this.api.trading.replace(old.orderId!, { qty: req.qty, limitPrice: req.limitPrice, clientOrderId: next.venueId });
        },
        this.options.retry,
        (n) => this.noteRetry(n),
      );
    } catch (err) {
      failure = err;
    }
    if (!order && failure !== null && (attempts > 1 || isRetryable(failure))) {
      // Out of attempts with the outcome unknown, or refused after an earlier attempt may have got
      // through: one last look before calling it refused.
      try {
        order = await this.retry(`find ${next.venueId}`, () => this.api.trading.getByClientOrderId(next.venueId));
        if (order) this.stats.replacesFoundByClientId++;
      } catch (err) {
        failure = err;
      }
    }
    if (!order) {
      const reason = failure === null ? 'replace_failed' : `replace_failed: ${describe(failure)}`;
      return this.refuseReplace(old, old.engineId, next, next.engineId, reason);
    }
    this.learnOrderId(next, order.id);
    this.learnVenueQty(next, order.qty);
    // Already answered by the stream (refused): the venue's own updates show whether it lives.
    if (next.refused) return;
    if (next.phase === 'submitting') next.phase = 'open';
    if (order.status === 'rejected' && !next.acceptedSent) {
      return this.refuseReplace(next.replaces, old.engineId, next, next.engineId, 'venue_rejected');
    }
    // Acceptance waits for the old order's `replaced` (releaseReplacement), which may already be in.
    if (!next.blocked && next.cancelWanted && !next.terminalSent) {
      next.cancelWanted = false;
      this.track(this.cancelFlow(next));
    }
    if (next.queryWanted) {
      next.queryWanted = false;
      this.track(this.queryFlow(next));
    }
  }

  private async cancelFlow(child: Child): Promise<void> {
    const orderId = child.orderId!;
    this.stats.cancels++;
    try {
      await withRetry(`cancel ${child.venueId}`, () => this.api.trading.cancel(orderId), this.options.retry, (n) => this.noteRetry(n));
    } catch (err) {
      if (child.terminalSent) return;
      const status = (err as { status?: unknown }).status;
      const reason = status === 404 ? 'unknown_order' : status === 422 ? 'not_cancelable' : `cancel_failed: ${describe(err)}`;
      this.deliver({ type: 'cancel_rejected', clientOrderId: child.engineId, tsUs: this.clock.nowUs(), reason });
    }
  }

  private async queryFlow(child: Child): Promise<void> {
    this.stats.queries++;
    let order: VenueOrder | null;
    try {
      order = await this.retry(`query ${child.venueId}`, () =>
        child.orderId !== null ? this.api.trading.getById(child.orderId) : this.api.trading.getByClientOrderId(child.venueId),
      );
    } catch (err) {
      (this.options.log ?? (() => {}))(`live: order query ${child.engineId} failed: ${describe(err)}`);
      return; // the executor asks again at its next cancel-ack timeout
    }
    this.deliverStatus(child, order);
  }

  /** `sized`: the answer came after the replace completed, so its qty is the venue's final size. */
  private deliverStatus(child: Child, order: VenueOrder | null, sized = true): void {
    const tsUs = this.clock.nowUs();
    if (!order) {
      if (child.phase === 'failed') this.deliver({ type: 'status', clientOrderId: child.engineId, tsUs, status: 'unknown', cumQty: 0 });
      return;
    }
    this.learnOrderId(child, order.id);
    this.learnVenueQty(child, order.qty);
    const status = venueStatus(order.status);
    if (child.blocked) {
      // A replacement whose old order has not ended: refused, or its state waits behind the old one's.
      if (status === 'rejected' && child.replaces) return this.refuseReplace(child.replaces, child.replaces.engineId, child, child.engineId, 'venue_rejected');
      this.stats.replacementUpdatesHeld++;
      // Asked before the venue replaced the old order: its qty is not the final size yet.
      child.queued.push(() => this.deliverStatus(child, order, false));
      return;
    }
    if (order.status === 'replaced' && child.replacedBy !== null && !child.terminalSent) {
      // The `replaced` update was missed: the same answer as if it had come.
      child.venueReplaced = true;
      return this.sendTerminal(child, { type: 'canceled', clientOrderId: child.engineId, tsUs, cumQty: order.filledQty });
    }
    child.maxCumQty = Math.max(child.maxCumQty, order.filledQty);
    const done = status === 'filled' || status === 'canceled' || status === 'rejected';
    if (done) this.markDone(child);
    this.deliver({ type: 'status', clientOrderId: child.engineId, tsUs, status, cumQty: child.maxCumQty });
    if (done) this.releaseReplacement(child);
    else if (sized) this.checkOversized(child, order.qty);
  }

  /** After the trade stream was down: every open child's state over REST. */
  private resyncOpenChildren(): void {
    for (const c of this.byEngineId.values()) {
      if (c.phase !== 'open' || c.terminalSent) continue;
      this.stats.resyncs++;
      this.track(
        (async () => {
          let order: VenueOrder | null;
          try {
            order = await this.retry(`resync ${c.venueId}`, () => this.api.trading.getById(c.orderId!));
          } catch {
            return;
          }
          // Only news is worth an event: more filled, or no longer open.
          if (order && (order.filledQty > c.maxCumQty || venueStatus(order.status) !== 'new')) this.deliverStatus(c, order);
        })(),
      );
    }
  }

  // ── plumbing ─────────────────────────────────────────────────────────────────────────────

  private learnOrderId(child: Child, orderId: string): void {
    if (child.orderId === null && orderId) child.orderId = orderId;
  }

  /** The venue shrinks a replacement by what the old order filled after the PATCH: size it from the venue's word. */
  private learnVenueQty(child: Child, qty: number): void {
    if (child.replaces !== null && Number.isFinite(qty) && qty > 0 && qty < child.request.qty) child.request.qty = qty;
  }

  private newChild(request: ChildOrderRequest): Child {
    const child: Child = {
      engineId: request.clientOrderId,
      venueId: this.venueClientId(request.clientOrderId),
      request: { ...request },
      orderId: null,
      phase: 'submitting',
      acceptedSent: false,
      terminalSent: false,
      execIds: new Set(),
      seenFillQty: 0,
      maxCumQty: 0,
      cancelWanted: false,
      queryWanted: false,
      held: null,
      watching: true,
      replaces: null,
      replacedBy: null,
      venueReplaced: false,
      blocked: false,
      queued: [],
      cancelAfterReplace: false,
      cancelRequests: 0,
      refused: false,
      orphanCanceled: false,
      engineQty: request.qty,
      oldFilledAtRequest: 0,
      allowedQty: null,
      oversizeCanceled: false,
    };
    this.byEngineId.set(child.engineId, child);
    this.byVenueId.set(child.venueId, child);
    this.quotes.watch(request.symbol);
    return child;
  }

  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(what, fn, this.options.retry, (n) => this.noteRetry(n));
  }

  private noteRetry(n: RetryNotice): void {
    this.stats.retries++;
    this.options.log?.(`live: ${n.what}: ${describe(n.error)} — retrying (${n.attemptsLeft} left)`);
  }

  private deliver(event: OrderEvent): void {
    try {
      this.listener?.(event);
      for (const observer of this.observers) observer(event);
    } catch (err) {
      this.fatal(err);
    }
  }

  /** Run on a later turn (never inside an engine call). */
  private later(fn: () => void): void {
    setImmediate(() => this.guard(fn));
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fatal(err);
    }
  }

  private fatal(err: unknown): void {
    if (this.options.onFatal) this.options.onFatal(err);
    else throw err;
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch((err) => this.fatal(err)).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}

function heldCumQty(event: OrderEvent): number {
  return event.type === 'canceled' || event.type === 'fill' || event.type === 'status' ? event.cumQty : 0;
}

/** Short, key-free description of an error (status and message only). */
export function describe(err: unknown): string {
  if (err instanceof Error) {
    const status = (err as { status?: unknown }).status;
    return `${typeof status === 'number' ? `${status} ` : ''}${err.message || err.name}`;
  }
  return String(err);
}

