/**
 * Test doubles for the live adapter: a hand-driven wall time (timeouts fire only when the test
 * moves time), and an in-memory Alpaca (`FakeAlpaca`) implementing LiveApi — orders by id and
 * client order id, scripted REST failures, and trade updates / quotes pushed by the test.
 */
import { ApiError, FetchError, NotFoundError, RateLimitError } from '@alpacahq/alpaca-trade-api';
import type {
  LimitOrderRequest,
  LiveApi,
  MarketDataStream,
  RestQuote,
  StreamQuoteMsg,
  StreamState,
  StreamTradeMsg,
  TradeUpdateMsg,
  TradeUpdateStream,
  VenueClock,
  VenueOrder,
} from '../../src/live/alpaca-api.ts';
import type { WallTime } from '../../src/live/wall-clock.ts';

/** 2024-03-05 10:00:00 New York (EST) in epoch µs — inside the regular session. */
export const T0 = Date.UTC(2024, 2, 5, 15, 0, 0) * 1000;
export const SEC = 1_000_000;

export class ManualWallTime implements WallTime {
  private now: number;
  private seq = 0;
  private readonly timers = new Map<number, { atMs: number; seq: number; callback: () => void }>();

  constructor(startMs = 1_000_000) {
    this.now = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { atMs: this.now + Math.max(0, ms), seq: id, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Move time forward by `ms`, firing every timeout due on the way, in order. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let next: { id: number; atMs: number; seq: number; callback: () => void } | null = null;
      for (const [id, t] of this.timers) {
        if (t.atMs <= target && (!next || t.atMs < next.atMs || (t.atMs === next.atMs && t.seq < next.seq))) next = { id, ...t };
      }
      if (!next) break;
      this.timers.delete(next.id);
      if (next.atMs > this.now) this.now = next.atMs;
      next.callback();
    }
    this.now = target;
  }

  pending(): number {
    return this.timers.size;
  }
}

/** Let promise continuations and setImmediate callbacks run (no wall time passes). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

function apiError(status: number, message: string): ApiError {
  const response = new Response(JSON.stringify({ code: status * 100000, message }), { status });
  if (status === 404) return new NotFoundError(response, status, status * 100000, message);
  if (status === 429) return new RateLimitError(response, status, status * 100000, message);
  return new ApiError(response, status, status * 100000, message);
}

export type Failure = { status: number; accept?: boolean; message?: string } | { network: true; accept?: boolean };

class FakeStream {
  state: StreamState = 'down';
  connected = 0;
  closed = false;
  ready = true;
  readonly stateListeners: ((state: StreamState, detail: string) => void)[] = [];
  connect(): void {
    this.connected++;
    this.setState('up');
  }
  whenReady(): Promise<boolean> {
    return Promise.resolve(this.ready);
  }
  close(): void {
    this.closed = true;
  }
  onState(listener: (state: StreamState, detail: string) => void): void {
    this.stateListeners.push(listener);
  }
  setState(state: StreamState, detail: string = state): void {
    this.state = state;
    for (const l of this.stateListeners) l(state, detail);
  }
}

class FakeDataStream extends FakeStream implements MarketDataStream {
  symbols: string[] = [];
  quoteListeners: ((q: StreamQuoteMsg) => void)[] = [];
  tradeListeners: ((t: StreamTradeMsg) => void)[] = [];
  subscribe(symbols: readonly string[]): void {
    this.symbols.push(...symbols);
  }
  onQuote(listener: (q: StreamQuoteMsg) => void): void {
    this.quoteListeners.push(listener);
  }
  onTrade(listener: (t: StreamTradeMsg) => void): void {
    this.tradeListeners.push(listener);
  }
  quote(q: StreamQuoteMsg): void {
    for (const l of this.quoteListeners) l(q);
  }
  trade(t: StreamTradeMsg): void {
    for (const l of this.tradeListeners) l(t);
  }
}

class FakeTradeStream extends FakeStream implements TradeUpdateStream {
  listeners: ((u: TradeUpdateMsg) => void)[] = [];
  onUpdate(listener: (u: TradeUpdateMsg) => void): void {
    this.listeners.push(listener);
  }
  push(u: TradeUpdateMsg): void {
    for (const l of this.listeners) l(u);
  }
}

/**
 * An in-memory Alpaca. Orders are accepted as `new`; the test drives fills and cancels with
 * `fill()` / `cancelNow()` (which also push trade updates unless told not to). A PATCH makes the
 * new order (`accepted`) and puts the old one `pending_replace`; the test ends it with
 * `replaceNow()` (old `replaced`, new shrunk by the old one's fills since the PATCH, `new`) or
 * `refuseReplaceNow()` (`order_replace_rejected`, new `rejected`).
 */
