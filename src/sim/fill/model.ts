/**
 * The fill-model interface, shaped like hftbacktest's queue models (`src/backtest/models/queue.rs`):
 * four hooks and nothing else. The venue (sim/matching.ts) does the matching every model shares —
 *   · a child marketable on arrival takes the displayed far touch as a taker,
 *   · a resting buy at L fills at L when an uncrossed quote shows ask ≤ L (sell: bid ≥ L),
 *   · a resting buy at L fills at L on an eligible print below L (sell: above L),
 * each capped by the displayed size or the print's size, consumed so two children never take the
 * same shares — and asks the model only about prints AT the child's price and about the displayed
 * size at that price, which is where the models differ (through / touch / queue),
 * and about time passing while the child rests inside the spread (intensity: `fillsOnQuote`).
 *
 * A model owns its per-order state (hftbacktest's `order.q`): `newOrder` returns a fresh state
 * object holding exactly that model's fields; the venue keeps it in the order's `fillState` slot
 * and hands it back to the same model's hooks. No model sees another model's fields.
 */

/** Prices are compared within this many dollars (far below $0.0001, far above float noise). */
export const PRICE_EPSILON = 1e-7;

/**
 * A quote the venue fills against: it has a bid and is neither locked nor crossed (ask − bid > ε).
 * Small and free of state, so the callers' optimized code inlines it (no float is boxed).
 */
export function isFillableQuote(bid: number, ask: number): boolean {
  return ask - bid > PRICE_EPSILON && bid > 0;
}

/** The far touch reaches a child's limit L: buy ask ≤ L, sell bid ≥ L (within ε). */
export function farTouchReaches(isBuy: boolean, limitPrice: number, bid: number, ask: number): boolean {
  return isBuy ? ask <= limitPrice + PRICE_EPSILON : bid >= limitPrice - PRICE_EPSILON;
}

/** An eligible print goes through a child's limit L: buy below L, sell above L (by more than ε). */
export function printGoesThrough(isBuy: boolean, limitPrice: number, price: number): boolean {
  return isBuy ? price < limitPrice - PRICE_EPSILON : price > limitPrice + PRICE_EPSILON;
}

/** Every fill model by name (the config's `sim.fill_model`, the robustness band's models). */
export const FILL_MODEL_NAMES = ['through', 'touch', 'queue', 'intensity'] as const;
export type FillModelName = (typeof FILL_MODEL_NAMES)[number];

/** What a model may read of the child when it starts resting. */
export interface RestingChild {
  readonly isBuy: boolean;
  readonly limitPrice: number;
  /** The symbol's tick at the child's price, in price units of $0.0001 (engine/ticks.ts). */
  readonly tickUnits: number;
}

/**
 * The displayed touch on the child's own side (buy: bid, sell: ask); `price` NaN when that side is
 * empty. The venue fills ONE of these per quote and hands it to the hooks, so no price is boxed per
 * call on the per-event path. Hooks read it during the call only.
 */
export class NearTouch {
  // NaN, not 0: the fields start as doubles, so writing a price never changes the object's shape.
  price = Number.NaN;
  size = Number.NaN;
  /** When the venue sees it: the quote's time in `depth`, the child's arrival in `newOrder` (epoch µs). */
  tsUs = Number.NaN;
  /**
   * Written by `depth` (the venue sets both to NaN before each call): near prices strictly between
   * them would leave the child's state exactly as this call left it, as long as no print reaches
   * `trade` for it. The venue then skips `depth` for that child (most quotes move neither a child
   * behind the touch nor one alone inside the spread). NaN (the default) skips nothing, which is
   * what a model whose state moves with time alone must leave.
   */
  quietLo = Number.NaN;
  quietHi = Number.NaN;
}

export interface FillModel<State = unknown> {
  readonly name: FillModelName;
  /** Does `depth` do anything? (Lets the venue skip the call per quote for through/touch.) */
  readonly usesDepth: boolean;
  /** May `depth` make shares fillable (a fill decided by time, not by a print)? The venue then asks `takeFillable` after it. */
  readonly fillsOnQuote: boolean;
  /** The child starts resting (after any taker fill on arrival): returns the model's fresh state for it. */
  newOrder(child: RestingChild, near: NearTouch): State;
  /** An eligible print of `size` shares exactly at the child's price. */
  trade(state: State, size: number): void;
  /** A new quote: the displayed size at the child's price may have changed. */
  depth(state: State, near: NearTouch): void;
  /** Shares the last print (or, with `fillsOnQuote`, quote) made fillable (0 if none); takes them, so a second call gives 0. */
  takeFillable(state: State): number;
}

/**
 * Where the child's price sits against its own side's displayed touch:
 * +1 better than the touch (inside the spread, alone at its level), 0 at the touch, −1 behind it.
 */
export function levelRelation(child: RestingChild, nearPrice: number): 1 | 0 | -1 {
  if (!(nearPrice > 0)) return 1;
  const d = child.isBuy ? child.limitPrice - nearPrice : nearPrice - child.limitPrice;
  if (d > PRICE_EPSILON) return 1;
  if (d < -PRICE_EPSILON) return -1;
  return 0;
}
