/**
 * Replay pacing: wall time → virtual time.
 *
 *   virtualUs = startUs + shiftUs + speed · (wallNowMs − wallStartMs) · 1000
 *
 * `speed` 1 is real time, 60 a minute per second, 0 paused (time moves only by `shift`, the admin
 * endpoint's "advance"). `max` is not paced here: the replay runs as fast as clients read.
 * Virtual time never runs backwards: a target below the last one is clamped to it.
 */
export class Pacer {
  private shiftUs = 0;
  private lastUs: number;

  constructor(
    private readonly startUs: number,
    private readonly speed: number,
    private readonly wallStartMs: number,
  ) {
    if (!(speed >= 0) || !Number.isFinite(speed)) throw new RangeError(`speed ${speed}: expected a number ≥ 0`);
    this.lastUs = startUs;
  }

  targetUs(wallNowMs: number): number {
    const us = this.startUs + this.shiftUs + Math.round(this.speed * (wallNowMs - this.wallStartMs) * 1000);
    if (us > this.lastUs) this.lastUs = us;
    return this.lastUs;
  }

  /** Move virtual time forward by `us` on top of the pace. */
  shift(us: number): void {
    if (us < 0) throw new RangeError('virtual time cannot move backwards');
    this.shiftUs += us;
  }
}
