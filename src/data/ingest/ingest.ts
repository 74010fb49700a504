/**
 * `ingest`: read one input format, validate every row, rebuild/cut symbol-days and write the
 * Arrow tape (tape.ts). Everything is read and checked before the first file is written, and
 * each file is written to a temp name and renamed, so a bad input leaves nothing behind.
 */
import { isValidDay } from '../../core/calendar.ts';
import { InputError } from '../../core/errors.ts';
import { allocTradeColumns, isValidSymbol, type QuoteColumns, type SymbolDay, type TradeColumns } from '../tape/tape.ts';
import { writeSymbolDays } from '../tape/write.ts';
import { readAlpacaQuotes, readAlpacaTrades } from './alpaca.ts';
import { BadRows } from './bad-rows.ts';
import type { ColumnMap } from './column-map.ts';
import { readCsvQuotes, readCsvTrades } from './csv.ts';
import { readParquetQuotes, readParquetTrades } from './parquet.ts';
import { NO_PROGRESS, type ProgressSink } from './progress.ts';
import { splitByDay } from './split-days.ts';
import { badRowsSummary, summarizeDay, type IngestSummary } from './summary.ts';
import { emptyTradeStats, type QuoteStats, type TradeStats } from './types.ts';
import { readVendorQuotes, readVendorTrades, vendorFileInfo } from './vendor.ts';

