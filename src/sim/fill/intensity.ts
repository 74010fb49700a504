/**
 * `intensity`: for a child resting INSIDE the spread (better than its own side's displayed touch, so
 * nothing displayed is ahead of it), fills arrive as a Poisson process whose rate falls
 * exponentially with the child's distance δ from the near touch (Avellaneda & Stoikov, 2008):
 *
 *   λ(δ) = A · exp(−k · δ)            A = `sim.intensity.a_per_s` (fills per second at δ = 0),
 *                                     k = `sim.intensity.k_per_tick` (per tick; any sign),
 *   δ = (L − bid) / tick  for a buy,  (ask − L) / tick  for a sell  (whole ticks, > 0 inside),
 *   P(fill in dt) = 1 − exp(−λ(δ) · dt)  with λ fixed between two quotes.
 *
 * With δ measured from the near touch, a limit nearer the far touch has a larger δ; a fitted k < 0
 * says such limits fill sooner (the usual finding), k > 0 the opposite, k = 0 (the default) that the
 * rate does not depend on the distance. `calibrate` (src/fidelity) fits A and k.
 *
 * Seeded draws, one per child: instead of one Bernoulli draw per interval, the child draws its
 * exponential threshold E = −ln(1 − u) (u from the `fill:intensity` stream) when it starts resting
 * and fills once its integrated intensity H = Σ λ(δᵢ)·dtᵢ reaches E — the same law, since
 * P(no fill by T) = exp(−H(T)) either way, with one draw instead of one per quote. The fill is the
 * whole remaining quantity at L (the model's unit is one child, as in Avellaneda–Stoikov), stamped
 * at the quote where H reaches E (so no later than the symbol's next quote).
 *
 * At or behind the touch the child is in a displayed queue: the `queue` model (power/log rule,
 * prints at L) decides, and the intensity clock pauses. The venue's shared rules (quotes and prints
 * through L) apply as for every model.
 */
import type { Rng } from '../../core/rng.ts';
import type { FillModel, NearTouch, RestingChild } from './model.ts';
import { levelRelation } from './model.ts';
import { QueuePosition, type QueueFillModel } from './queue.ts';

/** λ(δ) = A · exp(−k · δ): fills per second for a child δ ticks inside its near touch. */
export function fillIntensity(aPerS: number, kPerTick: number, deltaTicks: number): number {
  return aPerS * Math.exp(-kPerTick * deltaTicks);
}

/** P(fill in dt) = 1 − exp(−λ · dt), dt in seconds. */
export function fillProbability(lambdaPerS: number, dtS: number): number {
  return 1 - Math.exp(-lambdaPerS * dtS);
}

/** δ in whole ticks from the near touch (buy: L − bid, sell: ask − L); ≤ 0 at or behind it. */
export function distanceFromNearTicks(isBuy: boolean, limitPrice: number, nearPrice: number, tickUnits: number): number {
  const units = (isBuy ? limitPrice - nearPrice : nearPrice - limitPrice) * 10_000;
  return Math.round(units / tickUnits);
}

/** The intensity model's per-order fields: its queue position (at/behind the touch) and its clock. */
export class IntensityState {
  readonly queue: QueuePosition;
  /** The exponential threshold E this child's integrated intensity must reach. */
  readonly threshold: number;
  /** Integrated intensity H so far. */
  hazard = 0;
  /** λ in force since `sinceUs` (0 while at or behind the touch). */
  ratePerS = 0;
  sinceUs: number;
  /** Set when H reached E: the venue takes the remaining quantity. */
  fillable = 0;

  constructor(queue: QueuePosition, threshold: number, sinceUs: number) {
    this.queue = queue;
    this.threshold = threshold;
    this.sinceUs = sinceUs;
  }
}

export class IntensityFillModel implements FillModel<IntensityState> {
  readonly name = 'intensity' as const;
  readonly usesDepth = true;
  readonly fillsOnQuote = true;

  constructor(
    private readonly aPerS: number,
    private readonly kPerTick: number,
    private readonly queue: QueueFillModel,
    private readonly rng: Rng,
  ) {}

  newOrder(child: RestingChild, near: NearTouch): IntensityState {
    const state = new IntensityState(this.queue.newOrder(child, near), -Math.log(1 - this.rng()), near.tsUs);
    state.ratePerS = this.rateAt(child, near);
    return state;
  }

  /** A print at L: the queue's business at or behind the touch; inside, the intensity clock decides. */
  trade(state: IntensityState, size: number): void {
    if (!state.queue.insideSpread) this.queue.trade(state.queue, size);
  }

  /** A new quote: H += λ·dt over the interval that just ended (λ of the previous quote); then the new δ. */
  depth(state: IntensityState, near: NearTouch): void {
    const dtS = (near.tsUs - state.sinceUs) / 1e6;
    if (state.ratePerS > 0 && dtS > 0) {
      state.hazard += state.ratePerS * dtS;
      if (state.hazard >= state.threshold) state.fillable = Infinity;
    }
    state.sinceUs = near.tsUs;
    this.queue.depth(state.queue, near);
    // Time alone moves this model's state: no quote is quiet (the queue's band does not hold here).
    near.quietLo = Number.NaN;
    near.quietHi = Number.NaN;
    state.ratePerS = this.rateAt(state.queue, near);
  }

  takeFillable(state: IntensityState): number {
    if (state.fillable > 0) {
      const shares = state.fillable;
      state.fillable = 0;
      return shares;
    }
    return state.queue.insideSpread ? 0 : this.queue.takeFillable(state.queue);
  }

  /** λ(δ) while inside the spread, else 0. */
  private rateAt(child: RestingChild, near: NearTouch): number {
    if (levelRelation(child, near.price) !== 1 || !(near.price > 0)) return 0;
    return fillIntensity(this.aPerS, this.kPerTick, distanceFromNearTicks(child.isBuy, child.limitPrice, near.price, child.tickUnits));
  }
}
