/**
 * What a live run saw, as a tape (sim/tape.ts format), so it can be replayed by `backtest` and
 * read by `report` for markouts: DIR/<SYMBOL>/<DAY>.{quotes,trades}.arrow.
 *
 * Quotes: every stream quote at its venue time, plus REST fallback quotes whose venue time is
 * newer than the last one recorded for the symbol (a stalled stream's gap filled in). Trades: every
 * stream trade; `eligible` as the Alpaca ingest reads it (alpacaTradeEligible: off-exchange prints
 * and special conditions cannot meet a displayed order). Rows are kept in growable typed columns
 * (sim/tape-builder.ts: no per-row objects), sorted by time (stable) when written, and split by
 * New York day.
 *
 * Every row recorded also goes to the run's row journal (tape-journal.ts), so a crashed segment
 * keeps what it saw. A resumed run (`live --resume`) first adopts the earlier segments' rows from
 * that journal (`adoptJournal`; a run directory from before the journal: the tape its earlier
 * segment wrote, `adoptDir`), so the tape written at its end holds every segment and reconcile can
 * replay the whole run; rows with equal times keep the earlier segment's first (stable sort).
 */
import { nyDay } from '../core/calendar.ts';
import { exchangeCode, UNKNOWN_EXCHANGE_CODE } from '../data/tape/exchanges.ts';
import { alpacaTradeEligible } from '../data/ingest/alpaca.ts';
import { allocQuoteColumns, allocTradeColumns, type QuoteColumns, type SymbolDay, type TradeColumns } from '../data/tape/tape.ts';
import { writeSymbolDays } from '../data/tape/write.ts';
import { listTapes, loadSymbolDay } from '../data/tape/files.ts';
import { QuoteBuilder, TradeBuilder } from '../data/tape/builder.ts';
import { readTapeJournal, type TapeJournal, type TapeRowSink } from './tape-journal.ts';

interface SymbolRows {
  quotes: QuoteBuilder;
  trades: TradeBuilder;
  lastQuoteTsUs: number;
}

/** Sizes on the tape are whole shares (uint32). */
function shares(x: number): number {
  return Number.isFinite(x) && x > 0 ? Math.min(0xffff_ffff, Math.round(x)) : 0;
}

export class TapeRecorder {
  private readonly symbols = new Map<string, SymbolRows>();
  quoteCount = 0;
  tradeCount = 0;

  /** `journal`: where every recorded row is also appended as it comes (none: memory only). */
  constructor(private readonly journal: TapeJournal | null = null) {}

  private rows(symbol: string): SymbolRows {
    let rows = this.symbols.get(symbol);
    if (!rows) {
      rows = { quotes: new QuoteBuilder(256), trades: new TradeBuilder(256), lastQuoteTsUs: Number.NEGATIVE_INFINITY };
      this.symbols.set(symbol, rows);
    }
    return rows;
  }

  /** Rows into memory: the one place the builders, the counts and the REST filter's last time move. */
  private readonly memory: TapeRowSink = {
    quote: (symbol, tsUs, bid, ask, bidSize, askSize) => {
      const rows = this.rows(symbol);
      rows.quotes.push(tsUs, bid, ask, bidSize, askSize);
      if (tsUs > rows.lastQuoteTsUs) rows.lastQuoteTsUs = tsUs;
      this.quoteCount++;
    },
    trade: (symbol, tsUs, price, size, exchange, eligible) => {
      this.rows(symbol).trades.push(tsUs, price, size, exchange, eligible);
      this.tradeCount++;
    },
  };

  /** A quote as seen (stream), or a REST quote — recorded only when newer than the last recorded. */
  quote(symbol: string, tsUs: number, bid: number, ask: number, bidSize: number, askSize: number, fromRest = false): void {
    if (!Number.isFinite(tsUs) || !(bid > 0) || !(ask > 0)) return;
    if (fromRest && tsUs <= this.rows(symbol).lastQuoteTsUs) return;
    const row = [symbol, Math.round(tsUs), bid, ask, shares(bidSize), shares(askSize)] as const;
    this.memory.quote(...row);
    this.journal?.quote(...row);
  }

  trade(symbol: string, tsUs: number, price: number, size: number, exchange: string, conditions: readonly string[]): void {
    if (!Number.isFinite(tsUs) || !(price > 0)) return;
    const code = exchangeCode(exchange || null);
    const exchangeId = code < 0 ? UNKNOWN_EXCHANGE_CODE : code;
    const row = [symbol, Math.round(tsUs), price, shares(size), exchangeId, alpacaTradeEligible(exchangeId, conditions) ? 1 : 0] as const;
    this.memory.trade(...row);
    this.journal?.trade(...row);
  }

  /**
   * Take in the rows earlier segments of this run journaled (tape-journal.ts), before anything new
   * is recorded, as they were recorded. Returns the rows adopted; the counts include them.
   */
  adoptJournal(path: string): { quotes: number; trades: number } {
    return readTapeJournal(path, this.memory);
  }

  /**
   * Take in every symbol-day already in DIR (an earlier segment of this run), before anything new
   * is recorded. Returns the rows adopted. The counts include them: they are the tape's rows.
   */
  adoptDir(dir: string): { quotes: number; trades: number } {
    let quotes = 0;
    let trades = 0;
    for (const { symbol, day } of listTapes(dir)) {
      const { quotes: q, trades: t } = loadSymbolDay(dir, symbol, day);
      for (let i = 0; i < q.length; i++) this.memory.quote(symbol, q.ts[i], q.bid[i], q.ask[i], q.bidSize[i], q.askSize[i]);
      for (let i = 0; i < t.length; i++) this.memory.trade(symbol, t.ts[i], t.price[i], t.size[i], t.exchange[i], t.eligible[i] as 0 | 1);
      quotes += q.length;
      trades += t.length;
    }
    return { quotes, trades };
  }

  /** The recorded symbol-days, sorted by time within each (stable). */
  symbolDays(): SymbolDay[] {
    const out: SymbolDay[] = [];
    for (const symbol of [...this.symbols.keys()].sort()) {
      const rows = this.symbols.get(symbol)!;
      const quotes = rows.quotes.finish();
      const trades = rows.trades.finish();
      const days = new Set<string>();
      for (let i = 0; i < quotes.length; i++) days.add(nyDay(quotes.ts[i]));
      for (let i = 0; i < trades.length; i++) days.add(nyDay(trades.ts[i]));
      for (const day of [...days].sort()) {
        out.push({ symbol, day, quotes: pickQuotes(quotes, day), trades: pickTrades(trades, day) });
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
