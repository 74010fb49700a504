/**
 * Quantity beyond the displayed touch (`sim.beyond_touch`), for a child marketable on arrival —
 * the ladder's market step and the market-order baseline alike. L1 data shows only the touch, so
 * what a taker finds behind it is a stated model, named in the run's config:
 *
 * `levels` (default) — synthetic price levels behind the far touch, every s ticks (s =
 * `level_spacing_ticks`), each showing f × the displayed far-touch size (f = `level_size_factor`,
 * whole shares). A buy for q shares beyond the displayed ask a (size A) fills, level by level,
 *     level k = 1, 2, …:  price a + k·s·tick,  size ⌊f·A⌋
 * while the level's price is within its limit (the collar); a sell walks down from the bid alike.
 * Why the default: the average displayed depth of liquid US equities is at least as large a few
 * ticks from the touch as at it (the book's depth profile rises away from the touch before it
 * decays), so "the touch repeated every tick" (f = 1) is the neutral, deterministic assumption
 * with one interpretable parameter; it prices the excess immediately, as a market order would
 * be, and is bounded by the collar the engine already sets. A square-root impact law describes
 * the cost of a whole metaorder over time and needs daily volume and volatility, not one sweep.
 *
 * `collar` — nothing beyond the displayed size: the rest rests at the limit (the collar price)
 * and fills only if a later quote or print reaches it (what the simulator did before this key).
 *
 * Several children arriving within one quote walk one shared set of levels: `takenShares` is the
 * quantity already taken behind that quote's touch.
 */
import { addTicks } from '../../engine/ticks.ts';
import type { BeyondTouchConfig } from '../config.ts';
import { PRICE_EPSILON } from './model.ts';

export class BeyondTouch {
  readonly walks: boolean;
  private readonly factor: number;
  private readonly spacingTicks: number;

  constructor(config: BeyondTouchConfig) {
    this.walks = config.model === 'levels';
    this.factor = config.level_size_factor;
    this.spacingTicks = config.level_spacing_ticks;
  }

  /**
   * Walk the synthetic levels behind `farPrice` (displayed size `farSize`) for up to `wantShares`,
   * starting after `takenShares` already taken behind this touch, not past `limitPrice`. Calls
   * `fill(shares, price)` per level; returns the shares taken.
   */
  walk(isBuy: boolean, farPrice: number, farSize: number, tickUnits: number, limitPrice: number, wantShares: number, takenShares: number, fill: (shares: number, price: number) => void): number {
    if (!this.walks) return 0;
    const levelSize = Math.floor(this.factor * farSize);
    if (!(levelSize > 0)) return 0;
    let taken = 0;
    let position = takenShares;
    while (taken < wantShares) {
      const level = Math.floor(position / levelSize) + 1;
      const price = addTicks(farPrice, (isBuy ? 1 : -1) * level * this.spacingTicks, tickUnits);
      if (isBuy ? price > limitPrice + PRICE_EPSILON : price < limitPrice - PRICE_EPSILON || price <= 0) break;
      const shares = Math.min(wantShares - taken, levelSize - (position % levelSize));
      fill(shares, price);
      taken += shares;
      position += shares;
    }
    return taken;
  }
}