export const INGEST_FORMATS = ['vendor', 'csv', 'parquet', 'alpaca'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

export interface IngestOptions {
  format: IngestFormat;
  /** Quote input files, read in order. */
  quotes: readonly string[];
  /** Trade input files, read in order; none → an empty trades tape. */
  trades?: readonly string[];
  /** Symbol (upper-cased). Vendor: defaults to the file name's; Alpaca: to the page's only symbol; CSV: required. */
  symbol?: string;
  /** New York date YYYY-MM-DD. Vendor: defaults to the file name's. CSV/Alpaca: keep only this day (others are bad rows); without it every day present is written. */
  day?: string;
  /** Tape directory: writes OUT/<SYMBOL>/<DAY>.{quotes,trades}.arrow. */
  out: string;
  skipBadRows?: boolean;
  /** Alpaca: quote sizes × this for every row (default by date: alpaca.ts). */
  quoteSizeMultiplier?: number;
  /** CSV/Parquet: tape column → the file's column name (column-map.ts). */
  columns?: ColumnMap;
  progress?: ProgressSink;
}

interface Read {
  symbol: string;
  quotes: QuoteColumns;
  trades: TradeColumns;
  quoteStats: QuoteStats;
  tradeStats: TradeStats;
  /** Vendor files are one day each; other formats are cut into days. */
  day?: string;
}

function checkOptions(o: IngestOptions): void {
  if (!(INGEST_FORMATS as readonly string[]).includes(o.format)) throw new InputError(`--format ${o.format}: expected one of ${INGEST_FORMATS.join(', ')}`);
  if (o.quotes.length === 0) throw new InputError('--quotes: give at least one quotes file');
  if (o.day !== undefined && !isValidDay(o.day)) throw new InputError(`--day ${o.day}: expected a date YYYY-MM-DD`);
  if (o.symbol !== undefined && !isValidSymbol(o.symbol)) throw new InputError(`--symbol ${o.symbol}: use letters, digits and . - _ ^ only`);
  if (o.quoteSizeMultiplier !== undefined && !(Number.isInteger(o.quoteSizeMultiplier) && o.quoteSizeMultiplier >= 1)) {
    throw new InputError(`--quote-size-multiplier ${o.quoteSizeMultiplier}: expected a whole number ≥ 1`);
  }
  if (o.format === 'vendor' && (o.quotes.length > 1 || (o.trades?.length ?? 0) > 1)) {
    throw new InputError('--format vendor: give one --quotes zip and at most one --trades zip (one symbol-day per run)');
  }
  if ((o.format === 'csv' || o.format === 'parquet') && o.symbol === undefined) throw new InputError(`--format ${o.format}: --symbol is required (its rows do not name the symbol)`);
}

async function readVendor(o: IngestOptions, bad: BadRows, progress: ProgressSink): Promise<Read> {
  const named = vendorFileInfo(o.quotes[0]);
  const symbol = o.symbol ?? named.symbol;
  const day = o.day ?? named.day;
  if (!symbol) throw new InputError(`${o.quotes[0]}: cannot tell the symbol from the file name (expected <symbol>_<YYYYMMDD>_quote.zip); pass --symbol`);
  if (!day) throw new InputError(`${o.quotes[0]}: cannot tell the day from the file name (expected <symbol>_<YYYYMMDD>_quote.zip); pass --day`);
  progress.stage?.('read quotes');
  const q = await readVendorQuotes(o.quotes[0], day, bad, progress);
  if (o.trades?.length) progress.stage?.('read trades');
  const t = o.trades?.length ? await readVendorTrades(o.trades[0], day, bad, progress) : { trades: allocTradeColumns(0), stats: emptyTradeStats() };
  return { symbol, day, quotes: q.quotes, trades: t.trades, quoteStats: q.stats, tradeStats: t.stats };
}

async function readCsv(o: IngestOptions, bad: BadRows, progress: ProgressSink): Promise<Read> {
  const options = { day: o.day, progress, columns: o.columns };
  progress.stage?.('read quotes');
  const q = await readCsvQuotes(o.quotes, bad, options);
  if (o.trades?.length) progress.stage?.('read trades');
  const t = o.trades?.length ? await readCsvTrades(o.trades, bad, options) : { trades: allocTradeColumns(0), stats: emptyTradeStats() };
  return { symbol: o.symbol!, quotes: q.quotes, trades: t.trades, quoteStats: q.stats, tradeStats: t.stats };
}

async function readParquet(o: IngestOptions, bad: BadRows, progress: ProgressSink): Promise<Read> {
  const options = { day: o.day, progress, columns: o.columns };
  progress.stage?.('read quotes');
  const q = await readParquetQuotes(o.quotes, bad, options);
  if (o.trades?.length) progress.stage?.('read trades');
  const t = o.trades?.length ? await readParquetTrades(o.trades, bad, options) : { trades: allocTradeColumns(0), stats: emptyTradeStats() };
  return { symbol: o.symbol!, quotes: q.quotes, trades: t.trades, quoteStats: q.stats, tradeStats: t.stats };
}

async function readAlpaca(o: IngestOptions, bad: BadRows, progress: ProgressSink): Promise<Read> {
  const opts = { symbol: o.symbol, day: o.day, quoteSizeMultiplier: o.quoteSizeMultiplier, progress };
  progress.stage?.('read quotes');
  const q = await readAlpacaQuotes(o.quotes, bad, opts);
  const symbol = q.symbol ?? o.symbol;
  if (!symbol) throw new InputError(`${o.quotes[0]}: no symbol found; pass --symbol`);
  if (o.trades?.length) progress.stage?.('read trades');
  const t = o.trades?.length ? await readAlpacaTrades(o.trades, bad, { ...opts, symbol }) : { trades: allocTradeColumns(0), stats: emptyTradeStats() };
  return { symbol, quotes: q.quotes, trades: t.trades, quoteStats: q.stats, tradeStats: t.stats };
}

/** Read, check, write; returns the summary (formatSummary renders it). */
export async function ingest(o: IngestOptions): Promise<IngestSummary> {
  checkOptions(o);
  const bad = new BadRows(o.skipBadRows ?? false);
  const progress = o.progress ?? NO_PROGRESS;
  const readers = { vendor: readVendor, csv: readCsv, parquet: readParquet, alpaca: readAlpaca };
  const read = await readers[o.format](o, bad, progress);
  const symbol = read.symbol.toUpperCase();
  if (!isValidSymbol(symbol)) throw new InputError(`symbol ${JSON.stringify(read.symbol)}: use letters, digits and . - _ ^ only`);
  if (read.quotes.length === 0) {
    throw new InputError(`${o.quotes.join(', ')}: no quotes left to write (${read.quoteStats.rowsIn} rows read, ${bad.total} bad)`);
  }
  const day = read.day ?? o.day;
  const days: SymbolDay[] = day ? [{ symbol, day, quotes: read.quotes, trades: read.trades }] : splitByDay(symbol, read.quotes, read.trades);
  progress.stage?.('write tape');
  const written = writeSymbolDays(o.out, days);
  progress.stage?.('summarize');
  const summaries = days.map((sd, i) => summarizeDay(sd, written[i]));
  progress.stop();
  return {
    format: o.format,
    symbol,
    out: o.out,
    quotes: { files: [...o.quotes], ...read.quoteStats },
    trades: { files: [...(o.trades ?? [])], ...read.tradeStats },
    badRows: badRowsSummary(bad),
    days: summaries,
  };
}
