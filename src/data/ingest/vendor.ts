/**
 * The vendor tick format of ../shared/data/equity-ticks (AlgoSeek via QuantConnect Lean): one
 * zipped CSV per symbol-day and kind, no header. Times are ms since New York midnight
 * (fractional ms allowed), converted to epoch µs with the New York offset of that moment (DST
 * handled by calendar.ts). Prices are deci-cents = $0.0001 = one price unit (ticks.ts), so
 * dollars = units / 10 000 exactly.
 *
 * Quotes `time, bid price, bid size, ask price, ask size, exchange, condition, suspicious`:
 * each row is an NBBO update carrying ONE side (the other side's price and size are 0). The
 * NBBO is rebuilt as the vendor's README states:
 *   - all rows sharing one timestamp are applied together, then ONE quote is emitted for that
 *     timestamp (applying them one by one makes transient crossed quotes the market never had);
 *   - NBBO = the latest non-zero bid (with its size) and the latest non-zero ask (with its size);
 *   - suspicious rows (last column 1) are dropped and never applied;
 *   - nothing is emitted until both sides are known (counted as `oneSided`);
 *   - quote condition codes are not used (they do not change the NBBO).
 * Locked (bid = ask) and crossed (bid > ask) quotes are kept in the tape as the market showed
 * them, and counted in the summary. Policy: the engine never prices from them and the fill
 * models never fill against a crossed quote (ladder.ts `quoteProblem`).
 * A per-exchange book (best across exchanges) is deliberately NOT built: for this data stale
 * sides pile up and the result is crossed most of the day.
 *
 * Trades `time, price, size, exchange, condition, suspicious`: suspicious rows are dropped;
 * every other print is kept with `eligible` = a displayed exchange order could have met it:
 *   eligible = exchange ≠ D (FINRA, off-exchange)  AND  condition ⊆ ELIGIBLE_CONDITIONS.
 * The condition is a hex bit set (Lean's TradeConditionFlags). Seen in IBM 2013-10-07 and
 * treated as ordinary (eligible): Regular 0x1, Intermarket Sweep 0x20, Form T 0x400, Extended
 * Hours 0x2000, Trade-Through Exempt 0x20000000; also Yellow Flag 0x10, Auto Execution
 * 0x10000000 and Odd Lot 0x80000000. Any other bit makes the print ineligible — seen: Cash 0x2,
 * Next Day 0x4, Opening/Closing prints 0x40/0x80 (single-price auctions), Derivatively Priced
 * 0x200, Sold (late) 0x800, Out of Sequence 0x4000, Stock Option 0x40000, Average Price
 * 0x100000, Official Open/Close 0x4000000/0x1000000 (reports, not executions); and the rest of
 * the flag set (Seller, Stopped, Bunched, Cross, Prior Reference Price, …).
 *
 * The whole file is kept (the vendor's session is 04:00–20:00 New York).
 */
