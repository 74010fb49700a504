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
import { ArrayFields, RowCheck } from './row-check.ts';
import { parsePrice, parseShares, TimeGate } from './values.ts';

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

/** Each named column's index in a row (from the header); undefined when the header lacks it. */
function columnsOf(idx: Map<string, number>, names: readonly string[]): (number | undefined)[] {
  return names.map((name) => idx.get(name));
}

/** The required columns must be present and non-empty (the first that is not is reported). */
function requireColumns(check: RowCheck, fields: readonly string[], at: readonly (number | undefined)[], names: readonly string[]): void {
  for (let c = 0; c < names.length; c++) {
    const v = at[c] === undefined ? undefined : fields[at[c]!];
    if (v === undefined || v === '') return check.fail('missing_field', names[c], 'empty or missing');
  }
}

/** The timestamp field through the file's parser; NaN (reported) when it does not parse. */
function timeValue(check: RowCheck, parser: TimestampParser, text: string, field: string): number {
  const tsUs = parser.parse(text);
  if (Number.isNaN(tsUs)) check.fail('bad_time', field, parser.error);
  return tsUs;
}

export async function readCsvQuotes(files: readonly string[], bad: BadRows, day?: string, progress: ProgressSink = NO_PROGRESS): Promise<QuotesRead> {
  const out = new QuoteBuilder();
  const stats = emptyQuoteStats();
  const gate = new TimeGate(day);
  const check = new RowCheck(bad);
  const raw = new ArrayFields();
  for (const file of files) {
    const ts = new TimestampParser();
    let at: (number | undefined)[] | undefined;
    for await (const { fields, row } of csvRecords(file, progress)) {
      if (!at) {
        at = columnsOf(headerIndex(file, fields, CSV_QUOTE_COLUMNS), CSV_QUOTE_COLUMNS);
        continue;
      }
      stats.rowsIn++;
      check.begin(file, row);
      raw.fields = fields;
      requireColumns(check, fields, at, CSV_QUOTE_COLUMNS);
      if (!check.ok) continue;
      const [iTs, iBid, iAsk, iBidSize, iAskSize] = at as number[];
      const tsUs = timeValue(check, ts, fields[iTs], 'ts');
      const bid = check.value(parsePrice(fields[iBid]), 'bad_price', 'bid', 'expected a price > 0', raw, iBid);
      const ask = check.value(parsePrice(fields[iAsk]), 'bad_price', 'ask', 'expected a price > 0', raw, iAsk);
      const bidSize = check.value(parseShares(fields[iBidSize], false), 'bad_size', 'bid_size', 'expected whole shares ≥ 0', raw, iBidSize);
      const askSize = check.value(parseShares(fields[iAskSize], false), 'bad_size', 'ask_size', 'expected whole shares ≥ 0', raw, iAskSize);
      if (!check.ok || !gate.accept(tsUs, check, 'ts')) continue;
      out.push(tsUs, bid, ask, bidSize, askSize);
    }
    if (!at) throw new InputError(`${file}: row 1: field "ts": empty file (expected a header ${CSV_QUOTE_COLUMNS.join(',')})`);
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

/** 1/0/true/false → 1/0; '' or missing → −1 (not given); anything else NaN. */
function eligibleFlag(value: string | undefined): number {
  const given = parseEligible(value);
  return given === undefined ? -1 : given === null ? Number.NaN : given ? 1 : 0;
}

export async function readCsvTrades(files: readonly string[], bad: BadRows, day?: string, progress: ProgressSink = NO_PROGRESS): Promise<TradesRead> {
  const out = new TradeBuilder();
  const stats = emptyTradeStats();
  const gate = new TimeGate(day);
  const check = new RowCheck(bad);
  const raw = new ArrayFields();
  for (const file of files) {
    const ts = new TimestampParser();
    let at: (number | undefined)[] | undefined;
    for await (const { fields, row } of csvRecords(file, progress)) {
      if (!at) {
        at = columnsOf(headerIndex(file, fields, CSV_TRADE_COLUMNS, CSV_TRADE_OPTIONAL), [...CSV_TRADE_COLUMNS, ...CSV_TRADE_OPTIONAL]);
        continue;
      }
      stats.rowsIn++;
      check.begin(file, row);
      raw.fields = fields;
      requireColumns(check, fields, at, CSV_TRADE_COLUMNS);
      if (!check.ok) continue;
      const [iTs, iPrice, iSize, iExchange, iEligible] = at;
      const tsUs = timeValue(check, ts, fields[iTs!], 'ts');
      const price = check.value(parsePrice(fields[iPrice!]), 'bad_price', 'price', 'expected a price > 0', raw, iPrice!);
      const size = check.value(parseShares(fields[iSize!], true), 'bad_size', 'size', 'expected whole shares > 0', raw, iSize!);
      const exchangeText = iExchange === undefined ? undefined : fields[iExchange];
      const exchange = check.value(exchangeCode(exchangeText) < 0 ? Number.NaN : exchangeCode(exchangeText), 'bad_exchange', 'exchange', 'expected one letter', raw, iExchange ?? -1);
      const given = check.value(eligibleFlag(iEligible === undefined ? undefined : fields[iEligible]), 'bad_flag', 'eligible', 'expected 1/0/true/false', raw, iEligible ?? -1);
      if (!check.ok || !gate.accept(tsUs, check, 'ts')) continue;
      const eligible = given === -1 ? exchange !== OFF_EXCHANGE_CODE : given === 1;
      if (!eligible) {
        if (exchange === OFF_EXCHANGE_CODE) stats.offExchange++;
        else stats.specialCondition++;
      }
      out.push(tsUs, price, size, exchange, eligible);
    }
    if (!at) throw new InputError(`${file}: row 1: field "ts": empty file (expected a header ${CSV_TRADE_COLUMNS.join(',')}[,exchange])`);
  }
  const trades = out.finish();
  stats.rowsOut = trades.length;
  return { trades, stats };
}
