/**
 * `touch`: as `through`, plus an eligible print AT the limit fills the child with probability
 * p_touch (one seeded draw per print), capped by the print's size — NautilusTrader's
 * `prob_fill_on_limit`.
 */
import type { Rng } from '../../core/rng.ts';
import type { FillModel, FillOrder } from './model.ts';

export class TouchFillModel implements FillModel {
  readonly name = 'touch' as const;
  readonly usesDepth = false;
  constructor(
    private readonly pTouch: number,
    private readonly rng: Rng,
  ) {}

  newOrder(): void {}

  /** P(fill | print of s shares at L) = p_touch; the fill is then min(s, remaining) (capped by the venue). */
  trade(order: FillOrder, size: number): void {
    if (this.rng() < this.pTouch) order.fillable = size;
  }

  depth(): void {}

  isFilled(order: FillOrder): number {
    const shares = order.fillable;
    order.fillable = 0;
    return shares;
  }
}
