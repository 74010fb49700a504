/**
 * Plain CSV with a header row (plain, .gz streamed, or .zip), one file or several read in order:
 *   quotes  ts,bid,ask,bid_size,ask_size
 *   trades  ts,price,size[,exchange][,eligible]
 * Column names are case-insensitive and may come in any order, or be mapped (column-map.ts);
 * other columns are ignored. `ts` is ISO 8601 or epoch s/ms/µs/ns (timestamps.ts says how the
 * unit is told). Prices are dollars (> 0), sizes whole shares (quotes ≥ 0, trades > 0).
 * `exchange` is a letter (exchanges.ts; empty = unknown). `eligible` (1/0/true/false) defaults
 * to "not exchange D". Every quote row is a full NBBO; locked and crossed ones are kept and
 * counted (tape.ts policy).
 *
 * Rows are scanned as bytes (csv-scan.ts) and the common forms — epoch integers, plain decimals,
 * whole numbers — parsed from the bytes (bytes.ts); any other form goes through the string
 * parsers (values.ts, timestamps.ts), so results and messages are the same either way.
 */
import { InputError } from '../../core/errors.ts';
import { normalizePrice } from '../../engine/ticks.ts';
import { exchangeCode, OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import { QuoteBuilder, TradeBuilder } from '../tape/builder.ts';
import type { BadRows } from './bad-rows.ts';
import { decimalDigits, uintDigits } from './bytes.ts';
import { QUOTE_COLUMNS, resolveColumns, TRADE_COLUMNS, TRADE_OPTIONAL, type ColumnMap, type ResolvedColumns } from './column-map.ts';
import type { CsvRow } from './csv-scan.ts';
import { scanCsvFile } from './input.ts';
import { NO_PROGRESS, type ProgressSink } from './progress.ts';
import { RowCheck } from './row-check.ts';
import { epochUnitOf, MIN_EPOCH_SECONDS, TimestampParser } from './timestamps.ts';
import { emptyQuoteStats, emptyTradeStats, type QuotesRead, type TradesRead } from './types.ts';
import { parsePrice, parseShares, TimeGate } from './values.ts';

export const CSV_QUOTE_COLUMNS = QUOTE_COLUMNS;
export const CSV_TRADE_COLUMNS = TRADE_COLUMNS;
export const CSV_TRADE_OPTIONAL = TRADE_OPTIONAL;

export interface CsvReadOptions {
  day?: string;
  progress?: ProgressSink;
  columns?: ColumnMap;
}

/** Field c of the resolved columns: its bytes' range, or [0, -1) when the column is absent or the row short. */
function at(r: CsvRow, cols: ResolvedColumns, c: number): number {
  const i = cols.index[c];
  return i === undefined || i >= r.count ? -1 : i;
}

/** The required columns must be present and non-empty (the first that is not is reported). */
function requireColumns(check: RowCheck, r: CsvRow, cols: ResolvedColumns, required: number): void {
  for (let c = 0; c < required; c++) {
    const i = at(r, cols, c);
    if (i < 0 || r.ends[i] === r.starts[i]) return check.fail('missing_field', cols.names[c], 'empty or missing');
  }
}

/** Epoch integers and common ISO shapes straight from the bytes (the parser's rules); anything else through the parser. */
function timeValue(check: RowCheck, parser: TimestampParser, r: CsvRow, i: number, field: string): number {
  const whole = uintDigits(r.buf, r.starts[i], r.ends[i]);
  if (whole >= MIN_EPOCH_SECONDS && whole < 1e17) {
    const unit = epochUnitOf(whole);
    const us = unit === 's' ? whole * 1_000_000 : unit === 'ms' ? whole * 1000 : whole;
    if ((parser.form === unit || parser.form === undefined) && Number.isSafeInteger(us)) {
      parser.form = unit;
      return us;
    }
  }
  const iso = parser.parseIsoBytes(r.buf, r.starts[i], r.ends[i]);
  if (iso === iso) return iso;
  const tsUs = parser.parse(r.text(i)!);
  if (Number.isNaN(tsUs)) check.fail('bad_time', field, parser.error);
  return tsUs;
}

/** A dollar price > 0 normalised to $0.0001 (values.ts parsePrice), plain decimals from the bytes. */
function priceValue(r: CsvRow, i: number): number {
  const v = decimalDigits(r.buf, r.starts[i], r.ends[i]);
  if (v !== v) return parsePrice(r.text(i));
  if (!(v > 0) || !Number.isFinite(v)) return Number.NaN;
  const p = normalizePrice(v);
  return p > 0 ? p : Number.NaN;
}

/** Whole shares (values.ts parseShares), digits from the bytes. */
function sharesValue(r: CsvRow, i: number, positive: boolean): number {
  const v = uintDigits(r.buf, r.starts[i], r.ends[i]);
  if (v !== v || v > 0xffff_ffff) return parseShares(r.text(i), positive);
  return positive && v === 0 ? Number.NaN : v;
}

/** Read the header (the first record) of each file, then every row through `onRow`. */
async function scanWithHeader(
  file: string,
  progress: ProgressSink,
  resolve: (header: string[]) => ResolvedColumns,
  onRow: (r: CsvRow, cols: ResolvedColumns) => void,
): Promise<boolean> {
  let cols: ResolvedColumns | undefined;
  await scanCsvFile(file, progress, (r) => {
    if (cols) return onRow(r, cols);
    const header: string[] = [];
    for (let i = 0; i < r.count; i++) header.push(r.text(i)!);
    cols = resolve(header);
  });
  return cols !== undefined;
}

export async function readCsvQuotes(files: readonly string[], bad: BadRows, options: CsvReadOptions = {}): Promise<QuotesRead> {
  const out = new QuoteBuilder();
  const stats = emptyQuoteStats();
  const gate = new TimeGate(options.day);
  const check = new RowCheck(bad);
  for (const file of files) {
    const ts = new TimestampParser();
    const resolve = (header: string[]) => resolveColumns(file, header, QUOTE_COLUMNS, [], options.columns ?? {});
    const found = await scanWithHeader(file, options.progress ?? NO_PROGRESS, resolve, (r, cols) => {
      stats.rowsIn++;
      check.begin(file, r.row);
      requireColumns(check, r, cols, 5);
      if (!check.ok) return;
      const idx = cols.index as number[];
      const iTs = idx[0], iBid = idx[1], iAsk = idx[2], iBidSize = idx[3], iAskSize = idx[4];
      const n = cols.names;
      const tsUs = timeValue(check, ts, r, iTs, n[0]);
      const bid = check.value(priceValue(r, iBid), 'bad_price', n[1], 'expected a price > 0', r, iBid);
      const ask = check.value(priceValue(r, iAsk), 'bad_price', n[2], 'expected a price > 0', r, iAsk);
      const bidSize = check.value(sharesValue(r, iBidSize, false), 'bad_size', n[3], 'expected whole shares ≥ 0', r, iBidSize);
      const askSize = check.value(sharesValue(r, iAskSize, false), 'bad_size', n[4], 'expected whole shares ≥ 0', r, iAskSize);
      if (!check.ok || !gate.accept(tsUs, check, n[0])) return;
      out.push(tsUs, bid, ask, bidSize, askSize);
    });
    if (!found) throw new InputError(`${file}: row 1: field "ts": empty file (expected a header ${QUOTE_COLUMNS.join(',')})`);
  }
  const quotes = out.finish();
  stats.rowsOut = quotes.length;
  return { quotes, stats };
}

/** eligible 1/0/true/false → 1/0; '' or missing → −1 (not given); anything else NaN. */
function eligibleValue(r: CsvRow, i: number): number {
  if (i < 0 || r.ends[i] === r.starts[i]) return -1;
  const v = r.text(i)!.toLowerCase();
  return v === '1' || v === 'true' ? 1 : v === '0' || v === 'false' ? 0 : Number.NaN;
}

/** The exchange letter's code ('' or absent → 0), NaN when it is not one letter. */
function exchangeValue(r: CsvRow, i: number): number {
  if (i < 0) return 0;
  const s = r.starts[i], e = r.ends[i];
  let code: number;
  if (e === s) code = 0;
  else if (e - s === 1) {
    const c = r.buf[s] & 0xdf;
    code = c >= 65 && c <= 90 ? c : -1;
  } else code = exchangeCode(r.text(i));
  return code < 0 ? Number.NaN : code;
}

export async function readCsvTrades(files: readonly string[], bad: BadRows, options: CsvReadOptions = {}): Promise<TradesRead> {
  const out = new TradeBuilder();
  const stats = emptyTradeStats();
  const gate = new TimeGate(options.day);
  const check = new RowCheck(bad);
  for (const file of files) {
    const ts = new TimestampParser();
    const resolve = (header: string[]) => resolveColumns(file, header, TRADE_COLUMNS, TRADE_OPTIONAL, options.columns ?? {});
    const found = await scanWithHeader(file, options.progress ?? NO_PROGRESS, resolve, (r, cols) => {
      stats.rowsIn++;
      check.begin(file, r.row);
      requireColumns(check, r, cols, 3);
      if (!check.ok) return;
      const n = cols.names;
      const iTs = cols.index[0]!, iPrice = cols.index[1]!, iSize = cols.index[2]!;
      const iExchange = at(r, cols, 3), iEligible = at(r, cols, 4);
      const tsUs = timeValue(check, ts, r, iTs, n[0]);
      const price = check.value(priceValue(r, iPrice), 'bad_price', n[1], 'expected a price > 0', r, iPrice);
      const size = check.value(sharesValue(r, iSize, true), 'bad_size', n[2], 'expected whole shares > 0', r, iSize);
      const exchange = check.value(exchangeValue(r, iExchange), 'bad_exchange', n[3], 'expected one letter', r, iExchange);
      const given = check.value(eligibleValue(r, iEligible), 'bad_flag', n[4], 'expected 1/0/true/false', r, iEligible);
      if (!check.ok || !gate.accept(tsUs, check, n[0])) return;
      const eligible = given === -1 ? exchange !== OFF_EXCHANGE_CODE : given === 1;
      if (!eligible) {
        if (exchange === OFF_EXCHANGE_CODE) stats.offExchange++;
        else stats.specialCondition++;
      }
      out.push(tsUs, price, size, exchange, eligible);
    });
    if (!found) throw new InputError(`${file}: row 1: field "ts": empty file (expected a header ${TRADE_COLUMNS.join(',')}[,exchange])`);
  }
  const trades = out.finish();
  stats.rowsOut = trades.length;
  return { trades, stats };
}
