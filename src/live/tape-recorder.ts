/**
 * What a live run saw, as a tape (sim/tape.ts format), so it can be replayed by `backtest` and
 * read by `report` for markouts: DIR/<SYMBOL>/<DAY>.{quotes,trades}.arrow.
 *
 * Quotes: every stream quote at its venue time, plus REST fallback quotes whose venue time is
 * newer than the last one recorded for the symbol (a stalled stream's gap filled in). Trades: every
 * stream trade; `eligible` as the Alpaca ingest reads it (alpacaTradeEligible: off-exchange prints
 * and special conditions cannot meet a displayed order). Rows are kept in growable typed columns
 * (no per-row objects), sorted by time (stable) when written, and split by New York day.
 */
import { nyDay } from '../engine/calendar.ts';
import { exchangeCode, UNKNOWN_EXCHANGE_CODE } from '../sim/exchanges.ts';
import { alpacaTradeEligible } from '../sim/ingest/alpaca.ts';
import { allocQuoteColumns, allocTradeColumns, writeSymbolDays, type QuoteColumns, type SymbolDay, type TradeColumns } from '../sim/tape.ts';

interface SymbolRows {
  quotes: QuoteColumns;
  trades: TradeColumns;
  lastQuoteTsUs: number;
}

function growQuotes(q: QuoteColumns): QuoteColumns {
  const next = allocQuoteColumns(Math.max(64, q.ts.length * 2));
  next.ts.set(q.ts);
  next.bid.set(q.bid);
  next.ask.set(q.ask);
  next.bidSize.set(q.bidSize);
  next.askSize.set(q.askSize);
  next.length = q.length;
  return next;
}

function growTrades(t: TradeColumns): TradeColumns {
  const next = allocTradeColumns(Math.max(64, t.ts.length * 2));
  next.ts.set(t.ts);
  next.price.set(t.price);
  next.size.set(t.size);
  next.exchange.set(t.exchange);
  next.eligible.set(t.eligible);
  next.length = t.length;
  return next;
}

/** Sizes on the tape are whole shares (uint32). */
function shares(x: number): number {
  return Number.isFinite(x) && x > 0 ? Math.min(0xffff_ffff, Math.round(x)) : 0;
}

export class TapeRecorder {
  private readonly symbols = new Map<string, SymbolRows>();
  quoteCount = 0;
  tradeCount = 0;

  private rows(symbol: string): SymbolRows {
    let rows = this.symbols.get(symbol);
    if (!rows) {
      rows = { quotes: allocQuoteColumns(64), trades: allocTradeColumns(64), lastQuoteTsUs: Number.NEGATIVE_INFINITY };
      this.symbols.set(symbol, rows);
    }
    return rows;
  }

  /** A quote as seen (stream), or a REST quote — recorded only when newer than the last recorded. */
  quote(symbol: string, tsUs: number, bid: number, ask: number, bidSize: number, askSize: number, fromRest = false): void {
    if (!Number.isFinite(tsUs) || !(bid > 0) || !(ask > 0)) return;
    const rows = this.rows(symbol);
    if (fromRest && tsUs <= rows.lastQuoteTsUs) return;
    let q = rows.quotes;
    if (q.length === q.ts.length) q = rows.quotes = growQuotes(q);
    const i = q.length++;
    q.ts[i] = Math.round(tsUs);
    q.bid[i] = bid;
    q.ask[i] = ask;
    q.bidSize[i] = shares(bidSize);
    q.askSize[i] = shares(askSize);
    if (tsUs > rows.lastQuoteTsUs) rows.lastQuoteTsUs = tsUs;
    this.quoteCount++;
  }

  trade(symbol: string, tsUs: number, price: number, size: number, exchange: string, conditions: readonly string[]): void {
    if (!Number.isFinite(tsUs) || !(price > 0)) return;
    const rows = this.rows(symbol);
    let t = rows.trades;
    if (t.length === t.ts.length) t = rows.trades = growTrades(t);
    const i = t.length++;
    const code = exchangeCode(exchange || null);
    const exchangeId = code < 0 ? UNKNOWN_EXCHANGE_CODE : code;
    t.ts[i] = Math.round(tsUs);
    t.price[i] = price;
    t.size[i] = shares(size);
    t.exchange[i] = exchangeId;
    t.eligible[i] = alpacaTradeEligible(exchangeId, conditions) ? 1 : 0;
    this.tradeCount++;
  }

  /** The recorded symbol-days, sorted by time within each (stable). */
  symbolDays(): SymbolDay[] {
    const out: SymbolDay[] = [];
    for (const symbol of [...this.symbols.keys()].sort()) {
      const rows = this.symbols.get(symbol)!;
      const days = new Set<string>();
      for (let i = 0; i < rows.quotes.length; i++) days.add(nyDay(rows.quotes.ts[i]));
      for (let i = 0; i < rows.trades.length; i++) days.add(nyDay(rows.trades.ts[i]));
      for (const day of [...days].sort()) {
        out.push({ symbol, day, quotes: pickQuotes(rows.quotes, day), trades: pickTrades(rows.trades, day) });
      }
    }
    return out;
  }

  /** Write every symbol-day to DIR (temp files, then renamed). Returns the symbol-days written. */
  write(dir: string): { symbol: string; day: string }[] {
    const days = this.symbolDays();
    if (days.length > 0) writeSymbolDays(dir, days);
    return days.map((d) => ({ symbol: d.symbol, day: d.day }));
  }
}

/** Row order: by time, ties in arrival order. */
function sortedIndex(ts: Float64Array, length: number, day: string): number[] {
  const idx: number[] = [];
  for (let i = 0; i < length; i++) if (nyDay(ts[i]) === day) idx.push(i);
  return idx.sort((a, b) => ts[a] - ts[b] || a - b);
}

function pickQuotes(q: QuoteColumns, day: string): QuoteColumns {
  const idx = sortedIndex(q.ts, q.length, day);
  const out = allocQuoteColumns(idx.length);
  idx.forEach((j, i) => {
    out.ts[i] = q.ts[j];
    out.bid[i] = q.bid[j];
    out.ask[i] = q.ask[j];
    out.bidSize[i] = q.bidSize[j];
    out.askSize[i] = q.askSize[j];
  });
  out.length = idx.length;
  return out;
}

function pickTrades(t: TradeColumns, day: string): TradeColumns {
  const idx = sortedIndex(t.ts, t.length, day);
  const out = allocTradeColumns(idx.length);
  idx.forEach((j, i) => {
    out.ts[i] = t.ts[j];
    out.price[i] = t.price[j];
    out.size[i] = t.size[j];
    out.exchange[i] = t.exchange[j];
    out.eligible[i] = t.eligible[j];
  });
  out.length = idx.length;
  return out;
}