export class FakeAlpaca implements LiveApi {
  readonly orders = new Map<string, VenueOrder>();
  readonly calls: string[] = [];
  submitFailures: Failure[] = [];
  cancelFailures: Failure[] = [];
  replaceFailures: Failure[] = [];
  /** New order id → the order it replaces and that order's filled qty when the PATCH came. */
  readonly replacing = new Map<string, { oldId: string; filledAtRequest: number }>();
  quoteFailures: Failure[] = [];
  /** While set, a submit places the order but answers only when the gate opens (a slow answer). */
  submitGate: Promise<void> | null = null;
  /** Cancels are answered 204 but the `canceled` update is sent only by the test. */
  autoCancelUpdate = true;
  latest = new Map<string, RestQuote>();
  clockAnswer: VenueClock = { timestampUs: T0, isOpen: true, nextOpenUs: T0 + 24 * 3600 * SEC, nextCloseUs: T0 + 6 * 3600 * SEC };
  nowUs: () => number = () => T0;
  private ids = 0;
  private execs = 0;
  readonly dataStream = new FakeDataStream();
  readonly tradeStream = new FakeTradeStream();

  private fail(list: Failure[]): Failure | undefined {
    return list.shift();
  }

  private raise(f: Failure): never {
    if ('network' in f) throw new FetchError(new Error('socket hang up'), 'The request failed');
    throw apiError(f.status, f.message ?? (f.status === 429 ? 'too many requests' : f.status === 422 ? 'unprocessable' : f.status === 403 ? 'insufficient qty available for order' : 'internal server error'));
  }

  byClientId(clientOrderId: string): VenueOrder | undefined {
    return [...this.orders.values()].find((o) => o.clientOrderId === clientOrderId);
  }

  update(event: string, order: VenueOrder, extra: Partial<TradeUpdateMsg> = {}): TradeUpdateMsg {
    return { event, tsUs: this.nowUs(), order: { ...order }, executionId: null, price: null, qty: null, ...extra };
  }

  /** Fill `qty` at `price`: the order's state moves and (unless `send` false) the update is pushed. Returns it. */
  fill(clientOrderId: string, qty: number, price: number, send = true): TradeUpdateMsg {
    const o = this.byClientId(clientOrderId)!;
    o.filledQty += qty;
    o.filledAvgPrice = price;
    o.status = o.filledQty >= o.qty ? 'filled' : o.status === 'pending_replace' ? 'pending_replace' : 'partially_filled';
    const u = this.update(o.status === 'filled' ? 'fill' : 'partial_fill', o, { executionId: `x${++this.execs}`, price, qty });
    if (send) this.tradeStream.push(u);
    return u;
  }

  cancelNow(clientOrderId: string, send = true): TradeUpdateMsg {
    const o = this.byClientId(clientOrderId)!;
    o.status = 'canceled';
    const u = this.update('canceled', o);
    if (send) this.tradeStream.push(u);
    return u;
  }

  private replacementOf(oldClientOrderId: string): { old: VenueOrder; next: VenueOrder; filledAtRequest: number } {
    const old = this.byClientId(oldClientOrderId)!;
    const [nextId, r] = [...this.replacing].find(([, v]) => v.oldId === old.id)!;
    return { old, next: this.orders.get(nextId)!, filledAtRequest: r.filledAtRequest };
  }

  /** The venue took the old order out: `replaced` (old), then `new` (the new one, shrunk by fills since the PATCH). */
  replaceNow(oldClientOrderId: string, send = true): TradeUpdateMsg[] {
    const { old, next, filledAtRequest } = this.replacementOf(oldClientOrderId);
    this.replacing.delete(next.id);
    old.status = 'replaced';
    next.qty -= old.filledQty - filledAtRequest;
    next.status = 'new';
    const updates = [this.update('replaced', old), this.update('new', next)];
    if (send) for (const u of updates) this.tradeStream.push(u);
    return updates;
  }

