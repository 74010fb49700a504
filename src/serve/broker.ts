/**
 * The broker behind `serve`'s order endpoints: Alpaca's order lifecycle over the engine's Market
 * port (SimMarket does the matching, with the configured fill model and latency). The broker is
 * the source of truth for what clients see; the venue only reports acks, fills and cancels.
 *
 *   POST    → `accepted`; routed at once when the market is open (held until it opens otherwise)
 *   venue ack → `new`  · fills → `partially_filled` / `filled` (position and cash move)
 *   DELETE  → `pending_cancel` → venue canceled → `canceled` (a fill that beats the cancel
 *             stands: the cancel is refused, `order_cancel_rejected`)
 *   PATCH   → a NEW order (replaces = old id) is returned; old → `pending_replace`; when the venue
 *             has canceled the old one it becomes `replaced` (replaced_by = new id) and the new
 *             one is routed, its qty reduced by any fills of the old one since the PATCH; if the
 *             old one filled completely first, the new one is `rejected`. Without a qty the new
 *             order gets the old one's unfilled rest, so old + new never fill more than old qty
 *             (`live` relies on it: its PATCH carries no qty)
 *   close   → open `day` orders are canceled by the venue and end `expired`
 * Every change is announced as a trade update (event, order snapshot, execution id).
 * Venue fills beyond an order's qty (possible only after a `fill_after_cancel` fault filled it
 * first) are ignored: no order ever over-fills.
 */
import type { OrderEvent } from '../engine/ports.ts';
import { dollarsToUnits } from '../engine/ticks.ts';
import type { BrokerOptions, NewOrder, ReplaceRequest, TradeUpdate } from './broker-types.ts';
import { AlpacaError, forbidden, invalid, notFound, unprocessable } from './errors.ts';
import { checkNewOrder, newOrderRecord, openBuyCommitment } from './order-checks.ts';
import { isOpen, orderJson, type AlpacaOrderStatus, type OrderRecord } from './orders.ts';
import { SessionGate } from './session-gate.ts';

export type { BrokerOptions, NewOrder, ReplaceRequest, SessionTimes, TouchQuote, TradeUpdate } from './broker-types.ts';

export class Broker {
  private readonly orders = new Map<string, OrderRecord>();
  private readonly byClientId = new Map<string, OrderRecord>();
  /** Submission order, for listing. */
  private readonly sequence: OrderRecord[] = [];
  /** Orders accepted while they may not reach the venue yet (session-gate.ts). */
  private readonly gate: SessionGate;
  /** While a venue event is handled: its time, which stamps the trade updates it causes (Alpaca stamps when the venue acted). */
  private venueEventTsUs: number | null = null;
  private readonly listeners: ((update: TradeUpdate) => void)[] = [];

  constructor(private readonly o: BrokerOptions) {
    this.gate = new SessionGate(o, (order) => {
      if (order.status === 'accepted') this.route(order);
    });
    o.market.setOrderListener((event) => this.onVenueEvent(event));
    // Day orders end at the close (extended-hours day orders at the extended close).
    o.clock.setTimer(o.session.closeUs, () => this.expireDayOrders(false));
    o.clock.setTimer(o.session.extendedCloseUs, () => this.expireDayOrders(true));
  }