import { basename } from 'node:path';
import { isValidDay, nyLocalToUtcUs } from '../../core/calendar.ts';
import { InputError } from '../../core/errors.ts';
import { unitsToDollars } from '../../engine/ticks.ts';
import { exchangeCode, OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import type { SymbolDay } from '../tape/tape.ts';
import { BadRows } from './bad-rows.ts';
import { QuoteBuilder, TradeBuilder } from '../tape/builder.ts';
import { decimalDigits, hexDigits, singleByte, uintDigits } from './bytes.ts';
import type { CsvRow } from './csv-scan.ts';
import { scanCsvFile } from './input.ts';
import { RowCheck } from './row-check.ts';
import { NO_PROGRESS, type ProgressSink } from './progress.ts';
import { emptyQuoteStats, emptyTradeStats, type QuoteStats, type QuotesRead, type TradeStats, type TradesRead } from './types.ts';

export const VENDOR_QUOTE_FIELDS = ['time', 'bid_price', 'bid_size', 'ask_price', 'ask_size', 'exchange', 'condition', 'suspicious'] as const;
export const VENDOR_TRADE_FIELDS = ['time', 'price', 'size', 'exchange', 'condition', 'suspicious'] as const;

/** Trade condition bits (hex flag set) that leave a print eligible; see the header. */
export const ELIGIBLE_CONDITIONS =
  0x1 | // Regular
  0x10 | // Yellow Flag
  0x20 | // Intermarket Sweep
  0x400 | // Form T
  0x2000 | // Extended Hours
  0x10000000 | // Auto Execution
  0x20000000 | // Trade-Through Exempt
  0x80000000; // Odd Lot

/** Eligible = on an exchange and no special condition bit. */
export function vendorTradeEligible(exchange: number, conditionFlags: number): boolean {
  return exchange !== OFF_EXCHANGE_CODE && (conditionFlags & ~ELIGIBLE_CONDITIONS) === 0;
}

const MS_PER_DAY = 86_400_000;

/** Symbol and day from a vendor file name such as `ibm_20131007_quote.zip` (either may be absent). */
export function vendorFileInfo(file: string): { symbol?: string; day?: string } {
  const m = /^([A-Za-z0-9.\-]+)_(\d{4})(\d{2})(\d{2})_(?:quote|trade)/i.exec(basename(file));
  if (!m) return {};
  const day = `${m[2]}-${m[3]}-${m[4]}`;
  return { symbol: m[1].toUpperCase(), day: isValidDay(day) ? day : undefined };
}

/** `n` when > 0, else NaN. */
function positive(n: number): number {
  return n > 0 ? n : Number.NaN;
}

/** Field i's exchange letter as its code (exchanges.ts; '' → 0), NaN when it is not one letter. */
function letterField(r: CsvRow, i: number): number {
  const s = r.starts[i], e = r.ends[i];
  let code: number;
  if (e === s) code = 0;
  else if (e - s === 1) {
    const c = r.buf[s] & 0xdf; // upper case
    code = c >= 65 && c <= 90 ? c : -1;
  } else code = exchangeCode(r.text(i));
  return code < 0 ? Number.NaN : code;
}

/** Field i as an unsigned integer (digits only), else NaN. */
function intField(r: CsvRow, i: number): number {
  return uintDigits(r.buf, r.starts[i], r.ends[i]);
}

/** The suspicious flag: 0 or 1, else NaN. */
function flagField(r: CsvRow, i: number): number {
  const c = singleByte(r.buf, r.starts[i], r.ends[i]);
  return c === 48 ? 0 : c === 49 ? 1 : Number.NaN;
}

function checkFieldCount(count: number, names: readonly string[], check: RowCheck): boolean {
  if (count < names.length) {
    check.fail('missing_field', names[count], `missing (row has ${count} of ${names.length} fields)`);
  } else if (count > names.length) {
    check.fail('malformed', `#${names.length + 1}`, `unexpected extra field (row has ${count} fields, expected ${names.length})`);
  }
  return check.ok;
}

/** Vendor time (ms since midnight, fractional allowed) of a row, reported when bad or earlier than `lastMs`. */
function rowTime(check: RowCheck, r: CsvRow, lastMs: number): number {
  const t = decimalDigits(r.buf, r.starts[0], r.ends[0]);
  const ms = check.value(t < MS_PER_DAY ? t : Number.NaN, 'bad_time', 'time', 'expected ms since midnight (0 ≤ t < 86400000)', r, 0);
  if (ms < lastMs) check.fail('unsorted', 'time', `${r.text(0)} is earlier than the row before (${lastMs})`);
  return ms;
}

/** Rebuild the NBBO from one vendor quote file (see the header for the rules). */
export async function readVendorQuotes(file: string, day: string, bad: BadRows, progress: ProgressSink = NO_PROGRESS): Promise<QuotesRead> {
  const out = new QuoteBuilder(1 << 16);
  const stats: QuoteStats = emptyQuoteStats();
  let bid = 0, bidSize = 0, ask = 0, askSize = 0;
  let groupMs = Number.NaN;
  let groupApplied = false;
  let lastMs = -1;
  const check = new RowCheck(bad);

  const flush = (): void => {
    if (!groupApplied) return;
    groupApplied = false;
    if (bid > 0 && ask > 0) out.push(nyLocalToUtcUs(day, groupMs), bid, ask, bidSize, askSize);
    else stats.oneSided++;
  };

  await scanCsvFile(file, progress, (r) => {
    stats.rowsIn++;
    check.begin(file, r.row);
    if (!checkFieldCount(r.count, VENDOR_QUOTE_FIELDS, check)) return;
    const ms = rowTime(check, r, lastMs);
    const bidUnits = check.value(intField(r, 1), 'bad_price', 'bid_price', 'expected deci-cents ≥ 0', r, 1);
    const bidSz = check.value(intField(r, 2), 'bad_size', 'bid_size', 'expected shares ≥ 0', r, 2);
    const askUnits = check.value(intField(r, 3), 'bad_price', 'ask_price', 'expected deci-cents ≥ 0', r, 3);
    const askSz = check.value(intField(r, 4), 'bad_size', 'ask_size', 'expected shares ≥ 0', r, 4);
    if (bidUnits === 0 && askUnits === 0) check.fail('bad_price', 'bid_price', 'bid and ask are both 0 (no side to update)');
    check.value(letterField(r, 5), 'bad_exchange', 'exchange', 'expected one letter', r, 5);
    const suspicious = check.value(flagField(r, 7), 'bad_flag', 'suspicious', 'expected 0 or 1', r, 7);
    if (!check.ok) return;

    lastMs = ms;
    if (ms !== groupMs) {
      flush();
      groupMs = ms;
    }
    if (suspicious) {
      stats.suspicious++;
      return;
    }
    if (bidUnits > 0) {
      bid = unitsToDollars(bidUnits);
      bidSize = bidSz;
    }
    if (askUnits > 0) {
      ask = unitsToDollars(askUnits);
      askSize = askSz;
    }
    groupApplied = true;
  });
  flush();
  const quotes = out.finish();
  stats.rowsOut = quotes.length;
  return { quotes, stats };
}

/** Read one vendor trade file: suspicious prints dropped, the rest kept with `eligible`. */
export async function readVendorTrades(file: string, day: string, bad: BadRows, progress: ProgressSink = NO_PROGRESS): Promise<TradesRead> {
  const out = new TradeBuilder(1 << 14);
  const stats: TradeStats = emptyTradeStats();
  let lastMs = -1;
  const check = new RowCheck(bad);
  await scanCsvFile(file, progress, (r) => {
    stats.rowsIn++;
    check.begin(file, r.row);
    if (!checkFieldCount(r.count, VENDOR_TRADE_FIELDS, check)) return;
    const ms = rowTime(check, r, lastMs);
    const units = check.value(positive(intField(r, 1)), 'bad_price', 'price', 'expected deci-cents > 0', r, 1);
    const size = check.value(positive(intField(r, 2)), 'bad_size', 'size', 'expected shares > 0', r, 2);
    const exchange = check.value(letterField(r, 3), 'bad_exchange', 'exchange', 'expected one letter', r, 3);
    const flags = check.value(hexDigits(r.buf, r.starts[4], r.ends[4]), 'bad_condition', 'condition', 'expected a hex flag set', r, 4);
    const suspicious = check.value(flagField(r, 5), 'bad_flag', 'suspicious', 'expected 0 or 1', r, 5);
    if (!check.ok) return;
    lastMs = ms;
    if (suspicious) {
      stats.suspicious++;
      return;
    }
    const eligible = vendorTradeEligible(exchange, flags);
    if (!eligible) {
      if (exchange === OFF_EXCHANGE_CODE) stats.offExchange++;
      else stats.specialCondition++;
    }
    out.push(nyLocalToUtcUs(day, ms), unitsToDollars(units), size, exchange, eligible);
  });
  const trades = out.finish();
  stats.rowsOut = trades.length;
  return { trades, stats };
}

export interface VendorSymbolDayOptions {
  quotesFile: string;
  tradesFile?: string;
  /** Defaults to the file name's symbol (ibm_20131007_quote.zip → IBM). */
  symbol?: string;
  /** New York date YYYY-MM-DD; defaults to the file name's date. */
  day?: string;
  skipBadRows?: boolean;
  progress?: ProgressSink;
}

export interface VendorSymbolDay {
  symbolDay: SymbolDay;
  quoteStats: QuoteStats;
  tradeStats: TradeStats;
  bad: BadRows;
}

/**
 * One vendor symbol-day (quotes zip and, optionally, trades zip) as tape columns, e.g.
 *   readVendorSymbolDay({ quotesFile: '…/ibm_20131007_quote.zip', tradesFile: '…/ibm_20131007_trade.zip' })
 */
export async function readVendorSymbolDay(opts: VendorSymbolDayOptions): Promise<VendorSymbolDay> {
  const named = vendorFileInfo(opts.quotesFile);
  const symbol = opts.symbol ?? named.symbol;
  const day = opts.day ?? named.day;
  if (!symbol) throw unnamed(opts.quotesFile, 'symbol');
  if (!day || !isValidDay(day)) throw unnamed(opts.quotesFile, 'day');
  const bad = new BadRows(opts.skipBadRows ?? false);
  const progress = opts.progress ?? NO_PROGRESS;
  const q = await readVendorQuotes(opts.quotesFile, day, bad, progress);
  const t = opts.tradesFile ? await readVendorTrades(opts.tradesFile, day, bad, progress) : { trades: new TradeBuilder(0).finish(), stats: emptyTradeStats() };
  return { symbolDay: { symbol, day, quotes: q.quotes, trades: t.trades }, quoteStats: q.stats, tradeStats: t.stats, bad };
}

function unnamed(file: string, what: 'symbol' | 'day'): InputError {
  return new InputError(`${file}: cannot tell the ${what} from the file name (expected <symbol>_<YYYYMMDD>_quote.zip); pass --${what}`);
}
