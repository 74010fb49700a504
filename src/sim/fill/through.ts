/**
 * `through`: a resting order fills only when the market trades or quotes THROUGH its price — the
 * venue's shared matching (see model.ts) does all of it. A print exactly at the limit never fills:
 * the order may have been anywhere in the queue, so this is the conservative bound.
 * Deterministic: no random draws, and no per-order state.
 */
import type { FillModel } from './model.ts';

export class ThroughFillModel implements FillModel<null> {
  readonly name = 'through' as const;
  readonly usesDepth = false;
  readonly fillsOnQuote = false;
  newOrder(): null {
    return null;
  }
  /** A print at the limit: no fill (nothing to record). */
  trade(): void {}
  depth(): void {}
  takeFillable(): number {
    return 0;
  }
}
