/**
 * Market hours for `Market.session(tsUs)` from the venue's clock endpoint (GET /v2/clock:
 * is_open, next_open, next_close). The engine asks synchronously, so the last answer is kept and
 * extrapolated:
 *
 *   answered open:    open while tsUs < next_close; closed after it (next open unknown until asked)
 *   answered closed:  closed while tsUs < next_open (openUs = next_open, so queue_when_closed can
 *                     wait for it); open from next_open until next_close
 *
 * and asked again when either boundary passes (and every `refreshClockUs` of clock time, so a venue that
 * changes its mind — a halt of the whole market, `serve`'s market_closed_until — is seen).
 * While open, `openUs` is the regular session's open of that New York day (calendar.ts): the
 * clock endpoint does not say when today's session began, and the engine only needs it when closed.
 */
import { nyDay, regularSession } from '../core/calendar.ts';
import type { Clock, SessionInfo } from '../engine/ports.ts';
import type { VenueClock } from './alpaca-api.ts';

export class SessionClock {
  private answer: VenueClock | null = null;
  private boundaryTimer: number | null = null;
  private periodicTimer: number | null = null;
  private asking: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly fetchClock: () => Promise<VenueClock>,
    private readonly options: { refreshClockUs: number; onError?: (err: unknown) => void } = { refreshClockUs: 60e6 },
  ) {}

  /** The latest answer (null before the first). */
  get last(): VenueClock | null {
    return this.answer;
  }

  /** Ask now; resolves when answered (errors go to onError, and the old answer stays). */
  refresh(): Promise<void> {
    if (this.asking) return this.asking;
    this.asking = this.fetchClock()
      .then((answer) => this.set(answer))
      .catch((err) => this.options.onError?.(err))
      .finally(() => {
        this.asking = null;
      });
    return this.asking;
  }

  /** Take an answer (also used at start, where the run awaits the first one itself). */
  set(answer: VenueClock): void {
    this.answer = answer;
    if (this.stopped) return;
    if (this.boundaryTimer !== null) this.clock.cancelTimer(this.boundaryTimer);
    const boundary = answer.isOpen ? answer.nextCloseUs : answer.nextOpenUs;
    this.boundaryTimer = Number.isFinite(boundary)
      ? this.clock.setTimer(boundary, () => {
          this.boundaryTimer = null;
          void this.refresh();
        })
      : null;
    if (this.periodicTimer === null) this.schedulePeriodic();
  }

  session(tsUs: number): SessionInfo {
    const a = this.answer;
    if (!a) return { isOpen: false, openUs: null, closeUs: null };
    const regularOpen = regularSession(nyDay(tsUs)).openUs;
    if (a.isOpen) {
      if (tsUs < a.nextCloseUs) return { isOpen: true, openUs: Math.min(regularOpen, tsUs), closeUs: a.nextCloseUs };
      return { isOpen: false, openUs: a.nextOpenUs > tsUs ? a.nextOpenUs : null, closeUs: null };
    }
    if (tsUs < a.nextOpenUs) return { isOpen: false, openUs: a.nextOpenUs, closeUs: a.nextCloseUs };
    if (tsUs < a.nextCloseUs) return { isOpen: true, openUs: a.nextOpenUs, closeUs: a.nextCloseUs };
    return { isOpen: false, openUs: null, closeUs: null };
  }

  stop(): void {
    this.stopped = true;
    if (this.boundaryTimer !== null) this.clock.cancelTimer(this.boundaryTimer);
    if (this.periodicTimer !== null) this.clock.cancelTimer(this.periodicTimer);
    this.boundaryTimer = null;
    this.periodicTimer = null;
  }

  private schedulePeriodic(): void {
    if (this.stopped) return;
    this.periodicTimer = this.clock.setTimer(this.clock.nowUs() + this.options.refreshClockUs, () => {
      this.periodicTimer = null;
      void this.refresh().then(() => this.schedulePeriodic());
    });
  }
}
