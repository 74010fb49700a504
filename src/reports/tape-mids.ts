/**
 * The tape-backed MidAt a report uses: quotes of DIR/<SYMBOL>/<DAY>.quotes.arrow (loaded once per
 * symbol-day, trades not loaded), bounded by the regular-session close of that New York day.
 * A symbol-day missing from the data directory gives NaN (the metric is null and counted).
 */
import { existsSync } from 'node:fs';
import { nyDay, regularSession } from '../core/calendar.ts';
import { type QuoteColumns, loadQuotes, tapePath } from '../data/tape/tape.ts';
import type { MidAt } from './metrics.ts';
import { midLookup } from './mids.ts';

const US_PER_HOUR = 3_600_000_000;

/** nyDay, cached per UTC hour (New York offsets are whole hours, so an hour never straddles two days). */
function cachedNyDay(): (tsUs: number) => string {
  const byHour = new Map<number, string>();
  return (tsUs) => {
    const hour = Math.floor(tsUs / US_PER_HOUR);
    let day = byHour.get(hour);
    if (day === undefined) {
      day = nyDay(hour * US_PER_HOUR);
      byHour.set(hour, day);
    }
    return day;
  };
}

export function tapeMidAt(dataDir: string): MidAt {
  return quotesMidAt((symbol, day) => {
    const path = tapePath(dataDir, symbol, day, 'quotes');
    return existsSync(path) ? loadQuotes(path) : null;
  });
}

/** A MidAt over quotes already in memory (a sweep cell's tapes): `quotesOf` null → NaN. */
export function quotesMidAt(quotesOf: (symbol: string, day: string) => QuoteColumns | null): MidAt {
  return midLookup((symbol, day) => {
    const quotes = quotesOf(symbol, day);
    return quotes ? { quotes, closeUs: regularSession(day).closeUs } : null;
  }, cachedNyDay());
}

/** For runs whose tape is gone: every mid unknown, so markouts and opportunity costs are null. */
export const noMids: MidAt = () => Number.NaN;
