/**
 * `touch`: as `through`, plus an eligible print AT the limit fills the child with probability
 * p_touch (one seeded draw per print), capped by the print's size — NautilusTrader's
 * `prob_fill_on_limit`.
 */
import type { Rng } from '../../core/rng.ts';
import type { FillModel } from './model.ts';

/** The touch model's per-order state: shares the last print at L made fillable. */
export interface TouchState {
  fillable: number;
}

export class TouchFillModel implements FillModel<TouchState> {
  readonly name = 'touch' as const;
  readonly usesDepth = false;
  readonly fillsOnQuote = false;
  constructor(
    private readonly pTouch: number,
    private readonly rng: Rng,
  ) {}

  newOrder(): TouchState {
    return { fillable: 0 };
  }

  /** P(fill | print of s shares at L) = p_touch; the fill is then min(s, remaining) (capped by the venue). */
  trade(state: TouchState, size: number): void {
    if (this.rng() < this.pTouch) state.fillable = size;
  }

  depth(): void {}

  takeFillable(state: TouchState): number {
    const shares = state.fillable;
    state.fillable = 0;
    return shares;
  }
}