  /** The venue refused the replace: `order_replace_rejected` (old, working on), then the new order `rejected`. */
  refuseReplaceNow(oldClientOrderId: string, send = true): TradeUpdateMsg[] {
    const { old, next } = this.replacementOf(oldClientOrderId);
    this.replacing.delete(next.id);
    if (old.status === 'pending_replace') old.status = old.filledQty > 0 ? 'partially_filled' : 'new';
    next.status = 'rejected';
    const updates = [this.update('order_replace_rejected', old), this.update('rejected', next)];
    if (send) for (const u of updates) this.tradeStream.push(u);
    return updates;
  }

  readonly trading = {
    submitLimit: async (req: LimitOrderRequest): Promise<VenueOrder> => {
      this.calls.push(`submit ${req.clientOrderId}`);
      const f = this.fail(this.submitFailures);
      if (f && !f.accept) this.raise(f);
      if (this.byClientId(req.clientOrderId)) throw apiError(422, 'client_order_id must be unique');
      const order: VenueOrder = {
        id: `id${++this.ids}`,
        clientOrderId: req.clientOrderId,
        symbol: req.symbol,
        side: req.side,
        status: 'accepted',
        qty: req.qty,
        filledQty: 0,
        filledAvgPrice: null,
        limitPrice: req.limitPrice,
      };
      this.orders.set(order.id, order);
      if (f) this.raise(f);
      if (this.submitGate) await this.submitGate;
      return { ...order };
    },
    getByClientOrderId: async (clientOrderId: string) => {
      this.calls.push(`get-client ${clientOrderId}`);
      const o = this.byClientId(clientOrderId);
      return o ? { ...o } : null;
    },
    getById: async (orderId: string) => {
      this.calls.push(`get ${orderId}`);
      const o = this.orders.get(orderId);
      return o ? { ...o } : null;
    },
    cancel: async (orderId: string) => {
      this.calls.push(`cancel ${orderId}`);
      const f = this.fail(this.cancelFailures);
      if (f) this.raise(f);
      const o = this.orders.get(orderId);
      if (!o) throw apiError(404, 'order not found');
      if (o.status === 'filled' || o.status === 'canceled' || o.status === 'replaced') throw apiError(422, `order is already ${o.status}`);
      if (o.status === 'pending_replace') throw apiError(422, 'order is pending replace and cannot be canceled');
      if (this.autoCancelUpdate) this.cancelNow(o.clientOrderId);
    },
    replace: async (orderId: string, change: { qty?: number; limitPrice?: number; clientOrderId: string }): Promise<VenueOrder> => {
      this.calls.push(`replace ${orderId} ${change.clientOrderId} ${change.qty ?? ""}@${change.limitPrice}`);
      await Promise.resolve(); // a network answer never comes within the caller's turn
      const f = this.fail(this.replaceFailures);
      if (f && !f.accept) this.raise(f);
      const old = this.orders.get(orderId);
      if (!old) throw apiError(404, 'order not found');
      if (!['new', 'accepted', 'partially_filled'].includes(old.status)) throw apiError(422, `order is not replaceable (${old.status})`);
      if (this.byClientId(change.clientOrderId)) throw apiError(422, 'client_order_id must be unique');
      const next: VenueOrder = {
        ...old,
        id: `id${++this.ids}`,
        clientOrderId: change.clientOrderId,
        status: 'accepted',
        qty: change.qty ?? old.qty - old.filledQty,
        filledQty: 0,
        filledAvgPrice: null,
        limitPrice: change.limitPrice ?? old.limitPrice,
      };
      this.orders.set(next.id, next);
      this.replacing.set(next.id, { oldId: old.id, filledAtRequest: old.filledQty });
      old.status = 'pending_replace';
      this.tradeStream.push(this.update('pending_replace', old));
      if (f) this.raise(f);
      return { ...next };
    },
    listOpen: async () => {
      this.calls.push('list-open');
      return [...this.orders.values()].filter((o) => !['filled', 'canceled', 'expired', 'rejected', 'replaced'].includes(o.status)).map((o) => ({ ...o }));
    },
    clock: async () => {
      this.calls.push('clock');
      return { ...this.clockAnswer };
    },
  };

  readonly data = {
    latestQuote: async (symbol: string): Promise<RestQuote | null> => {
      this.calls.push(`latest ${symbol}`);
      const f = this.fail(this.quoteFailures);
      if (f) this.raise(f);
      const q = this.latest.get(symbol);
      return q ? { ...q } : null;
    },
  };
}
