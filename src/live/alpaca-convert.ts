/**
 * Alpaca's answers as numbers: decimal strings to numbers, prices to exact ticks (ticks.ts), RFC
 * 3339 times to epoch µs, the SDK's Order to a VenueOrder; and prices back to decimal strings.
 */
import type { trading } from '@alpacahq/alpaca-trade-api';
import { normalizePrice } from '../engine/ticks.ts';
import type { VenueOrder } from './alpaca-api.ts';

export function num(value: unknown): number {
  if (value === null || value === undefined || value === '') return Number.NaN;
  return typeof value === 'number' ? value : Number(value);
}

export function price(value: unknown): number | null {
  const n = num(value);
  return Number.isFinite(n) ? normalizePrice(n) : null;
}

/** RFC 3339 with up to 9 fraction digits → epoch µs (digits below the µs truncated); NaN if not one. */
export function rfc3339ToUs(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return Number.NaN;
  const ms = Date.parse(`${m[1]}${m[3] === 'z' ? 'Z' : m[3]}`);
  if (Number.isNaN(ms)) return Number.NaN;
  return ms * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6));
}

export function dateUs(value: unknown): number {
  if (value instanceof Date) return value.getTime() * 1000;
  if (typeof value === 'string') return rfc3339ToUs(value);
  return Number.NaN;
}

export function toVenueOrder(order: trading.Order): VenueOrder {
  return {
    id: order.id ?? '',
    clientOrderId: order.clientOrderId ?? '',
    symbol: order.symbol ?? '',
    side: String(order.side ?? ''),
    status: String(order.status ?? ''),
    qty: num(order.qty),
    filledQty: Number.isFinite(num(order.filledQty)) ? num(order.filledQty) : 0,
    filledAvgPrice: price(order.filledAvgPrice),
    limitPrice: price(order.limitPrice),
  };
}

/** Alpaca wants decimal strings; prices are exact ticks already (ticks.ts), never 15.280000000001. */
export function priceString(p: number): string {
  return String(normalizePrice(p));
}
