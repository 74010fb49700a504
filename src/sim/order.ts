/** One child order as the simulated venue holds it. */
import type { ChildOrderRequest, VenueOrderStatus } from '../engine/ports.ts';

export class SimOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly isBuy: boolean;
  readonly qty: number;
  readonly limitPrice: number;
  readonly timeInForce: 'day' | 'ioc';
  /** When the order reaches the venue (a cancel never arrives before this). */
  readonly venueArrivalUs: number;
  status: VenueOrderStatus = 'pending_new';
  /** Another order with this client id was submitted first: rejected on arrival. */
  duplicateId = false;
  cumQty = 0;
  execCount = 0;
  resting = false;
  /** The symbol's tick at the limit in price units, set when the child starts resting (fill models read it). */
  tickUnits = 100;
  /**
   * The fill model's own per-order fields (hftbacktest's `order.q`): made by the model when the
   * child starts resting, read and written only by that model.
   */
  fillState: unknown = null;
  /** Near prices strictly between these leave `fillState` as it is: the venue skips `depth` (NearTouch.quietLo). */
  quietLo = Number.NaN;
  quietHi = Number.NaN;

  constructor(request: ChildOrderRequest, venueArrivalUs: number) {
    this.clientOrderId = request.clientOrderId;
    this.symbol = request.symbol;
    this.isBuy = request.side === 'buy';
    this.qty = request.qty;
    this.limitPrice = request.limitPrice;
    this.timeInForce = request.timeInForce;
    this.venueArrivalUs = venueArrivalUs;
  }

  get remainingQty(): number {
    return this.qty - this.cumQty;
  }
}
