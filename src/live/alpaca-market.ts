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
 *   replace PATCH the old order's venue id with the new limit and client_order_id (the new
 *           child's, prefixed as submits are) and NO qty: the venue sizes the replacement from
 *           its own fills of the old order (ports.ts: over-fill impossible). Loopback only
 *           (endpoints.ts: Alpaca gives a qty-less replacement the original qty). Not idempotent: on 429/5xx/network failure, GET the
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
 *   new / accepted                   → accepted (once per child; the REST answer may come first);
 *                                      a later `new` → accepted venueStamped: its stamp, the venue's
 *                                      time of acceptance, is what the records keep as ack_ts
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
import type { ChildOrderRequest, Market, OrderEvent, SessionInfo } from '../engine/ports.ts';
import type { Quote } from '../engine/types.ts';
import type { StreamQuoteMsg, StreamTradeMsg } from './alpaca-api.ts';
import type { AlpacaMarketOptions } from './alpaca-children.ts';
import { describeError as describe } from './describe-error.ts';
import { QuoteCache } from './quote-cache.ts';
import { SessionClock } from './session-clock.ts';
import { TradeUpdateMapping } from './trade-updates.ts';

export type { AlpacaMarketOptions, AlpacaMarketStats } from './alpaca-children.ts';
export { venueStatus } from './trade-updates.ts';

/** Open children are read over REST this often while the trade stream is down (clock µs). */
export const TRADE_POLL_US = 1_000_000;

export class AlpacaMarket extends TradeUpdateMapping implements Market {
  readonly quotes: QuoteCache;
  readonly hours: SessionClock;
  private tradingDown = false;
  private pollTimer: number | null = null;
  private stopped = false;
  private dataDown = false;

  constructor(options: AlpacaMarketOptions) {
    super(options);
    const log = options.log ?? (() => {});
    this.quotes = new QuoteCache({
      clock: options.clock,
      staleMs: options.staleMs,
      fetchLatest: (symbol) => this.retry(`latest quote ${symbol}`, () => this.api.data.latestQuote(symbol)),
      onRestQuote: (symbol, q) => {
        this.clock.observe(q.tsUs);
        options.onQuoteSeen?.(symbol, q, 'rest');
      },
      onError: (what, err, fatal) => {
        // 401/403 on market data: the keys lack the feed's entitlement — retrying cannot help.
        const entitlement = entitlementError(err);
        if (fatal || entitlement) return this.fatal(entitlement ?? err);
        log(`live: ${what} failed: ${describe(err)}`);
      },
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
      } else if (state === 'failed') {
        if (/subscription|409|40[13]|not entitled|insufficient/i.test(detail)) {
          return this.fatal(new Error(`market-data stream refused (${detail}): the keys are not entitled to this feed — use live.feed: iex, or a subscription that includes sip`));
        }
        log(`live: market-data stream: ${detail}`);
      }
    });
    this.api.tradeStream.onUpdate((u) => this.guard(() => this.onTradeUpdate(u)));
    this.api.tradeStream.onState((state, detail) => {
      if (state === 'down' && !this.tradingDown) {
        this.tradingDown = true;
        this.stats.streamDrops.trading++;
        log('live: trade_updates stream down — order states from REST until it is back');
        this.pollWhileDown();
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
  /** See every event just before the engine does (the journal writes it first). */
  addObserver(observer: (event: OrderEvent) => void): void {
    this.observers.push(observer);
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
  /**
   * While the trade stream is down — for good, if its reconnects run out — every open child is
   * read over REST once per TRADE_POLL_US of clock time, until it ends or the stream is back.
   */
  private pollWhileDown(): void {
    if (this.pollTimer !== null) return;
    this.pollTimer = this.clock.setTimer(this.clock.nowUs() + TRADE_POLL_US, () => {
      this.pollTimer = null;
      if (!this.tradingDown || this.stopped) return;
      this.resyncOpenChildren();
      this.pollWhileDown();
    });
  }

  /** A stream is down (it may reconnect): messages may still come. */
  streamsDown(): boolean {
    return this.tradingDown || this.dataDown;
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer !== null) this.clock.cancelTimer(this.pollTimer);
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
}

/** A market-data REST refusal that is about the keys' entitlement (401/403), as a clear error; else null. */
function entitlementError(err: unknown): Error | null {
  const status = (err as { status?: unknown })?.status;
  if (status !== 403 && status !== 401) return null;
  return new Error(`market data refused (${status}): the keys are not entitled to this feed — use live.feed: iex, or a subscription that includes sip`);
}
