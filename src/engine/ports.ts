/**
 * The only seams between the engine and the world (ports and adapters): a backtest and a live
 * run differ only in which Clock and Market are plugged in. The engine never awaits: adapters
 * turn sockets, promises and replayed history into synchronous calls of the listeners below.
 */
import type { Quote, Side } from './types.ts';

export type TimerId = number;

export interface Clock {
  /** Current time in epoch microseconds (UTC). */
  nowUs(): number;
  /** Run `callback` once at `atUs` (or at once, on the clock's next turn, if that has passed). */
  setTimer(atUs: number, callback: () => void): TimerId;
  cancelTimer(id: TimerId): void;
}

export interface ChildOrderRequest {
  clientOrderId: string;
  symbol: string;
  side: Side;
  qty: number;
  limitPrice: number;
  /** `day` rests until canceled; `ioc` cancels whatever does not fill at once. */
  timeInForce: 'day' | 'ioc';
}

/** The state a venue reports for one order, as answered to `queryOrder`. */
export type VenueOrderStatus = 'pending_new' | 'new' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'unknown';

/** Everything a venue tells the engine about a child order. `cumQty` is the venue's cumulative fill. */
export type OrderEvent =
  /**
   * `venueStamped`: tsUs is the venue's own time of acceptance (a trade update's stamp), not when an
   * answer arrived. Such an ack after the first one only corrects the recorded ack time.
   */
  | { type: 'accepted'; clientOrderId: string; tsUs: number; venueStamped?: boolean }
  | {
      type: 'fill';
      clientOrderId: string;
      tsUs: number;
      /** Unique per execution: the engine de-duplicates on it. */
      execId: string;
      qty: number;
      price: number;
      cumQty: number;
    }
  | { type: 'canceled'; clientOrderId: string; tsUs: number; cumQty: number }
  | { type: 'rejected'; clientOrderId: string; tsUs: number; reason: string }
  /** A cancel the venue refused (e.g. the order had already filled). */
  | { type: 'cancel_rejected'; clientOrderId: string; tsUs: number; reason: string }
  /** The answer to `queryOrder`. */
  | { type: 'status'; clientOrderId: string; tsUs: number; status: VenueOrderStatus; cumQty: number };

export interface SessionInfo {
  /** Is the regular session open at the asked time? */
  isOpen: boolean;
  /** The regular session containing the asked time, or the next one when closed; null when none is known. */
  openUs: number | null;
  closeUs: number | null;
}

export interface Market {
  /** Latest quote for `symbol` as the engine sees it now (after feed latency); undefined when none yet. */
  latestQuote(symbol: string): Quote | undefined;
  /**
   * Call `listener` after each new quote for `symbol` until unsubscribed. Executors subscribe only
   * while they wait for a usable quote, so a resting ladder costs the market nothing per quote.
   */
  subscribeQuotes(symbol: string, listener: () => void): () => void;
  submit(order: ChildOrderRequest): void;
  cancel(clientOrderId: string): void;
  /**
   * Optional: replace a working order in one message (Alpaca's PATCH) instead of cancel then
   * submit; the engine uses it only when asked to (EngineOptions.amend = 'replace'). Answers:
   *   replaced → `canceled` for the OLD id (cumQty = all it ever filled), then `accepted` for the
   *              NEW id; old + new never exceed the old order's qty: the venue sizes the new
   *              order itself, new = old qty − everything the old one filled, in the same exchange
   *              that replaces it (so a fill still on its way to the engine is counted; the
   *              request's qty is only the engine's estimate). Proof: old.final + new = old.qty ≤
   *              what the parent had left when the old child was sent. An adapter whose venue
   *              does not size it so must not offer replace;
   *   refused  → `cancel_rejected` for the old id (it keeps working, or has filled) and
   *              `rejected` for the new id.
   */
  replace?(oldClientOrderId: string, order: ChildOrderRequest): void;
  /** Ask the venue for an order's state; answered by a `status` event. */
  queryOrder(clientOrderId: string): void;
  /** All order events are delivered to this one listener (the engine routes them). */
  setOrderListener(listener: (event: OrderEvent) => void): void;
  /** Regular-session hours around `tsUs`. */
  session(tsUs: number): SessionInfo;
}
