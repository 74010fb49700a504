/**
 * Field checks shared by the CSV and Alpaca readers. Prices are dollars, must be finite and
 * > 0, and are normalised to the $0.0001 price unit (ticks.ts `normalizePrice`, so a parsed
 * 182.53 stays exactly 182.53 and nothing finer than the finest legal increment survives);
 * sizes are whole shares that fit the tape's uint32.
 */
import { nyDayRange } from '../../core/calendar.ts';
import { normalizePrice } from '../../engine/ticks.ts';
import type { RowCheck } from './row-check.ts';

export { describe } from './row-check.ts';

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const UINT32_MAX = 0xffff_ffff;

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && NUMBER_RE.test(value.trim())) return Number(value);
  return Number.NaN;
}

/** A dollar price > 0 normalised to $0.0001, or NaN. */
export function parsePrice(value: unknown): number {
  const n = toNumber(value);
  if (!Number.isFinite(n) || n <= 0) return Number.NaN;
  const p = normalizePrice(n);
  return p > 0 ? p : Number.NaN;
}

/** Whole shares (≥ 0, or > 0 when `positive`), or NaN. */
export function parseShares(value: unknown, positive: boolean): number {
  const n = toNumber(value);
  if (!Number.isInteger(n) || n < 0 || n > UINT32_MAX || (positive && n === 0)) return Number.NaN;
  return n;
}

/**
 * Keeps rows in time order and, with a --day, on that New York day. Rows of several files are
 * one sequence (files are read in the order given).
 */
export class TimeGate {
  private lastUs = -Infinity;
  private readonly fromUs: number;
  private readonly toUs: number;

  constructor(private readonly day?: string) {
    const range = day ? nyDayRange(day) : { startUs: -Infinity, endUs: Infinity };
    this.fromUs = range.startUs;
    this.toUs = range.endUs;
  }

  /** True when the row at `tsUs` may be kept; otherwise it is reported through `check`. */
  accept(tsUs: number, check: RowCheck, field: string): boolean {
    if (tsUs < this.fromUs || tsUs >= this.toUs) {
      check.fail('wrong_day', field, `${new Date(tsUs / 1000).toISOString()} is not on ${this.day} (New York)`);
      return false;
    }
    if (tsUs < this.lastUs) {
      check.fail('unsorted', field, `${new Date(tsUs / 1000).toISOString()} is earlier than the row before (${new Date(this.lastUs / 1000).toISOString()})`);
      return false;
    }
    this.lastUs = tsUs;
    return true;
  }
}
