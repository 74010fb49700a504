/**
 * The outside world of a live run, in the few shapes the adapter needs, over
 * `@alpacahq/alpaca-trade-api` 4.x: the generated REST classes with their own
 * `Configuration({ basePath, keyId, secret })` (so the same code runs against Alpaca and against
 * `serve`) and the SDK's two WebSocket clients with explicit URLs (alpaca-streams.ts); the answers'
 * conversions to numbers, ticks and µs in alpaca-convert.ts.
 *
 * Nothing here retries (retry.ts and alpaca-market.ts decide what may be repeated); the SDK's own
 * retry and rate limiter are off so every attempt is ours to count. Prices and quantities come
 * back as numbers, times as epoch µs.
 */
import { NotFoundError, trading, marketData } from '@alpacahq/alpaca-trade-api';
import { normalizePrice } from '../engine/ticks.ts';
import type { ChildOrderRequest } from '../engine/ports.ts';
import type { Endpoints, Keys } from './endpoints.ts';
import { dateUs, num, priceString, rfc3339ToUs, toVenueOrder } from './alpaca-convert.ts';
import { sdkMarketDataStream, sdkTradeUpdateStream } from './alpaca-streams.ts';

export { priceString, rfc3339ToUs, toVenueOrder } from './alpaca-convert.ts';
export { sdkMarketDataStream, sdkTradeUpdateStream, tradeUpdateTsUs } from './alpaca-streams.ts';

/** An order as the venue reports it (REST answer or trade-update snapshot). */
export interface VenueOrder {
  id: string;
  clientOrderId: string;
  symbol: string;
  side: string;
  status: string;
  qty: number;
  filledQty: number;
  /** null when nothing filled. */
  filledAvgPrice: number | null;
  limitPrice: number | null;
}

/** A limit order to send: exactly the engine's child order. */
export type LimitOrderRequest = ChildOrderRequest;

export interface VenueClock {
  timestampUs: number;
  isOpen: boolean;
  nextOpenUs: number;
  nextCloseUs: number;
}

