/**
 * The simulated account: cash and one position per symbol, moved only by fills. Money is kept in
 * price units ($0.0001, ticks.ts) × shares, integers for prices on the unit grid, so sums are exact.
 *
 * Average-cost positions: adding to a position adds price·qty to its cost; reducing it takes
 * avg·qty off (avg = cost/qty, realized P&L = the difference, folded into cash); crossing zero
 * closes the old side and opens the new one at the fill price.
 *   buy:  cash −= price·qty        sell: cash += price·qty
 */
import { dollarsToUnits, unitsToDollars } from '../engine/ticks.ts';
import type { Side } from '../engine/types.ts';

export interface Position {
  symbol: string;
  /** Signed shares: > 0 long, < 0 short. */
  qty: number;
  /** Signed cost of the open shares in price units (qty > 0 → positive). */
  costUnits: number;
}

export class Portfolio {
  private cashUnits: number;
  private readonly positions = new Map<string, Position>();

  constructor(startingCash: number) {
    this.cashUnits = Math.round(dollarsToUnits(startingCash));
  }

  get cash(): number {
    return unitsToDollars(this.cashUnits);
  }

  position(symbol: string): Position | undefined {
    const p = this.positions.get(symbol);
    return p && p.qty !== 0 ? p : undefined;
  }

  /** Open positions, by symbol. */
  open(): Position[] {
    return [...this.positions.values()].filter((p) => p.qty !== 0).sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Apply one execution; returns the position's signed qty afterwards. */
  applyFill(symbol: string, side: Side, qty: number, price: number): number {
    const units = Math.round(dollarsToUnits(price));
    const signed = side === 'buy' ? qty : -qty;
    this.cashUnits -= signed * units;
    let p = this.positions.get(symbol);
    if (!p) {
      p = { symbol, qty: 0, costUnits: 0 };
      this.positions.set(symbol, p);
    }
    if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signed)) {
      p.qty += signed;
      p.costUnits += signed * units;
      return p.qty;
    }
    // Reducing (maybe through zero): take avg·closed off the cost, open the rest at this price.
    const closing = Math.min(Math.abs(signed), Math.abs(p.qty));
    const avgUnits = p.costUnits / p.qty;
    p.costUnits -= Math.sign(p.qty) * closing * avgUnits;
    p.qty += signed;
    if (p.qty === 0) p.costUnits = 0;
    else if (Math.sign(p.qty) === Math.sign(signed)) p.costUnits = p.qty * units;
    return p.qty;
  }

  /** Average entry price in dollars (to 1e-6). */
  static avgEntryPrice(p: Position): number {
    return Math.round((p.costUnits / p.qty) * 100) / 1e6;
  }
}
