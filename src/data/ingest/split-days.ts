/**
 * Cut sorted quote and trade columns into New York calendar days (an Alpaca page or a CSV can
 * span several): one SymbolDay per day that has any row, as views on the same arrays.
 */
import { addDays, nyDay, nyDayRange } from '../../core/calendar.ts';
import { firstIndexAtOrAfter, type QuoteColumns, type SymbolDay, type TradeColumns } from '../tape/tape.ts';

function sliceQuotes(q: QuoteColumns, from: number, to: number): QuoteColumns {
  return { length: to - from, ts: q.ts.subarray(from, to), bid: q.bid.subarray(from, to), ask: q.ask.subarray(from, to), bidSize: q.bidSize.subarray(from, to), askSize: q.askSize.subarray(from, to) };
}

function sliceTrades(t: TradeColumns, from: number, to: number): TradeColumns {
  return { length: to - from, ts: t.ts.subarray(from, to), price: t.price.subarray(from, to), size: t.size.subarray(from, to), exchange: t.exchange.subarray(from, to), eligible: t.eligible.subarray(from, to) };
}

export function splitByDay(symbol: string, quotes: QuoteColumns, trades: TradeColumns): SymbolDay[] {
  const firsts = [quotes.length ? quotes.ts[0] : Infinity, trades.length ? trades.ts[0] : Infinity];
  const lasts = [quotes.length ? quotes.ts[quotes.length - 1] : -Infinity, trades.length ? trades.ts[trades.length - 1] : -Infinity];
  const first = Math.min(...firsts);
  const last = Math.max(...lasts);
  if (!Number.isFinite(first)) return [];
  const days: SymbolDay[] = [];
  const lastDay = nyDay(last);
  for (let day = nyDay(first); day <= lastDay; day = addDays(day, 1)) {
    const { startUs, endUs } = nyDayRange(day);
    const q0 = firstIndexAtOrAfter(quotes.ts, startUs), q1 = firstIndexAtOrAfter(quotes.ts, endUs);
    const t0 = firstIndexAtOrAfter(trades.ts, startUs), t1 = firstIndexAtOrAfter(trades.ts, endUs);
    if (q1 > q0 || t1 > t0) days.push({ symbol, day, quotes: sliceQuotes(quotes, q0, q1), trades: sliceTrades(trades, t0, t1) });
  }
  return days;
}
