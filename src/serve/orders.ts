/**
 * Alpaca-level orders as `serve` keeps them, and their REST/stream JSON (Alpaca's snake_case
 * order object: decimal strings for quantities and prices, RFC 3339 µs times, `notional: null`
 * and every other field Alpaca sends, so the SDK's `OrderFromJSON` / `instanceOfOrder` accept it).
 */
import { createHash } from 'node:crypto';
import { unitsToDollars } from '../engine/ticks.ts';
import type { Side } from '../engine/types.ts';
import { decimalString, rfc3339Micros } from './wire.ts';

/** The statuses `serve` produces (a subset of Alpaca's). */
export type AlpacaOrderStatus =
  | 'accepted'
  | 'new'
  | 'partially_filled'
  | 'filled'
  | 'canceled'
  | 'expired'
  | 'replaced'
  | 'pending_cancel'
  | 'pending_replace'
  | 'rejected';

export type AlpacaOrderType = 'limit' | 'market';
export type AlpacaTimeInForce = 'day' | 'gtc' | 'ioc';

export const TERMINAL_STATUSES: ReadonlySet<AlpacaOrderStatus> = new Set(['filled', 'canceled', 'expired', 'replaced', 'rejected']);

export interface OrderRecord {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: AlpacaOrderType;
  readonly timeInForce: AlpacaTimeInForce;
  readonly extendedHours: boolean;
  qty: number;
  limitPrice: number | null;
  status: AlpacaOrderStatus;
  filledQty: number;
  /** Σ fill price (in $0.0001 units) × shares: the average is exact. */
  filledCostUnits: number;
  createdAtUs: number;
  updatedAtUs: number;
  submittedAtUs: number;
  filledAtUs: number | null;
  canceledAtUs: number | null;
  expiredAtUs: number | null;
  failedAtUs: number | null;
  replacedAtUs: number | null;
  replacedBy: string | null;
  replaces: string | null;
  // ── serve's own bookkeeping (not on the wire) ──
  /** Sent to the venue (SimMarket); false while held (market closed) or never. */
  routed: boolean;
  /** Limit price the venue works (a market order's far touch at routing). */
  venuePrice: number;
  /** Status to return to when a cancel or replace is refused. */
  statusBeforePending: AlpacaOrderStatus | null;
  /** The order that replaces this one while it is pending_replace. */
  replacement: OrderRecord | null;
  /** filledQty when the replace was asked (fills after it shrink the replacement). */
  filledAtReplaceRequest: number;
  /** Canceled by serve at the session close: ends `expired`, not `canceled`. */
  expiring: boolean;
  readonly execIds: Set<string>;
}

export function isOpen(order: OrderRecord): boolean {
  return !TERMINAL_STATUSES.has(order.status);
}

export function avgFillPrice(order: OrderRecord): number | null {
  if (order.filledQty <= 0) return null;
  return Math.round((order.filledCostUnits / order.filledQty) * 100) / 1e6;
}

/** A stable asset id per symbol (UUID-shaped, from a hash): the same on every run. */
export function assetId(symbol: string): string {
  const h = createHash('sha1').update(`ladderlab-asset:${symbol}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const time = (us: number | null): string | null => (us === null ? null : rfc3339Micros(us));

export type OrderJson = Record<string, unknown>;

/** The order as Alpaca's REST API and trade_updates show it. */
export function orderJson(o: OrderRecord): OrderJson {
  const avg = avgFillPrice(o);
  return {
    id: o.id,
    client_order_id: o.clientOrderId,
    created_at: rfc3339Micros(o.createdAtUs),
    updated_at: rfc3339Micros(o.updatedAtUs),
    submitted_at: rfc3339Micros(o.submittedAtUs),
    filled_at: time(o.filledAtUs),
    expired_at: time(o.expiredAtUs),
    expires_at: null,
    canceled_at: time(o.canceledAtUs),
    failed_at: time(o.failedAtUs),
    replaced_at: time(o.replacedAtUs),
    replaced_by: o.replacedBy,
    replaces: o.replaces,
    asset_id: assetId(o.symbol),
    symbol: o.symbol,
    asset_class: 'us_equity',
    notional: null,
    qty: String(o.qty),
    filled_qty: String(o.filledQty),
    filled_avg_price: avg === null ? null : decimalString(avg),
    order_class: 'simple',
    order_type: o.type,
    type: o.type,
    side: o.side,
    time_in_force: o.timeInForce,
    limit_price: o.limitPrice === null ? null : decimalString(o.limitPrice),
    stop_price: null,
    status: o.status,
    extended_hours: o.extendedHours,
    legs: null,
    trail_percent: null,
    trail_price: null,
    hwm: null,
    subtag: null,
    source: null,
  };
}

/** Money in price units as Alpaca's decimal string. */
export function unitsString(units: number): string {
  return decimalString(unitsToDollars(Math.round(units)));
}
