/**
 * REST flows of AlpacaMarket: submit (exactly one order per client id: a lost answer is found by
 * GET before any re-send), cancel, order queries and their `status` events, and the re-read of
 * every open child after the trade stream was down.
 */
import type { VenueOrder } from './alpaca-api.ts';
import type { Child } from './alpaca-children.ts';
import { ReplaceFlows } from './alpaca-replace.ts';
import { describeError as describe } from './describe-error.ts';
import { venueStatus } from './trade-updates.ts';
import { withRetry } from './retry.ts';

export abstract class RestFlows extends ReplaceFlows {

  protected async submitFlow(child: Child): Promise<void> {
    const req = child.request;
    let order: VenueOrder | null = null;
    let failure: unknown = null;
    try {
      order = await withRetry(
        `submit ${child.venueId}`,
        async (attempt) => {
          this.stats.submitAttempts++;
          if (attempt > 1) {
            // The previous answer was lost or refused for load: does the order exist? Never send twice.
            const found = await this.api.trading.getByClientOrderId(child.venueId);
            if (found) {
              this.stats.submitsFoundByClientId++;
              return found;
            }
          }
          return this.api.trading.submitLimit({ ...req, clientOrderId: child.venueId });
        },
        this.options.retry,
        (n) => this.noteRetry(n),
      );
    } catch (err) {
      failure = err;
    }
    if (!order && failure !== null) {
      // Refused, or out of attempts with the outcome unknown: one last look before calling it
      // rejected (a re-send refused as a duplicate means an earlier attempt got through).
      try {
        order = await this.retry(`find ${child.venueId}`, () => this.api.trading.getByClientOrderId(child.venueId));
        if (order) this.stats.submitsFoundByClientId++;
      } catch (err) {
        failure = err;
      }
    }
    if (!order) {
      child.phase = 'failed';
      this.markDone(child);
      const reason = failure === null ? 'submit_failed' : isWashTrade(failure) ? 'wash_trade' : `submit_failed: ${describe(failure)}`;
      this.deliver({ type: 'rejected', clientOrderId: child.engineId, tsUs: this.clock.nowUs(), reason });
      return;
    }
    this.learnOrderId(child, order.id);
    if (child.phase === 'submitting') child.phase = 'open';
    if (order.status === 'rejected') {
      this.sendTerminal(child, { type: 'rejected', clientOrderId: child.engineId, tsUs: this.clock.nowUs(), reason: 'venue_rejected' });
    } else {
      this.sendAccepted(child, this.clock.nowUs());
    }
    if (child.cancelWanted && !child.terminalSent) {
      child.cancelWanted = false;
      this.track(this.cancelFlow(child));
    }
    if (child.queryWanted) {
      child.queryWanted = false;
      this.track(this.queryFlow(child));
    }
  }
  protected async cancelFlow(child: Child): Promise<void> {
    const orderId = child.orderId!;
    this.stats.cancels++;
    try {
      await withRetry(`cancel ${child.venueId}`, () => this.api.trading.cancel(orderId), this.options.retry, (n) => this.noteRetry(n));
    } catch (err) {
      if (child.terminalSent) return;
      const status = (err as { status?: unknown }).status;
      const reason = status === 404 ? 'unknown_order' : status === 422 ? 'not_cancelable' : `cancel_failed: ${describe(err)}`;
      this.deliver({ type: 'cancel_rejected', clientOrderId: child.engineId, tsUs: this.clock.nowUs(), reason });
    }
  }
  protected async queryFlow(child: Child): Promise<void> {
    this.stats.queries++;
    let order: VenueOrder | null;
    try {
      order = await this.retry(`query ${child.venueId}`, () =>
        child.orderId !== null ? this.api.trading.getById(child.orderId) : this.api.trading.getByClientOrderId(child.venueId),
      );
    } catch (err) {
      (this.options.log ?? (() => {}))(`live: order query ${child.engineId} failed: ${describe(err)}`);
      return; // the executor asks again at its next cancel-ack timeout
    }
    this.deliverStatus(child, order);
  }
  /** `sized`: the answer came after the replace completed, so its qty is the venue's final size. */
  protected deliverStatus(child: Child, order: VenueOrder | null, sized = true): void {
    const tsUs = this.clock.nowUs();
    if (!order) {
      if (child.phase === 'failed') this.deliver({ type: 'status', clientOrderId: child.engineId, tsUs, status: 'unknown', cumQty: 0 });
      return;
    }
    this.learnOrderId(child, order.id);
    this.learnVenueQty(child, order.qty);
    const status = venueStatus(order.status);
    if (child.blocked) {
      // A replacement whose old order has not ended: refused, or its state waits behind the old one's.
      if (status === 'rejected' && child.replaces) return this.refuseReplace(child.replaces, child.replaces.engineId, child, child.engineId, 'venue_rejected');
      this.stats.replacementUpdatesHeld++;
      // Asked before the venue replaced the old order: its qty is not the final size yet.
      child.queued.push(() => this.deliverStatus(child, order, false));
      return;
    }
    if (order.status === 'replaced' && child.replacedBy !== null && !child.terminalSent) {
      // The `replaced` update was missed: the same answer as if it had come.
      child.venueReplaced = true;
      return this.sendTerminal(child, { type: 'canceled', clientOrderId: child.engineId, tsUs, cumQty: order.filledQty });
    }
    child.maxCumQty = Math.max(child.maxCumQty, order.filledQty);
    const done = status === 'filled' || status === 'canceled' || status === 'rejected';
    if (done) this.markDone(child);
    this.deliver({ type: 'status', clientOrderId: child.engineId, tsUs, status, cumQty: child.maxCumQty });
    if (done) this.releaseReplacement(child);
    else if (sized) this.checkOversized(child, order.qty);
  }
  /** After the trade stream was down: every open child's state over REST. */
  protected resyncOpenChildren(): void {
    for (const c of this.byEngineId.values()) {
      if (c.phase !== 'open' || c.terminalSent) continue;
      this.stats.resyncs++;
      this.track(
        (async () => {
          let order: VenueOrder | null;
          try {
            order = await this.retry(`resync ${c.venueId}`, () => this.api.trading.getById(c.orderId!));
          } catch {
            return;
          }
          // Only news is worth an event: more filled, or no longer open.
          if (order && (order.filledQty > c.maxCumQty || venueStatus(order.status) !== 'new')) this.deliverStatus(c, order);
        })(),
      );
    }
  }
}

/** Alpaca refuses an order that could trade against the account's own opposite order. */
function isWashTrade(err: unknown): boolean {
  return err instanceof Error && /wash trade/i.test(err.message);
}
