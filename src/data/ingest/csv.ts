/**
 * Plain CSV with a header row (plain, .gz or .zip), one file or several read in order:
 *   quotes  ts,bid,ask,bid_size,ask_size
 *   trades  ts,price,size[,exchange][,eligible]
 * Column names are case-insensitive and may come in any order; other columns are ignored.
 * `ts` is ISO 8601 or epoch s/ms/µs/ns (timestamps.ts says how the unit is told). Prices are
 * dollars (> 0), sizes whole shares (quotes ≥ 0, trades > 0). `exchange` is a letter
 * (exchanges.ts; empty = unknown). `eligible` (1/0/true/false) defaults to "not exchange D".
 * Every quote row is a full NBBO; locked and crossed ones are kept and counted (tape.ts policy).
 */
import { exchangeCode, OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import { InputError } from '../../core/errors.ts';
import type { BadRows } from './bad-rows.ts';
import { QuoteBuilder, TradeBuilder } from '../tape/builder.ts';
import { csvRecords } from './input.ts';
import { NO_PROGRESS, type ProgressSink } from './progress.ts';
import { TimestampParser } from './timestamps.ts';
import { emptyQuoteStats, emptyTradeStats, type QuotesRead, type TradesRead } from './types.ts';
import { describe, parsePrice, parseShares, TimeGate } from './values.ts';

export const CSV_QUOTE_COLUMNS = ['ts', 'bid', 'ask', 'bid_size', 'ask_size'] as const;
export const CSV_TRADE_COLUMNS = ['ts', 'price', 'size'] as const;
export const CSV_TRADE_OPTIONAL = ['exchange', 'eligible'] as const;

/** Column index by name from the header; missing required names are an error naming the file. */
function headerIndex(file: string, header: string[], required: readonly string[], optional: readonly string[] = []): Map<string, number> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!index.has(key)) index.set(key, i);
  });
  for (const name of required) {
    if (!index.has(name)) {
      throw new InputError(`${file}: row 1: field "${name}": missing from the header (have: ${header.join(',')}; need: ${required.join(',')}${optional.length ? `[,${optional.join('][,')}]` : ''})`);
    }
  }
  return index;
}

function field(fields: string[], i: number | undefined): string | undefined {
  return i === undefined ? undefined : fields[i];
}

export async function readCsvQuotes(files: readonly string[], bad: BadRows, day?: string, progress: ProgressSink = NO_PROGRESS): Promise<QuotesRead> {
  const out = new QuoteBuilder();
  const stats = emptyQuoteStats();
  const gate = new TimeGate(bad, day);
  for (const file of files) {
    const ts = new TimestampParser();
    let idx: Map<string, number> | undefined;
    for await (const { fields, row } of csvRecords(file, progress)) {
      if (!idx) {
        idx = headerIndex(file, fields, CSV_QUOTE_COLUMNS);
        continue;
      }
      stats.rowsIn++;
      const cols = CSV_QUOTE_COLUMNS.map((name) => field(fields, idx!.get(name)));
      const missing = cols.findIndex((v) => v === undefined || v === '');
      if (missing >= 0) { bad.report('missing_field', file, row, CSV_QUOTE_COLUMNS[missing], 'empty or missing'); continue; }
      const tsUs = ts.parse(cols[0]!);
      if (Number.isNaN(tsUs)) { bad.report('bad_time', file, row, 'ts', ts.error); continue; }
      const bid = parsePrice(cols[1]);
      if (Number.isNaN(bid)) { bad.report('bad_price', file, row, 'bid', `expected a price > 0, got ${describe(cols[1])}`); continue; }
      const ask = parsePrice(cols[2]);
      if (Number.isNaN(ask)) { bad.report('bad_price', file, row, 'ask', `expected a price > 0, got ${describe(cols[2])}`); continue; }
      const bidSize = parseShares(cols[3], false);
      if (Number.isNaN(bidSize)) { bad.report('bad_size', file, row, 'bid_size', `expected whole shares ≥ 0, got ${describe(cols[3])}`); continue; }
      const askSize = parseShares(cols[4], false);
      if (Number.isNaN(askSize)) { bad.report('bad_size', file, row, 'ask_size', `expected whole shares ≥ 0, got ${describe(cols[4])}`); continue; }
      if (!gate.accept(tsUs, file, row, 'ts')) continue;
      out.push(tsUs, bid, ask, bidSize, askSize);
    }
    if (!idx) throw new InputError(`${file}: row 1: field "ts": empty file (expected a header ${CSV_QUOTE_COLUMNS.join(',')})`);
  }
  const quotes = out.finish();
  stats.rowsOut = quotes.length;
  return { quotes, stats };
}

function parseEligible(value: string | undefined): boolean | undefined | null {
  if (value === undefined || value === '') return undefined;
  const v = value.toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return null;
}

export async function readCsvTrades(files: readonly string[], bad: BadRows, day?: string, progress: ProgressSink = NO_PROGRESS): Promise<TradesRead> {
  const out = new TradeBuilder();
  const stats = emptyTradeStats();
  const gate = new TimeGate(bad, day);
  for (const file of files) {
    const ts = new TimestampParser();
    let idx: Map<string, number> | undefined;
    for await (const { fields, row } of csvRecords(file, progress)) {
      if (!idx) {
        idx = headerIndex(file, fields, CSV_TRADE_COLUMNS, CSV_TRADE_OPTIONAL);
        continue;
      }
      stats.rowsIn++;
      const cols = CSV_TRADE_COLUMNS.map((name) => field(fields, idx!.get(name)));
      const missing = cols.findIndex((v) => v === undefined || v === '');
      if (missing >= 0) { bad.report('missing_field', file, row, CSV_TRADE_COLUMNS[missing], 'empty or missing'); continue; }
      const tsUs = ts.parse(cols[0]!);
      if (Number.isNaN(tsUs)) { bad.report('bad_time', file, row, 'ts', ts.error); continue; }
      const price = parsePrice(cols[1]);
      if (Number.isNaN(price)) { bad.report('bad_price', file, row, 'price', `expected a price > 0, got ${describe(cols[1])}`); continue; }
      const size = parseShares(cols[2], true);
      if (Number.isNaN(size)) { bad.report('bad_size', file, row, 'size', `expected whole shares > 0, got ${describe(cols[2])}`); continue; }
      const exchangeText = field(fields, idx.get('exchange'));
      const exchange = exchangeCode(exchangeText);
      if (exchange < 0) { bad.report('bad_exchange', file, row, 'exchange', `expected one letter, got ${describe(exchangeText)}`); continue; }
      const eligibleText = field(fields, idx.get('eligible'));
      const given = parseEligible(eligibleText);
      if (given === null) { bad.report('bad_flag', file, row, 'eligible', `expected 1/0/true/false, got ${describe(eligibleText)}`); continue; }
      if (!gate.accept(tsUs, file, row, 'ts')) continue;
      const eligible = given ?? exchange !== OFF_EXCHANGE_CODE;
      if (!eligible) {
        if (exchange === OFF_EXCHANGE_CODE) stats.offExchange++;
        else stats.specialCondition++;
      }
      out.push(tsUs, price, size, exchange, eligible);
    }
    if (!idx) throw new InputError(`${file}: row 1: field "ts": empty file (expected a header ${CSV_TRADE_COLUMNS.join(',')}[,exchange])`);
  }
  const trades = out.finish();
  stats.rowsOut = trades.length;
  return { trades, stats };
}
