/**
 * Legal price increments, computed in integer ticks in ONE place.
 *
 * Prices travel as float dollars, but every rounding decision is made on integers: a price is
 * first expressed in "price units" of $0.0001 (the finest US increment, Rule 612 below $1), then
 * in whole ticks of the symbol's increment. Converting back divides an integer by 10 000, which
 * yields the double nearest the decimal price, so no 15.280000000001 ever leaves this module.
 */

/** One price unit = $0.0001. */
export const UNITS_PER_DOLLAR = 10_000;

/**
 * Values within this many price units of a tick boundary are treated as on it: float arithmetic
 * such as 15.23 + 0.09 × 0.5 lands a hair off the true decimal; a millionth of a unit is far
 * below any real price difference and far above double rounding error at equity prices.
 */
const BOUNDARY_EPSILON_UNITS = 1e-6;

export interface TickOverride {
  symbol: string;
  /** Tick size in dollars, e.g. 0.005 for half-penny names. */
  tick: number;
  /** Inclusive first day (YYYY-MM-DD, New York date) the override applies; open-ended when absent. */
  from?: string;
  /** Inclusive last day; open-ended when absent. */
  to?: string;
}

export interface TickTable {
  /** Tick size in price units for `symbol` at `price` on New York date `day` (YYYY-MM-DD). */
  tickUnits(symbol: string, price: number, day?: string): number;
}

/** Rule 612: $0.01 at or above $1.00, $0.0001 below; overrides by symbol and date win. */
export function makeTickTable(overrides: readonly TickOverride[] = []): TickTable {
  const bySymbol = new Map<string, { units: number; from?: string; to?: string }[]>();
  for (const o of overrides) {
    const units = dollarsToUnits(o.tick);
    if (!(units >= 1) || Math.abs(units - Math.round(units)) > BOUNDARY_EPSILON_UNITS) {
      throw new Error(`tick override for ${o.symbol}: ${o.tick} is not a multiple of $0.0001`);
    }
    const list = bySymbol.get(o.symbol) ?? [];
    list.push({ units: Math.round(units), from: o.from, to: o.to });
    bySymbol.set(o.symbol, list);
  }
  return {
    tickUnits(symbol, price, day) {
      const list = bySymbol.get(symbol);
      if (list) {
        for (const o of list) {
          if (day === undefined && (o.from || o.to)) continue;
          if (o.from && day! < o.from) continue;
          if (o.to && day! > o.to) continue;
          return o.units;
        }
      }
      return price >= 1 ? 100 : 1;
    },
  };
}

export function dollarsToUnits(price: number): number {
  return price * UNITS_PER_DOLLAR;
}

export function unitsToDollars(units: number): number {
  return units / UNITS_PER_DOLLAR;
}

/** Largest tick multiple ≤ `units` (a buy's passive side). */
export function floorToTick(units: number, tickUnits: number): number {
  return Math.floor(units / tickUnits + BOUNDARY_EPSILON_UNITS) * tickUnits;
}

/** Smallest tick multiple ≥ `units` (a sell's passive side). */
export function ceilToTick(units: number, tickUnits: number): number {
  return Math.ceil(units / tickUnits - BOUNDARY_EPSILON_UNITS) * tickUnits;
}

/**
 * Round a target price (dollars) to a legal tick toward the passive side — buys down, sells up —
 * and never through the far touch: a buy never above the ask, a sell never below the bid.
 */
export function roundPassive(
  targetDollars: number,
  side: 'buy' | 'sell',
  farTouchDollars: number,
  tickUnits: number,
): number {
  const target = dollarsToUnits(targetDollars);
  const far = dollarsToUnits(farTouchDollars);
  if (side === 'buy') {
    const limit = Math.min(floorToTick(target, tickUnits), floorToTick(far, tickUnits));
    return unitsToDollars(limit);
  }
  const limit = Math.max(ceilToTick(target, tickUnits), ceilToTick(far, tickUnits));
  return unitsToDollars(limit);
}

/** `price` moved by `ticks` whole ticks (negative: down), computed in price units. */
export function addTicks(price: number, ticks: number, tickUnits: number): number {
  return unitsToDollars(Math.round(dollarsToUnits(price)) + ticks * tickUnits);
}

/** Are two dollar prices the same tick? (Compares in units, immune to float noise.) */
export function samePrice(a: number, b: number): boolean {
  return Math.abs(dollarsToUnits(a) - dollarsToUnits(b)) < 1e-4;
}

/** Round any dollar price to the nearest whole price unit ($0.0001), e.g. for data cleaning. */
export function normalizePrice(price: number): number {
  return Math.round(dollarsToUnits(price)) / UNITS_PER_DOLLAR;
}