export interface RestQuote {
  /** The quote's own time (venue). */
  tsUs: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

/** The REST calls a live run makes. Errors are the SDK's typed errors. */
export interface TradingRest {
  submitLimit(order: LimitOrderRequest): Promise<VenueOrder>;
  /** null when the venue has no such order (404). */
  getByClientOrderId(clientOrderId: string): Promise<VenueOrder | null>;
  getById(orderId: string): Promise<VenueOrder | null>;
  cancel(orderId: string): Promise<void>;
  /** PATCH: a NEW order replacing `orderId`. */
  replace(orderId: string, change: { qty?: number; limitPrice?: number; clientOrderId: string }): Promise<VenueOrder>;
  listOpen(): Promise<VenueOrder[]>;
  clock(): Promise<VenueClock>;
}

export interface DataRest {
  /** null when the venue has no quote for the symbol. */
  latestQuote(symbol: string): Promise<RestQuote | null>;
}

// ── streams ──────────────────────────────────────────────────────────────────────────────

export interface StreamQuoteMsg {
  symbol: string;
  tsUs: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

export interface StreamTradeMsg {
  symbol: string;
  tsUs: number;
  price: number;
  size: number;
  exchange: string;
  conditions: readonly string[];
}

export interface TradeUpdateMsg {
  event: string;
  /** Venue time of the event; NaN when absent. */
  tsUs: number;
  order: VenueOrder;
  executionId: string | null;
  price: number | null;
  qty: number | null;
}

export type StreamState = 'up' | 'down' | 'failed';

/** One WebSocket, started and stopped by the run; reconnects are the stream's business. */
export interface StreamHandle {
  connect(): void;
  /** Resolves true once authenticated (false on rejection, close or timeout). */
  whenReady(timeoutMs: number): Promise<boolean>;
  close(): void;
  onState(listener: (state: StreamState, detail: string) => void): void;
  /** Data messages (quotes and trades, or trade updates) received since the stream last (re)connected; 0 while down (lockstep). */
  received?(): number;
}

export interface MarketDataStream extends StreamHandle {
  /** Call before connect(): the SDK re-sends subscriptions on every (re)connect. */
  subscribe(symbols: readonly string[]): void;
  onQuote(listener: (quote: StreamQuoteMsg) => void): void;
  onTrade(listener: (trade: StreamTradeMsg) => void): void;
}

export interface TradeUpdateStream extends StreamHandle {
  onUpdate(listener: (update: TradeUpdateMsg) => void): void;
}

export interface LiveApi {
  trading: TradingRest;
  data: DataRest;
  dataStream: MarketDataStream;
  tradeStream: TradeUpdateStream;
}


async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

// ── the SDK-backed implementation ────────────────────────────────────────────────────────

export interface SdkOptions {
  endpoints: Endpoints;
  keys: Keys;
  feed: 'iex' | 'sip';
  requestTimeoutMs: number;
  reconnectAttempts: number;
  reconnectMs: number;
  /** Tests: a fetch to use instead of the global one. */
  fetchApi?: trading.FetchAPI;
}

/**
 * The SDK's own per-request deadline keeps a live timer after some answers (a DELETE's 204), which
 * holds the process open; a fetch with `AbortSignal.timeout` (an unref'd timer) does the same job.
 * A timeout surfaces as the SDK's FetchError: retryable, and a submit's lost answer is looked up.
 */
export function timedFetch(timeoutMs: number, base?: trading.FetchAPI): trading.FetchAPI {
  const inner = base ?? ((input, init) => fetch(input, init));
  return (input, init) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    return inner(input, { ...init, signal });
  };
}

function restConfig(options: SdkOptions, basePath: string) {
  return {
    basePath,
    keyId: options.keys.keyId,
    secret: options.keys.secret,
    timeoutMs: 0,
    fetchApi: timedFetch(options.requestTimeoutMs, options.fetchApi),
  };
}

export function sdkTradingRest(options: SdkOptions): TradingRest {
  const config = new trading.Configuration(restConfig(options, options.endpoints.tradingUrl));
  const orders = new trading.OrdersApi(config);
  const clockApi = new trading.ClockApi(config);
  return {
    async submitLimit(o) {
      const order = await orders.postOrder({
        postOrderRequest: {
          symbol: o.symbol,
          qty: String(o.qty),
          side: o.side,
          type: 'limit',
          timeInForce: o.timeInForce,
          limitPrice: priceString(o.limitPrice),
          clientOrderId: o.clientOrderId,
        },
      });
      return toVenueOrder(order);
    },
    async getByClientOrderId(clientOrderId) {
      const order = await orNull(orders.getOrderByClientOrderId({ clientOrderId }));
      return order ? toVenueOrder(order) : null;
    },
    async getById(orderId) {
      const order = await orNull(orders.getOrderByOrderID({ orderId }));
      return order ? toVenueOrder(order) : null;
    },
    async cancel(orderId) {
      await orders.deleteOrderByOrderID({ orderId });
    },
    async replace(orderId, change) {
      const order = await orders.patchOrderByOrderId({
        orderId,
        patchOrderRequest: {
          clientOrderId: change.clientOrderId,
          ...(change.qty !== undefined ? { qty: String(change.qty) } : {}),
          ...(change.limitPrice !== undefined ? { limitPrice: priceString(change.limitPrice) } : {}),
        },
      });
      return toVenueOrder(order);
    },
    async listOpen() {
      const list = await orders.getAllOrders({ status: 'open', limit: 500, direction: 'asc' });
      return list.map(toVenueOrder);
    },
    async clock() {
      const c = await clockApi.legacyClock();
      return { timestampUs: dateUs(c.timestamp), isOpen: c.isOpen, nextOpenUs: dateUs(c.nextOpen), nextCloseUs: dateUs(c.nextClose) };
    },
  };
}

export function sdkDataRest(options: SdkOptions): DataRest {
  const config = new marketData.Configuration(restConfig(options, options.endpoints.dataUrl));
  const stocks = new marketData.StockApi(config);
  return {
    async latestQuote(symbol) {
      // The raw body: the generated model turns `t` into a millisecond Date; the tape wants µs.
      let body: { quote?: Record<string, unknown> } | null;
      try {
        const res = await stocks.stockLatestQuoteSingleRaw({ symbol, feed: options.feed });
        body = (await res.raw.json()) as { quote?: Record<string, unknown> };
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
      const q = body?.quote;
      if (!q) return null;
      const bid = num(q.bp);
      const ask = num(q.ap);
      if (!(bid > 0) && !(ask > 0)) return null;
      return {
        tsUs: typeof q.t === 'string' ? rfc3339ToUs(q.t) : Number.NaN,
        bid: normalizePrice(bid),
        ask: normalizePrice(ask),
        bidSize: num(q.bs) || 0,
        askSize: num(q.as) || 0,
      };
    },
  };
}


export function sdkLiveApi(options: SdkOptions): LiveApi {
  return {
    trading: sdkTradingRest(options),
    data: sdkDataRest(options),
    dataStream: sdkMarketDataStream(options),
    tradeStream: sdkTradeUpdateStream(options),
  };
}
