/**
 * When an accepted order may reach the venue (broker.ts): inside its session (regular, or extended
 * for extended-hours orders) and not while the closed-market fault holds; orders that may not yet
 * are held and handed back (`onReady`) at the first time they may, by one timer for all of them.
 * An order whose session has ended stays held until the broker expires it.
 */
import type { Clock } from '../engine/ports.ts';
import type { SessionTimes } from './broker-types.ts';
import type { Faults } from './faults.ts';
import type { OrderRecord } from './orders.ts';

export class SessionGate {
  private readonly held: OrderRecord[] = [];
  private releaseTimerUs = Infinity;

  constructor(
    private readonly o: { clock: Clock; session: SessionTimes; faults: Faults },
    private readonly onReady: (order: OrderRecord) => void,
  ) {}

  /** When the order may reach the venue: now, a later time, or never (null) in this replay. */
  tradableFrom(order: OrderRecord, nowUs: number): number | null {
    const s = this.o.session;
    const [open, close] = order.extendedHours ? [s.extendedOpenUs, s.extendedCloseUs] : [s.openUs, s.closeUs];
    if (nowUs >= close) return null;
    let at = Math.max(nowUs, open);
    const faultUntil = this.o.faults.closedUntil(at);
    if (faultUntil !== null) at = faultUntil;
    return at < close ? at : null;
  }

  tradableNow(order: OrderRecord): boolean {
    const now = this.o.clock.nowUs();
    return this.tradableFrom(order, now) === now;
  }

  hold(order: OrderRecord): void {
    this.held.push(order);
    this.scheduleRelease();
  }

  unhold(order: OrderRecord): void {
    const at = this.held.indexOf(order);
    if (at >= 0) this.held.splice(at, 1);
  }

  /** Re-check held orders now (the closed-market fault was changed). */
  reconsider(): void {
    this.releaseTimerUs = Infinity;
    this.releaseHeld();
  }

  private scheduleRelease(): void {
    const now = this.o.clock.nowUs();
    let next = Infinity;
    for (const order of this.held) {
      const at = this.tradableFrom(order, now);
      if (at !== null && at < next) next = at;
    }
    if (next < this.releaseTimerUs) {
      this.releaseTimerUs = next;
      this.o.clock.setTimer(next, () => {
        if (this.releaseTimerUs === next) this.releaseTimerUs = Infinity;
        this.releaseHeld();
      });
    }
  }

  private releaseHeld(): void {
    const now = this.o.clock.nowUs();
    const ready = this.held.filter((order) => this.tradableFrom(order, now) === now);
    for (const order of ready) {
      this.unhold(order);
      this.onReady(order);
    }
    if (this.held.length > 0) this.scheduleRelease();
  }
}