  onUpdate(listener: (update: TradeUpdate) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  get(id: string): OrderRecord | undefined {
    return this.orders.get(id);
  }

  getByClientId(clientOrderId: string): OrderRecord | undefined {
    return this.byClientId.get(clientOrderId);
  }

  /** Every order, oldest first. */
  all(): readonly OrderRecord[] {
    return this.sequence;
  }

  // ── requests ─────────────────────────────────────────────────────────────────────────────

  submit(request: NewOrder): OrderRecord {
    this.checkNew(request);
    const order = this.create(request, null);
    if (this.gate.tradableNow(order)) this.route(order);
    else this.gate.hold(order);
    return order;
  }

  cancel(id: string): void {
    const order = this.orders.get(id);
    if (!order) throw notFound('order not found');
    if (order.status === 'pending_cancel') return;
    if (!isOpen(order)) throw unprocessable(`order is already in "${order.status}" state`);
    if (order.status === 'pending_replace') throw unprocessable('order is pending replace and cannot be canceled');
    if (!order.routed) {
      this.gate.unhold(order);
      this.finishCanceled(order);
      return;
    }
    order.statusBeforePending = order.status;
    this.setStatus(order, 'pending_cancel');
    this.emit('pending_cancel', order);
    const fillQty = this.o.faults.takeFillAfterCancel();
    if (fillQty !== undefined) this.fillAhead(order, fillQty);
    this.o.market.cancel(order.id);
  }

  /** Cancel every open order; returns the ones asked (Alpaca's DELETE /v2/orders). */
  cancelAll(): OrderRecord[] {
    const asked: OrderRecord[] = [];
    for (const order of this.sequence) {
      if (!isOpen(order) || order.status === 'pending_cancel' || order.status === 'pending_replace') continue;
      this.cancel(order.id);
      asked.push(order);
    }
    return asked;
  }

  replace(id: string, patch: ReplaceRequest): OrderRecord {
    const old = this.orders.get(id);
    if (!old) throw notFound('order not found');
    if (old.status !== 'new' && old.status !== 'partially_filled') {
      throw unprocessable(`order is not replaceable in its current state (${old.status})`);
    }
    if (patch.limitPrice !== undefined && old.type === 'market') throw invalid('limit_price cannot be set on a market order');
    // As Alpaca: a PATCH that changes nothing about the order is refused (403), no new order made.
    const changes = (patch.qty !== undefined && patch.qty !== old.qty) || (patch.limitPrice !== undefined && patch.limitPrice !== old.limitPrice) || (patch.timeInForce !== undefined && patch.timeInForce !== old.timeInForce);
    if (!changes) throw forbidden('no changes to the order were requested');
    const request: NewOrder = {
      symbol: old.symbol,
      side: old.side,
      type: old.type,
      extendedHours: old.extendedHours,
      qty: patch.qty ?? old.qty - old.filledQty,
      limitPrice: patch.limitPrice ?? old.limitPrice,
      timeInForce: patch.timeInForce ?? old.timeInForce,
      clientOrderId: patch.clientOrderId,
    };
    this.checkNew(request, old);
    const replacement = this.create(request, old.id);
    old.statusBeforePending = old.status;
    old.replacement = replacement;
    old.filledAtReplaceRequest = old.filledQty;
    this.setStatus(old, 'pending_replace');
    this.emit('pending_replace', old);
    this.o.market.cancel(old.id);
    return replacement;
  }

  /** Re-check held orders now (the closed-market fault was changed). */
  reconsiderHeld(): void {
    this.gate.reconsider();
  }

  // ── venue events ─────────────────────────────────────────────────────────────────────────

  private onVenueEvent(event: OrderEvent): void {
    this.venueEventTsUs = event.tsUs;
    try {
      this.applyVenueEvent(event);
    } finally {
      this.venueEventTsUs = null;
    }
  }

  private applyVenueEvent(event: OrderEvent): void {
    const order = this.orders.get(event.clientOrderId);
    if (!order) return;
    switch (event.type) {
      case 'accepted':
        if (order.status === 'accepted') this.setStatus(order, 'new');
        if (order.status !== 'filled') this.emit('new', order);
        return;
      case 'fill':
        this.applyFill(order, event.execId, event.qty, event.price, event.tsUs);
        return;
      case 'canceled':
        this.onCanceled(order);
        return;
      case 'rejected':
        if (!isOpen(order)) return;
        order.failedAtUs = this.now();
        this.setStatus(order, 'rejected');
        this.emit('rejected', order);
        return;
      case 'cancel_rejected':
        this.onCancelRefused(order);
        return;
      case 'status':
        return;
    }
  }

  private applyFill(order: OrderRecord, execId: string, qty: number, price: number, tsUs: number): void {
    if (order.execIds.has(execId)) return;
    order.execIds.add(execId);
    const shares = Math.min(qty, order.qty - order.filledQty);
    if (shares <= 0) return;
    order.filledQty += shares;
    order.filledCostUnits += shares * Math.round(dollarsToUnits(price));
    const positionQty = this.o.portfolio.applyFill(order.symbol, order.side, shares, price);
    const complete = order.filledQty >= order.qty;
    if (complete) {
      order.filledAtUs = tsUs;
      this.setStatus(order, 'filled');
    } else if (order.status !== 'pending_cancel' && order.status !== 'pending_replace') {
      this.setStatus(order, 'partially_filled');
    } else {
      order.updatedAtUs = this.now();
    }
    // Alpaca's execution ids are UUIDs; the venue's own id only de-duplicates (execIds).
    this.emit(complete ? 'fill' : 'partial_fill', order, { executionId: this.o.newId(), price, qty: shares, positionQty });
    if (complete && order.replacement) this.rejectReplacement(order);
  }

  private onCanceled(order: OrderRecord): void {
    if (order.status === 'pending_replace' && order.replacement) {
      const replacement = order.replacement;
      order.replacement = null;
      order.replacedAtUs = this.now();
      order.replacedBy = replacement.id;
      this.setStatus(order, 'replaced');
      this.emit('replaced', order);
      // Fills of the old order after the PATCH come off the new one: the pair never over-fills.
      replacement.qty -= order.filledQty - order.filledAtReplaceRequest;
      // A replacement the client canceled while it waited for the old order stays canceled.
      if (!isOpen(replacement)) return;
      if (replacement.qty <= 0) {
        replacement.qty = Math.max(replacement.qty, 0);
        this.rejectOrder(replacement);
      } else if (this.gate.tradableNow(replacement)) this.route(replacement);
      else this.gate.hold(replacement);
      return;
    }
    if (!isOpen(order)) return;
    this.finishCanceled(order);
  }

  private onCancelRefused(order: OrderRecord): void {
    if (order.status === 'pending_replace') {
      this.emit('order_replace_rejected', order);
      this.restoreAfterPending(order);
      if (order.replacement) this.rejectReplacement(order);
      return;
    }
    if (order.status === 'pending_cancel') {
      this.emit('order_cancel_rejected', order);
      this.restoreAfterPending(order);
    }
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  private now(): number {
    return this.o.clock.nowUs();
  }

  /** Alpaca's checks on a new order (or on the order replacing `replacing`): 422/403 errors. */
  private checkNew(request: NewOrder, replacing?: OrderRecord): void {
    checkNewOrder(request, {
      symbols: this.o.symbols,
      clientIdTaken: (id) => this.byClientId.has(id),
      tickUnits: this.o.tickUnits,
      quote: this.o.quote,
      cash: this.o.portfolio.cash,
      openBuyCommitment: () => openBuyCommitment(this.sequence, replacing),
      openOrders: () => this.sequence.filter((o) => o !== replacing && isOpen(o)),
    });
  }

  private create(request: NewOrder, replaces: string | null): OrderRecord {
    const now = this.now();
    const id = this.o.newId();
    const order = newOrderRecord(id, request.clientOrderId ?? this.o.newId(), request, replaces, now);
    this.orders.set(id, order);
    this.byClientId.set(order.clientOrderId, order);
    this.sequence.push(order);
    return order;
  }

  /** Hand the order to the venue. A market order works as a limit at the far touch now. */
  private route(order: OrderRecord): void {
    let price = order.limitPrice;
    if (order.type === 'market') {
      const quote = this.o.quote(order.symbol);
      if (!quote) {
        this.rejectOrder(order);
        return;
      }
      price = order.side === 'buy' ? quote.ask : quote.bid;
    }
    order.venuePrice = price!;
    order.routed = true;
    order.submittedAtUs = this.now();
    this.o.market.submit({
      clientOrderId: order.id,
      symbol: order.symbol,
      side: order.side,
      qty: order.qty,
      limitPrice: price!,
      timeInForce: order.timeInForce === 'ioc' ? 'ioc' : 'day',
    });
  }

  private expireDayOrders(extended: boolean): void {
    for (const order of this.sequence) {
      if (!isOpen(order) || order.timeInForce !== 'day' || order.extendedHours !== extended) continue;
      order.expiring = true;
      if (!order.routed) {
        this.gate.unhold(order);
        this.finishCanceled(order);
      } else if (order.status !== 'pending_cancel' && order.status !== 'pending_replace') {
        this.o.market.cancel(order.id);
      }
    }
  }

  /** fill_after_cancel: a fill at the order's limit overtakes the cancel request. */
  private fillAhead(order: OrderRecord, qty: number | null): void {
    const remaining = order.qty - order.filledQty;
    const shares = Math.min(qty ?? remaining, remaining);
    if (shares <= 0) return;
    this.applyFill(order, `${order.id}-fault-fill-${order.execIds.size + 1}`, shares, order.venuePrice, this.now());
  }

  private finishCanceled(order: OrderRecord): void {
    if (order.expiring) {
      order.expiredAtUs = this.now();
      this.setStatus(order, 'expired');
      this.emit('expired', order);
      return;
    }
    order.canceledAtUs = this.now();
    this.setStatus(order, 'canceled');
    this.emit('canceled', order);
  }

  private rejectOrder(order: OrderRecord): void {
    order.failedAtUs = this.now();
    this.setStatus(order, 'rejected');
    this.emit('rejected', order);
  }

  private rejectReplacement(old: OrderRecord): void {
    const replacement = old.replacement!;
    old.replacement = null;
    if (replacement.status === 'accepted') this.rejectOrder(replacement);
  }

  private restoreAfterPending(order: OrderRecord): void {
    const before = order.statusBeforePending ?? 'new';
    order.statusBeforePending = null;
    if (order.status === 'filled') return;
    this.setStatus(order, order.filledQty > 0 && before === 'new' ? 'partially_filled' : before);
  }

  private setStatus(order: OrderRecord, status: AlpacaOrderStatus): void {
    order.status = status;
    order.updatedAtUs = this.now();
  }

  private emit(event: string, order: OrderRecord, fill?: { executionId: string; price: number; qty: number; positionQty: number }): void {
    const update: TradeUpdate = {
      event,
      tsUs: this.venueEventTsUs ?? this.now(),
      order: orderJson(order),
      executionId: fill?.executionId ?? this.o.newId(),
      ...(fill ? { price: fill.price, qty: fill.qty, positionQty: fill.positionQty } : {}),
    };
    for (const listener of [...this.listeners]) listener(update);
  }
}

export { AlpacaError };
