/**
 * The fill-model interface, shaped like hftbacktest's queue models (`src/backtest/models/queue.rs`):
 * four hooks and nothing else. The venue (SimMarket) does the matching every model shares —
 *   · a child marketable on arrival takes the displayed far touch as a taker,
 *   · a resting buy at L fills at L when an uncrossed quote shows ask ≤ L (sell: bid ≥ L),
 *   · a resting buy at L fills at L on an eligible print below L (sell: above L),
 * each capped by the displayed size or the print's size, consumed so two children never take the
 * same shares — and asks the model only about prints AT the child's price and about the displayed
 * size at that price, which is where the models differ (through / touch / queue).
 */

/** Prices are compared within this many dollars (far below $0.0001, far above float noise). */
export const PRICE_EPSILON = 1e-7;

/** The per-child state the models read and write; the market's order object carries these fields. */
export interface FillOrder {
  readonly isBuy: boolean;
  readonly limitPrice: number;
  /** Estimated displayed shares ahead of the child at its price; Infinity while the level was never seen. */
  queueAhead: number;
  /** Displayed size at the child's price at the last quote; NaN while that level is not visible. */
  levelQty: number;
  /** Print volume at the child's price since the last depth update (already taken off queueAhead). */
  tradedAtLevel: number;
  /** Shares the last print at the child's price made fillable: set by `trade`, taken by `isFilled`. */
  fillable: number;
  /** Fractional expected shares carried between prints (queue model inside the spread). */
  expectedCarry: number;
  /** The child's price is better than the displayed near touch: it is alone at its level. */
  insideSpread: boolean;
}

export interface FillModel {
  readonly name: 'through' | 'touch' | 'queue';
  /** Does `depth` do anything? (Lets the venue skip the call per quote for through/touch.) */
  readonly usesDepth: boolean;
  /**
   * The child starts resting (after any taker fill on arrival). `nearPrice`/`nearSize` are the
   * displayed touch on the child's own side (buy: bid, sell: ask); NaN when that side is empty.
   */
  newOrder(order: FillOrder, nearPrice: number, nearSize: number): void;
  /** An eligible print of `size` shares exactly at the child's price. */
  trade(order: FillOrder, size: number): void;
  /** A new quote: the displayed size at the child's price may have changed. */
  depth(order: FillOrder, nearPrice: number, nearSize: number): void;
  /** Shares the child fills now because of the print just applied (0 if none); consumes them. */
  isFilled(order: FillOrder): number;
}

/**
 * Where the child's price sits against its own side's displayed touch:
 * +1 better than the touch (inside the spread, alone at its level), 0 at the touch, −1 behind it.
 */
export function levelRelation(order: FillOrder, nearPrice: number): 1 | 0 | -1 {
  if (!(nearPrice > 0)) return 1;
  const d = order.isBuy ? order.limitPrice - nearPrice : nearPrice - order.limitPrice;
  if (d > PRICE_EPSILON) return 1;
  if (d < -PRICE_EPSILON) return -1;
  return 0;
}

/** Fresh model state for a child (the market calls this before `newOrder`). */
export function resetFillState(order: FillOrder): void {
  order.queueAhead = Infinity;
  order.levelQty = Number.NaN;
  order.tradedAtLevel = 0;
  order.fillable = 0;
  order.expectedCarry = 0;
  order.insideSpread = false;
}
