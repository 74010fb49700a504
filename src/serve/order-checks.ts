/**
 * Alpaca's checks on a new order (`serve`'s broker): unknown asset, bad qty, repeated client order
 * id, sub-penny limit (422), extended hours only for DAY limits, and buying power (403):
 *   buy qty × (limit, else the ask) ≤ cash − Σ open buys' (qty − filled) × their price
 */
import { dollarsToUnits } from '../engine/ticks.ts';
import type { NewOrder, TouchQuote } from './broker-types.ts';
import { forbidden, invalid, unprocessable } from './errors.ts';
import { isOpen, type OrderRecord } from './orders.ts';

export interface OrderCheckContext {
  symbols: ReadonlySet<string>;
  clientIdTaken: (clientOrderId: string) => boolean;
  tickUnits: (symbol: string, price: number) => number;
  quote: (symbol: string) => TouchQuote | undefined;
  cash: number;
  openBuyCommitment: () => number;
  /** The account's open orders (the one being replaced left out). */
  openOrders: () => readonly OrderRecord[];
}

export function checkNewOrder(request: NewOrder, ctx: OrderCheckContext): void {
  if (!ctx.symbols.has(request.symbol)) throw invalid(`asset "${request.symbol}" not found`);
  if (!Number.isInteger(request.qty) || request.qty <= 0) throw invalid('qty must be a whole number of shares > 0');
  if (request.clientOrderId !== undefined && ctx.clientIdTaken(request.clientOrderId)) {
    throw invalid('client_order_id must be unique');
  }
  if (request.type === 'limit') {
    if (request.limitPrice === null || !(request.limitPrice > 0)) throw invalid('limit_price is required for limit orders');
    const tick = ctx.tickUnits(request.symbol, request.limitPrice);
    const units = dollarsToUnits(request.limitPrice);
    if (Math.abs(units / tick - Math.round(units / tick)) > 1e-6) {
      throw unprocessable(`invalid limit_price ${request.limitPrice}. sub-penny increment does not fulfill minimum pricing criteria`);
    }
  }
  if (request.extendedHours && (request.type !== 'limit' || request.timeInForce !== 'day')) {
    throw invalid('extended hours order must be DAY limit orders');
  }
  if (washTrade(request, ctx.openOrders())) throw unprocessable('potential wash trade detected. use complex orders');
  if (request.side === 'buy') {
    const price = request.limitPrice ?? ctx.quote(request.symbol)?.ask ?? 0;
    if (request.qty * price > ctx.cash - ctx.openBuyCommitment() + 1e-9) throw forbidden('insufficient buying power');
  }
}

/**
 * Alpaca's wash-trade rule: an order that could execute against the account's own open order on
 * the other side of the same symbol is refused — a buy at B while a sell rests at S ≤ B, or a sell
 * at S while a buy rests at B ≥ S (a market order reaches any price).
 */
export function washTrade(request: NewOrder, open: readonly OrderRecord[]): boolean {
  const mine = request.limitPrice ?? (request.side === 'buy' ? Infinity : 0);
  for (const o of open) {
    if (o.symbol !== request.symbol || o.side === request.side || !isOpen(o)) continue;
    const theirs = o.limitPrice ?? (o.type === 'market' ? (o.side === 'buy' ? Infinity : 0) : o.venuePrice);
    if (request.side === 'buy' ? theirs <= mine : theirs >= mine) return true;
  }
  return false;
}

/** Dollars reserved by open buy orders: remaining qty × the price they work at. */
export function openBuyCommitment(orders: readonly OrderRecord[], except?: OrderRecord): number {
  let total = 0;
  for (const order of orders) {
    if (order.side !== 'buy' || !isOpen(order) || order === except) continue;
    total += (order.qty - order.filledQty) * (order.limitPrice ?? order.venuePrice);
  }
  return total;
}

/** A fresh `accepted` order record. */
export function newOrderRecord(id: string, clientOrderId: string, request: NewOrder, replaces: string | null, now: number): OrderRecord {
  return {
    id,
    clientOrderId,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    timeInForce: request.timeInForce,
    extendedHours: request.extendedHours,
    qty: request.qty,
    limitPrice: request.type === 'limit' ? request.limitPrice : null,
    status: 'accepted',
    filledQty: 0,
    filledCostUnits: 0,
    createdAtUs: now,
    updatedAtUs: now,
    submittedAtUs: now,
    filledAtUs: null,
    canceledAtUs: null,
    expiredAtUs: null,
    failedAtUs: null,
    replacedAtUs: null,
    replacedBy: null,
    replaces,
    routed: false,
    venuePrice: request.limitPrice ?? 0,
    statusBeforePending: null,
    replacement: null,
    filledAtReplaceRequest: 0,
    expiring: false,
    execIds: new Set(),
  };
}
