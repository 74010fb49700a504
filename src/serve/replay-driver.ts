/**
 * What moves `serve`'s virtual time (replay.ts owns the venue, this file only the pace):
 *   a number  wall-paced: virtual = start + speed · wall elapsed (pacer.ts); 0 = paused (admin advance only)
 *   max       as fast as the market-data clients read, in adaptive steps (waits while they are backlogged;
 *             starts once a client subscribed or sent an order; speed 1 after the tape ends)
 *   lockstep  driven by the client, deterministically: time moves only on `step(untilUs)` (POST
 *             /admin/lockstep), and only to the next time anything happens —
 *               next = min(untilUs, the first tape row or venue event after now)
 *             The REST layer calls `step` only once the client has consumed every stream message the
 *             venue sent so far (rest.ts compares the counts), so no event is ever overtaken by time.
 */
import { Pacer } from './pacer.ts';

export type Speed = number | 'max' | 'lockstep';

/** The venue as its driver sees it. */
export interface DrivenVenue {
  nowUs(): number;
  /** Run the venue through `targetUs` and publish the rows that became visible; returns rows published. */
  advanceTo(targetUs: number): number;
  /** The first virtual time after now at which a tape row or a venue event is due; Infinity when none. */
  nextEventUs(): number;
  tapeEndUs(): number;
  /** Market-data clients are behind (an as-fast-as-possible replay waits). */
  backlogged(): boolean;
  /** A client subscribed to market data or sent an order. */
  anyClientInterest(): boolean;
}

const TICK_MS = 10;
const MAX_STEP_MIN_US = 1_000;
const MAX_STEP_MAX_US = 60_000_000;
const MAX_ROWS_PER_STEP = 4_000;
const BACKLOG_WAIT_MS = 5;

export class ReplayDriver {
  private pacer: Pacer | null = null;
  private interval: ReturnType<typeof setInterval> | null = null;
  private maxTimer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | null = null;
  private maxStepUs = 1_000_000;
  private running = false;
  private closed = false;

  constructor(
    private readonly venue: DrivenVenue,
    readonly speed: Speed,
    private readonly wallNowMs: () => number,
  ) {}

  start(): void {
    if (this.running || this.closed) return;
    this.running = true;
    if (this.speed === 'max') this.scheduleMaxStep(false);
    else if (this.speed !== 'lockstep') this.startPaced(this.speed);
  }

  close(): void {
    this.closed = true;
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    if (this.maxTimer) {
      clearTimeout(this.maxTimer as ReturnType<typeof setTimeout>);
      clearImmediate(this.maxTimer as ReturnType<typeof setImmediate>);
    }
    this.maxTimer = null;
  }

  /** Admin: move virtual time forward by `us` on top of the pace. */
  advanceBy(us: number): void {
    if (!(us >= 0)) throw new RangeError('advance: virtual time cannot move backwards');
    if (this.pacer) {
      this.pacer.shift(us);
      this.venue.advanceTo(this.pacer.targetUs(this.wallNowMs()));
    } else {
      this.venue.advanceTo(this.venue.nowUs() + us);
    }
  }

  /**
   * Lockstep: move to min(untilUs, the next due event) — never past it, never backwards (an
   * `untilUs` at or before now moves nothing). Returns the new virtual time.
   */
  step(untilUs: number): number {
    this.venue.advanceTo(this.venue.nowUs()); // everything due now first
    const now = this.venue.nowUs();
    const target = Math.min(untilUs, this.venue.nextEventUs());
    if (Number.isFinite(target) && target > now) this.venue.advanceTo(target);
    return this.venue.nowUs();
  }

  /** A client that has not shown interest yet keeps a max replay waiting. */
  waitingForClient(): boolean {
    return this.speed === 'max' && !this.venue.anyClientInterest();
  }

  private startPaced(speed: number): void {
    this.pacer = new Pacer(this.venue.nowUs(), speed, this.wallNowMs());
    if (speed > 0) {
      this.interval = setInterval(() => this.venue.advanceTo(this.pacer!.targetUs(this.wallNowMs())), TICK_MS);
      this.interval.unref();
    }
  }

  private scheduleMaxStep(wait: boolean): void {
    const step = () => {
      this.maxTimer = null;
      if (this.closed) return;
      // Nobody listening and no order yet: a max replay would be over before the first client
      // arrived, so it waits for one (a market-data subscription or an order).
      if (this.venue.backlogged() || !this.venue.anyClientInterest()) {
        this.scheduleMaxStep(true);
        return;
      }
      const tapeEndUs = this.venue.tapeEndUs();
      const published = this.venue.advanceTo(Math.min(tapeEndUs, this.venue.nowUs() + this.maxStepUs));
      // Aim at a few thousand rows per step: enough to keep sockets busy, small enough to stay responsive.
      if (published > MAX_ROWS_PER_STEP) this.maxStepUs = Math.max(MAX_STEP_MIN_US, Math.floor(this.maxStepUs / 2));
      else if (published < MAX_ROWS_PER_STEP / 4) this.maxStepUs = Math.min(MAX_STEP_MAX_US, this.maxStepUs * 2);
      if (this.venue.nowUs() >= tapeEndUs) {
        this.startPaced(1);
        return;
      }
      this.scheduleMaxStep(false);
    };
    this.maxTimer = wait ? setTimeout(step, BACKLOG_WAIT_MS) : setImmediate(step);
  }
}
