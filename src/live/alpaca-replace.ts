/**
 * Replace (PATCH) flows of AlpacaMarket: the request with its lost-answer search by the new client
 * order id, the old child's end releasing the replacement, a refusal (`cancel_rejected` old then
 * `rejected` new), and the corrective cancels (a replacement larger than what is left, a refused
 * replacement the venue has after all). The answers are promised in ports.ts (Market.replace).
 */
import type { VenueOrder } from './alpaca-api.ts';
import { ChildBook, type Child } from './alpaca-children.ts';
import { describeError as describe } from './describe-error.ts';
import { isRetryable, withRetry } from './retry.ts';

export abstract class ReplaceFlows extends ChildBook {
  protected abstract queryFlow(child: Child): Promise<void>;

  /**
   * The old child has ended (its terminal event is delivered): its replacement may speak. When the
   * venue replaced it, the replacement is acknowledged first; then its queued updates follow.
   */
  protected releaseReplacement(old: Child): void {
    const next = old.replacedBy;
    if (next === null || !next.blocked) return;
    next.blocked = false;
    if (old.venueReplaced) next.allowedQty = next.engineQty - Math.max(0, old.maxCumQty - next.oldFilledAtRequest);
    if (old.venueReplaced && !next.terminalSent) this.sendAccepted(next, this.clock.nowUs());
    for (const run of next.queued.splice(0)) run();
    if (next.cancelWanted && next.orderId !== null && !next.terminalSent) {
      next.cancelWanted = false;
      this.track(this.cancelFlow(next));
    }
  }
  /**
   * A refused replace: `cancel_rejected` for the old id, then `rejected` for the new one. The old
   * child works on as before; a cancel asked for it meanwhile (and not asked again by the engine
   * on hearing of the refusal) is sent now.
   */
  protected refuseReplace(old: Child | null, oldEngineId: string, next: Child | null, nextEngineId: string, reason: string): void {
    // Does this answer end the old child's pending replace (rather than refuse a second request)?
    const resolves = old !== null && next !== null && old.replacedBy === next;
    if (resolves) old.replacedBy = null;
    if (next !== null) {
      next.blocked = false;
      next.queued.length = 0;
      if (next.terminalSent) return; // already answered
      next.refused = true;
      if (next.orderId === null) next.phase = 'failed';
      this.markDone(next);
    }
    this.stats.replacesRefused++;
    const cancelAfter = resolves && old.cancelAfterReplace;
    const cancelsBefore = old?.cancelRequests ?? 0;
    if (resolves) old.cancelAfterReplace = false;
    const tsUs = this.clock.nowUs();
    this.deliver({ type: 'cancel_rejected', clientOrderId: oldEngineId, tsUs, reason });
    this.deliver({ type: 'rejected', clientOrderId: nextEngineId, tsUs, reason });
    if (cancelAfter && old.cancelRequests === cancelsBefore && !old.terminalSent && old.orderId !== null) this.track(this.cancelFlow(old));
  }
  /**
   * The venue shrinks a replacement by what the old order filled after the PATCH reached it; fills
   * that happened before that but after the engine sized the request (their updates still on the
   * way) are not deducted, so the new order can work more than the parent has left:
   *   allowed = engine qty − (old order's final filled qty − its filled qty the engine knew)
   * A replacement working more than `allowed` is canceled at once: the engine hears `canceled`
   * and sends the step again sized from the fills (cancel then submit).
   */
  protected checkOversized(child: Child, venueQty: number): void {
    if (child.allowedQty === null || child.oversizeCanceled || child.terminalSent || child.orderId === null) return;
    if (!(Number.isFinite(venueQty) && venueQty > child.allowedQty)) return;
    child.oversizeCanceled = true;
    this.stats.oversizedReplacementsCanceled++;
    (this.options.log ?? (() => {}))(`live: ${child.venueId} works ${venueQty} but only ${child.allowedQty} are left (fills the venue did not deduct) — canceling it`);
    this.track(this.cancelFlow(child));
  }
  /** A replacement reported refused turned up live at the venue after all (a late PATCH): take it out. */
  protected cancelOrphan(child: Child): void {
    if (child.orderId === null || child.orphanCanceled) return;
    child.orphanCanceled = true;
    (this.options.log ?? (() => {}))(`live: ${child.venueId} was reported refused but the venue has it — canceling it`);
    this.track(this.cancelFlow(child));
  }
  protected async replaceFlow(old: Child, next: Child): Promise<void> {
    const req = next.request;
    let order: VenueOrder | null = null;
    let failure: unknown = null;
    let attempts = 0;
    try {
      order = await withRetry(
        `replace ${old.venueId} → ${next.venueId}`,
        async (attempt) => {
          attempts = attempt;
          this.stats.replaceAttempts++;
          if (attempt > 1) {
            // The previous answer was lost or refused for load: did the venue make the new order? Never PATCH twice.
            const found = await this.api.trading.getByClientOrderId(next.venueId);
            if (found) {
              this.stats.replacesFoundByClientId++;
              return found;
            }
          }
          // No qty: the venue sizes the replacement from its own word about the old order (its qty
          // minus everything it filled), in the same exchange — a fill still on its way to us is
          // already counted there, so the pair can never fill more than the old order's qty.
          return this.api.trading.replace(old.orderId!, { limitPrice: req.limitPrice, clientOrderId: next.venueId });
        },
        this.options.retry,
        (n) => this.noteRetry(n),
      );
    } catch (err) {
      failure = err;
    }
    if (!order && failure !== null && (attempts > 1 || isRetryable(failure))) {
      // Out of attempts with the outcome unknown, or refused after an earlier attempt may have got
      // through: one last look before calling it refused.
      try {
        order = await this.retry(`find ${next.venueId}`, () => this.api.trading.getByClientOrderId(next.venueId));
        if (order) this.stats.replacesFoundByClientId++;
      } catch (err) {
        failure = err;
      }
    }
    if (!order) {
      const reason = failure === null ? 'replace_failed' : `replace_failed: ${describe(failure)}`;
      return this.refuseReplace(old, old.engineId, next, next.engineId, reason);
    }
    this.learnOrderId(next, order.id);
    this.learnVenueQty(next, order.qty);
    // Already answered by the stream (refused): the venue's own updates show whether it lives.
    if (next.refused) return;
    if (next.phase === 'submitting') next.phase = 'open';
    if (order.status === 'rejected' && !next.acceptedSent) {
      return this.refuseReplace(next.replaces, old.engineId, next, next.engineId, 'venue_rejected');
    }
    // Acceptance waits for the old order's `replaced` (releaseReplacement), which may already be in.
    if (!next.blocked && next.cancelWanted && !next.terminalSent) {
      next.cancelWanted = false;
      this.track(this.cancelFlow(next));
    }
    if (next.queryWanted) {
      next.queryWanted = false;
      this.track(this.queryFlow(next));
    }
  }
}
