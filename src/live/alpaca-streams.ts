/**
 * The SDK's two WebSocket clients behind the run's stream handles (alpaca-api.ts): market data
 * (quotes and trades, one message object per stream refilled per message) and trade updates;
 * connection state as up / down / failed, and the messages received since the last connect
 * (counted for lockstep).
 */
import { streaming } from '@alpacahq/alpaca-trade-api';
import { normalizePrice } from '../engine/ticks.ts';
import type { MarketDataStream, SdkOptions, StreamHandle, StreamQuoteMsg, StreamState, StreamTradeMsg, TradeUpdateStream } from './alpaca-api.ts';
import { dateUs, num, rfc3339ToUs, toVenueOrder } from './alpaca-convert.ts';

function streamOptions(options: SdkOptions) {
  return {
    credentials: { keyId: options.keys.keyId, secret: options.keys.secret },
    reconnect: options.reconnectAttempts > 0,
    maxReconnectAttempts: options.reconnectAttempts,
    initialReconnectMs: options.reconnectMs,
    maxReconnectMs: Math.max(options.reconnectMs, 10_000),
    verbose: false,
  };
}

/** `counted(note)`: the stream calls `note()` once per data message (counted for lockstep). */
function handle(
  stream: streaming.AlpacaWebSocket,
  stateListeners: ((state: StreamState, detail: string) => void)[],
  awaitSubscription: () => boolean,
  counted: (note: () => void) => void,
): StreamHandle {
  let closed = false;
  let received = 0;
  counted(() => received++);
  const emit = (state: StreamState, detail: string) => {
    if (closed) return;
    for (const l of stateListeners) l(state, detail);
  };
  let subscribed = false;
  const subscribedWaiters: (() => void)[] = [];
  stream.on(streaming.EVENT.SUBSCRIPTION, () => {
    subscribed = true;
    for (const w of subscribedWaiters.splice(0)) w();
  });
  stream.onConnect(() => {
    received = 0;
    emit('up', 'authenticated');
  });
  stream.onDisconnect(() => {
    received = 0;
    emit('down', 'disconnected');
  });
  stream.onError((message) => {
    // Refused keys, or a feed the keys are not entitled to (Alpaca: 409 insufficient subscription).
    if (/auth|subscription|insufficient|409/i.test(message)) emit('failed', message);
  });
  return {
    connect: () => stream.connect(),
    /** Authenticated, and (when something was subscribed) the server acknowledged the subscription. */
    async whenReady(timeoutMs) {
      if (!(await stream.waitForAuthentication(timeoutMs))) return false;
      if (subscribed || !awaitSubscription()) return true;
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        subscribedWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    close: () => {
      // (The SDK's removeAllListeners() passes `undefined` on to the emitter, which then removes
      // nothing; the flag keeps our own close from reading as a drop.)
      closed = true;
      stream.disconnect();
    },
    onState: (listener) => void stateListeners.push(listener),
    received: () => received,
  };
}

/** Market-data stream timestamps: StreamTimestamp-backed RFC 3339 with ns (µs kept), else the Date. */
function streamTsUs(raw: string | undefined, date: Date | undefined): number {
  if (raw) {
    const us = rfc3339ToUs(raw);
    if (Number.isFinite(us)) return us;
  }
  return date instanceof Date ? date.getTime() * 1000 : Number.NaN;
}

export function sdkMarketDataStream(options: SdkOptions): MarketDataStream {
  const stream = new streaming.StockDataStream({ ...streamOptions(options), feed: options.feed, url: options.endpoints.dataStreamUrl });
  const stateListeners: ((state: StreamState, detail: string) => void)[] = [];
  let anySymbols = false;
  const base = handle(stream, stateListeners, () => anySymbols, (note) => {
    stream.onQuote(note);
    stream.onTrade(note);
  });
  return {
    ...base,
    subscribe(symbols) {
      if (symbols.length === 0) return;
      anySymbols = true;
      stream.subscribeForQuotes([...symbols]);
      stream.subscribeForTrades([...symbols]);
    },
    // One message object per stream, refilled per message: listeners read it synchronously and copy.
    onQuote(listener) {
      const msg: StreamQuoteMsg = { symbol: '', tsUs: 0, bid: 0, ask: 0, bidSize: 0, askSize: 0 };
      stream.onQuote((q) => {
        msg.symbol = q.symbol;
        msg.tsUs = streamTsUs(q.timestampRaw, q.timestamp);
        msg.bid = normalizePrice(q.bidPrice);
        msg.ask = normalizePrice(q.askPrice);
        msg.bidSize = q.bidSize;
        msg.askSize = q.askSize;
        listener(msg);
      });
    },
    onTrade(listener) {
      const msg: StreamTradeMsg = { symbol: '', tsUs: 0, price: 0, size: 0, exchange: '', conditions: [] };
      stream.onTrade((t) => {
        msg.symbol = t.symbol;
        msg.tsUs = streamTsUs(t.timestampRaw, t.timestamp);
        msg.price = normalizePrice(t.price);
        msg.size = t.size;
        msg.exchange = t.exchange ?? '';
        msg.conditions = t.conditions ?? [];
        listener(msg);
      });
    },
  };
}

/**
 * The SDK reads a trade update's `timestamp` through a Date (whole ms); the frame's own RFC 3339
 * text carries µs (Alpaca, serve). The frame is seen here first and its update emitted
 * synchronously from it, so the listener reads the text of the update it is handed.
 */
class TradingStreamKeepingStamps extends streaming.TradingStream {
  lastStampText: string | null = null;
  protected override handleMessage(message: unknown): void {
    const data = (message as { data?: { timestamp?: unknown } } | null)?.data;
    this.lastStampText = typeof data?.timestamp === 'string' ? data.timestamp : null;
    super.handleMessage(message);
  }
}

/** A trade update's venue time: the frame's text to the µs when it is the SDK's Date's (same ms), else the Date. */
export function tradeUpdateTsUs(text: string | null, date: unknown): number {
  const fromDate = dateUs(date);
  if (text !== null) {
    const us = rfc3339ToUs(text);
    if (Number.isFinite(us) && (!Number.isFinite(fromDate) || Math.floor(us / 1000) * 1000 === fromDate)) return us;
  }
  return fromDate;
}

export function sdkTradeUpdateStream(options: SdkOptions): TradeUpdateStream {
  const stream = new TradingStreamKeepingStamps({ ...streamOptions(options), url: options.endpoints.tradingStreamUrl });
  const stateListeners: ((state: StreamState, detail: string) => void)[] = [];
  const base = handle(stream, stateListeners, () => true, (note) => stream.onTradeUpdate(note));
  return {
    ...base,
    connect() {
      stream.subscribeTradeUpdates();
      stream.connect();
    },
    onUpdate(listener) {
      stream.onTradeUpdate((u) => {
        const priceN = num(u.price);
        const qtyN = num(u.qty);
        listener({
          event: String(u.event),
          tsUs: tradeUpdateTsUs(stream.lastStampText, u.timestamp),
          order: toVenueOrder(u.order),
          executionId: typeof u.executionId === 'string' && u.executionId !== '' ? u.executionId : null,
          price: Number.isFinite(priceN) ? normalizePrice(priceN) : null,
          qty: Number.isFinite(qtyN) ? qtyN : null,
        });
      });
    },
  };
}
