/**
 * trade_updates → the engine's OrderEvents (the mapping table is in alpaca-market.ts's header),
 * and Alpaca's order status → the engine's venue status.
 */
import type { VenueOrderStatus } from '../engine/ports.ts';
import type { TradeUpdateMsg } from './alpaca-api.ts';
import { heldCumQty, type Child } from './alpaca-children.ts';
import { RestFlows } from './alpaca-rest.ts';

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

export abstract class TradeUpdateMapping extends RestFlows {
  protected onTradeUpdate(u: TradeUpdateMsg): void {
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
  protected applyTradeUpdate(child: Child, u: TradeUpdateMsg, tsUs: number): void {
    this.mapTradeUpdate(child, u, tsUs);
    // Only the venue's own word once the order works (`new`, fills) shows its size after the replace.
    if (u.event === 'new' || u.event === 'fill' || u.event === 'partial_fill') this.checkOversized(child, u.order.qty);
  }
  protected mapTradeUpdate(child: Child, u: TradeUpdateMsg, tsUs: number): void {
    switch (u.event) {
      case 'new':
      case 'accepted':
        if (child.refused) return this.cancelOrphan(child);
        // `new`: the venue accepted the order, stamped with its time (Alpaca's `accepted` is its own receipt).
        return this.sendAccepted(child, tsUs, u.event === 'new' && Number.isFinite(u.tsUs));
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
  protected onFillUpdate(child: Child, u: TradeUpdateMsg, tsUs: number): void {
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
}
