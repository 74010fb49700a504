/**
 * The trade-update stream as the faults shape it, between the broker and the trading WebSocket:
 *   cancel_ack_delay_ms      a `canceled` update is held that many virtual ms
 *   reorder_trade_updates    an update is held until the next one has been sent (or until
 *                            REORDER_FLUSH_US of virtual time pass with none), swapping the pair
 *   duplicate_trade_updates  an update is sent twice
 * Without faults every update passes straight through, in order.
 */
import type { Clock } from '../engine/ports.ts';
import type { TradeUpdate } from './broker.ts';
import type { Faults } from './faults.ts';

/** A held (reordered) update goes out alone after this much virtual time without a successor. */
export const REORDER_FLUSH_US = 1_000_000;

export class TradeUpdateOutbox {
  private readonly listeners: ((update: TradeUpdate) => void)[] = [];
  private held: TradeUpdate | null = null;
  private heldTimer: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly faults: Faults,
  ) {}

  subscribe(listener: (update: TradeUpdate) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  push(update: TradeUpdate): void {
    const delayUs = this.faults.cancelAckDelayUs;
    if (update.event === 'canceled' && delayUs > 0) {
      this.clock.setTimer(this.clock.nowUs() + delayUs, () => this.forward(update));
      return;
    }
    this.forward(update);
  }

  private forward(update: TradeUpdate): void {
    if (this.held !== null) {
      const earlier = this.held;
      this.held = null;
      if (this.heldTimer !== null) this.clock.cancelTimer(this.heldTimer);
      this.heldTimer = null;
      this.send(update);
      this.send(earlier);
      return;
    }
    if (this.faults.takeReorder()) {
      this.held = update;
      this.heldTimer = this.clock.setTimer(this.clock.nowUs() + REORDER_FLUSH_US, () => {
        const alone = this.held;
        this.held = null;
        this.heldTimer = null;
        if (alone) this.send(alone);
      });
      return;
    }
    this.send(update);
  }

  private send(update: TradeUpdate): void {
    const copies = this.faults.takeDuplicate() ? 2 : 1;
    for (let k = 0; k < copies; k++) for (const listener of [...this.listeners]) listener(update);
  }
}
