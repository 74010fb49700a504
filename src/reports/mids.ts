/**
 * Mid-price lookups over a tape's quote columns, for markouts and opportunity costs.
 *
 *   M(t) = (bid_j + ask_j)/2 with j the last quote whose ts ≤ t (binary search), skipping back
 *          over quotes that are one-sided, locked or crossed (at most MAX_SKIP of them);
 *   M(t) = NaN when t is before the first quote, after the last one (the horizon runs past the
 *          tape), or at/after the session close `closeUs` (the horizon runs past the close).
 */
import { type QuoteColumns, lastQuoteAtOrBefore } from '../data/tape/tape.ts';
import type { MidAt } from './metrics.ts';

/** How far back to look for a usable quote before giving up (a tape of unusable quotes is not a mid). */
const MAX_SKIP = 1000;

/** M(t) from one symbol-day's quotes; NaN when unknown (see the module comment). */
export function midFromQuotes(quotes: QuoteColumns, tsUs: number, closeUs: number): number {
  if (quotes.length === 0 || tsUs >= closeUs || tsUs > quotes.ts[quotes.length - 1]) return Number.NaN;
  const last = lastQuoteAtOrBefore(quotes, tsUs);
  for (let i = last; i >= 0 && last - i <= MAX_SKIP; i--) {
    const bid = quotes.bid[i];
    const ask = quotes.ask[i];
    if (bid > 0 && ask > bid) return (bid + ask) / 2;
  }
  return Number.NaN;
}

/** A symbol-day's quotes and the close that bounds its horizons. */
export interface MidSource {
  quotes: QuoteColumns;
  closeUs: number;
}

/**
 * A MidAt over symbol-days found by `sourceFor(symbol, day)` (null: no data → NaN), `dayOf`
 * naming the day of an instant. Each symbol-day is asked for once.
 */
export function midLookup(sourceFor: (symbol: string, day: string) => MidSource | null, dayOf: (tsUs: number) => string): MidAt {
  const cache = new Map<string, MidSource | null>();
  return (symbol, tsUs) => {
    const key = `${symbol}\u0000${dayOf(tsUs)}`;
    let source = cache.get(key);
    if (source === undefined) {
      source = sourceFor(symbol, dayOf(tsUs));
      cache.set(key, source);
    }
    return source ? midFromQuotes(source.quotes, tsUs, source.closeUs) : Number.NaN;
  };
}
