/**
 * Alpaca historical market-data pages saved as JSON files (plain, .gz or .zip), as
 * GET /v2/stocks/quotes and /v2/stocks/trades return them (../shared/ALPACA-NOTES.md):
 *   { "quotes": { "IBM": [ {t, bp, bs, bx, ap, as, ax, c, z}, … ] }, "next_page_token": … }
 *   { "trades": { "IBM": [ {t, p, s, x, i, c, z}, … ] }, "next_page_token": … }
 * The single-symbol form `{ "symbol": "IBM", "quotes": [ … ] }` and a JSON array of pages are
 * accepted too; several files are read in the order given and must continue each other in time.
 * Rows are numbered by position in the page's array from 1 ("row 17 (page 2)" in an array);
 * a JSON syntax error names the line of the file instead.
 *
 * `t` is RFC 3339 (ns digits truncated to µs). Quotes: bp, ap > 0 (a zero side is bad input,
 * as in every format), bs/as stored in SHARES whatever the date: Alpaca's quote sizes are round
 * lots of 100 before 2025-11-03 and shares from then on (the SDK's StockQuote model says so), so
 *   shares = size · 100 for a quote stamped before 2025-11-03 00:00 New York, else size
 * unless `quoteSizeMultiplier` says otherwise for every row (1 for a source that already sends
 * shares, such as `ladderlab serve`). `bx`/`ax` are not kept (the tape has no quote
 * exchange). NOTE the `iex` feed is ONE venue's quote, not the national best bid and offer.
 *
 * Trades: eligible = exchange `x` ≠ D and every condition in `c` is in ELIGIBLE_CONDITIONS:
 *   '@' regular, ' ' regular, 'E' automatic execution, 'F' intermarket sweep, 'I' odd lot,
 *   'T' extended hours (Form T), 'Y' yellow flag, '8' trade-through exempt placeholder.
 * Anything else (average price B/W, cash C, next day N, seller R, sold last L, out of sequence
 * Z/U, prior reference P, derivatively priced 4, opening/closing/reopening O/5/6/Q/M, cross X,
 * contingent V/7, corrected close 9, stopped 1, …) is a print a displayed order could not meet.
 */
import { nyLocalToUtcUs } from '../../core/calendar.ts';
import { InputError } from '../../core/errors.ts';
import { exchangeCode, OFF_EXCHANGE_CODE } from '../tape/exchanges.ts';
import type { BadRowReason, BadRows } from './bad-rows.ts';
import { QuoteBuilder, TradeBuilder } from '../tape/builder.ts';
import { readText } from './input.ts';
import { NO_PROGRESS, type ProgressSink } from './progress.ts';
import { TimestampParser } from './timestamps.ts';
import { emptyQuoteStats, emptyTradeStats, type QuotesRead, type TradesRead } from './types.ts';
import { describe, ObjectFields, RowCheck } from './row-check.ts';
import { parsePrice, parseShares, TimeGate } from './values.ts';

/** From this New York date on, Alpaca quote sizes are shares; before it, round lots of 100. */
export const ALPACA_SHARE_SIZES_FROM = '2025-11-03';
const SHARE_SIZES_FROM_US = nyLocalToUtcUs(ALPACA_SHARE_SIZES_FROM, 0);

/** Shares per unit of an Alpaca quote size stamped at tsUs: 100 before 2025-11-03, else 1. */
export function alpacaQuoteSizeMultiplier(tsUs: number): number {
  return tsUs < SHARE_SIZES_FROM_US ? 100 : 1;
}

export const ALPACA_ELIGIBLE_CONDITIONS: ReadonlySet<string> = new Set(['@', ' ', 'E', 'F', 'I', 'T', 'Y', '8']);

export function alpacaTradeEligible(exchange: number, conditions: readonly string[] | undefined): boolean {
  if (exchange === OFF_EXCHANGE_CODE) return false;
  if (!conditions) return true;
  for (const c of conditions) if (!ALPACA_ELIGIBLE_CONDITIONS.has(c)) return false;
  return true;
}

type Kind = 'quotes' | 'trades';

interface Page {
  label: string; // '' for a lone page, ' (page N)' inside an array
  rows: unknown[];
}

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Where JSON.parse gave up, as a character offset: V8 says "at position N" for most errors and
 * quotes ~10 characters either side of the bad token ("Unexpected token ']', ..."ctx"... is not
 * valid JSON") for the rest.
 */
function errorPosition(text: string, message: string): number | undefined {
  const pos = /at position (\d+)/.exec(message);
  if (pos) return Number(pos[1]);
  const m = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (!m) return undefined;
  const start = text.indexOf(m[3]);
  if (start < 0) return undefined;
  return m[2] ? start + 10 : start + m[3].indexOf(m[1]);
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = errorPosition(text, msg);
    const line = pos === undefined ? '?' : String(lineOf(text, pos));
    throw new InputError(`${file}: row ${line}: field "(json)": not valid JSON (${msg.replace(/\s+/g, ' ')})`);
  }
}

/** The rows of `symbol` in each page of a file; picks the only symbol when none is given. */
function pagesOf(file: string, doc: unknown, kind: Kind, symbol: string | undefined): { pages: Page[]; symbol: string } {
  const docs = Array.isArray(doc) ? doc : [doc];
  const pages: Page[] = [];
  let chosen = symbol;
  docs.forEach((page, p) => {
    const label = Array.isArray(doc) ? ` (page ${p + 1})` : '';
    if (typeof page !== 'object' || page === null || !(kind in page)) {
      throw new InputError(`${file}: row 1${label}: field "${kind}": missing — not an Alpaca ${kind} page`);
    }
    const body = (page as Record<string, unknown>)[kind];
    if (Array.isArray(body)) {
      const pageSymbol = (page as { symbol?: unknown }).symbol;
      if (typeof pageSymbol === 'string') {
        if (chosen === undefined) chosen = pageSymbol;
        if (pageSymbol !== chosen) return; // another symbol's page
      }
      pages.push({ label, rows: body });
      return;
    }
    if (typeof body !== 'object' || body === null) {
      throw new InputError(`${file}: row 1${label}: field "${kind}": expected an object of symbol → array`);
    }
    const bySymbol = body as Record<string, unknown>;
    const symbols = Object.keys(bySymbol);
    if (chosen === undefined) {
      if (symbols.length > 1) throw new InputError(`${file}${label}: holds ${symbols.join(', ')}; pass --symbol to pick one`);
      chosen = symbols[0];
    }
    const rows = chosen === undefined ? undefined : bySymbol[chosen];
    if (rows === undefined || rows === null) return; // this page has none of the symbol
    if (!Array.isArray(rows)) throw new InputError(`${file}: row 1${label}: field "${kind}.${chosen}": expected an array`);
    pages.push({ label, rows });
  });
  if (chosen === undefined) throw new InputError(`${file}: no ${kind} in the file; pass --symbol`);
  return { pages, symbol: chosen };
}

export interface AlpacaReadOptions {
  symbol?: string;
  day?: string;
  /** Quote sizes × this for every row; default by date (alpacaQuoteSizeMultiplier). */
  quoteSizeMultiplier?: number;
  progress?: ProgressSink;
}

async function loadPages(files: readonly string[], kind: Kind, opts: AlpacaReadOptions): Promise<{ file: string; pages: Page[]; symbol: string }[]> {
  const out: { file: string; pages: Page[]; symbol: string }[] = [];
  let symbol = opts.symbol;
  for (const file of files) {
    const text = await readText(file, opts.progress ?? NO_PROGRESS);
    const read = pagesOf(file, parseJson(file, text), kind, symbol);
    symbol = read.symbol;
    out.push({ file, ...read });
  }
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Alpaca's reason for a bad field: a missing one is `missing_field`, anything else `otherwise`. */
function reasonFor(value: unknown, otherwise: BadRowReason): BadRowReason {
  return value === undefined ? 'missing_field' : otherwise;
}

/**
 * The checks every Alpaca row starts with: an object with an RFC 3339 `t`. Returns the row's
 * epoch µs (NaN, reported, when it is not one).
 */
function rowTime(check: RowCheck, raw: ObjectFields, value: unknown, ts: TimestampParser): number {
  if (!isRecord(value)) {
    check.fail('malformed', '(row)', `expected an object, got ${describe(value)}`);
    return Number.NaN;
  }
  raw.record = value;
  const t = value.t;
  if (typeof t !== 'string') {
    check.fail(reasonFor(t, 'bad_time'), 't', `expected an RFC 3339 time, got ${describe(t)}`);
    return Number.NaN;
  }
  const tsUs = ts.parse(t);
  if (Number.isNaN(tsUs)) check.fail('bad_time', 't', ts.error);
  return tsUs;
}

export async function readAlpacaQuotes(files: readonly string[], bad: BadRows, opts: AlpacaReadOptions = {}): Promise<QuotesRead & { symbol?: string }> {
  const out = new QuoteBuilder();
  const stats = emptyQuoteStats();
  const gate = new TimeGate(opts.day);
  const check = new RowCheck(bad);
  const raw = new ObjectFields();
  const fixed = opts.quoteSizeMultiplier;
  let symbol: string | undefined;
  for (const { file, pages, symbol: s } of await loadPages(files, 'quotes', opts)) {
    symbol = s;
    const ts = new TimestampParser();
    for (const { label, rows } of pages) {
      for (let i = 0; i < rows.length; i++) {
        stats.rowsIn++;
        check.begin(file, `${i + 1}${label}`);
        const tsUs = rowTime(check, raw, rows[i], ts);
        if (!check.ok) continue;
        const q = raw.record;
        const bid = check.value(parsePrice(q.bp), reasonFor(q.bp, 'bad_price'), 'bp', 'expected a price > 0', raw, 'bp');
        const ask = check.value(parsePrice(q.ap), reasonFor(q.ap, 'bad_price'), 'ap', 'expected a price > 0', raw, 'ap');
        const bidSize = check.value(parseShares(q.bs, false), reasonFor(q.bs, 'bad_size'), 'bs', 'expected whole shares ≥ 0', raw, 'bs');
        const askSize = check.value(parseShares(q.as, false), reasonFor(q.as, 'bad_size'), 'as', 'expected whole shares ≥ 0', raw, 'as');
        if (!check.ok || !gate.accept(tsUs, check, 't')) continue;
        const multiplier = fixed ?? alpacaQuoteSizeMultiplier(tsUs);
        out.push(tsUs, bid, ask, bidSize * multiplier, askSize * multiplier);
      }
    }
  }
  const quotes = out.finish();
  stats.rowsOut = quotes.length;
  return { quotes, stats, symbol };
}

/** Trade conditions: an array of letters (or absent); 0 when fine, NaN otherwise. */
function conditionsField(c: unknown): number {
  return c === undefined || c === null || (Array.isArray(c) && c.every((v) => typeof v === 'string')) ? 0 : Number.NaN;
}

/** The exchange letter's code; NaN when `x` is neither absent nor one letter. */
function exchangeField(x: unknown): number {
  const code = typeof x === 'string' || x === undefined ? exchangeCode(x as string | undefined) : -1;
  return code < 0 ? Number.NaN : code;
}

export async function readAlpacaTrades(files: readonly string[], bad: BadRows, opts: AlpacaReadOptions = {}): Promise<TradesRead & { symbol?: string }> {
  const out = new TradeBuilder();
  const stats = emptyTradeStats();
  const gate = new TimeGate(opts.day);
  const check = new RowCheck(bad);
  const raw = new ObjectFields();
  let symbol: string | undefined;
  for (const { file, pages, symbol: s } of await loadPages(files, 'trades', opts)) {
    symbol = s;
    const ts = new TimestampParser();
    for (const { label, rows } of pages) {
      for (let i = 0; i < rows.length; i++) {
        stats.rowsIn++;
        check.begin(file, `${i + 1}${label}`);
        const tsUs = rowTime(check, raw, rows[i], ts);
        if (!check.ok) continue;
        const t = raw.record;
        const price = check.value(parsePrice(t.p), reasonFor(t.p, 'bad_price'), 'p', 'expected a price > 0', raw, 'p');
        const size = check.value(parseShares(t.s, true), reasonFor(t.s, 'bad_size'), 's', 'expected whole shares > 0', raw, 's');
        const exchange = check.value(exchangeField(t.x), 'bad_exchange', 'x', 'expected one letter', raw, 'x');
        check.value(conditionsField(t.c), 'bad_condition', 'c', 'expected an array of condition letters', raw, 'c');
        if (!check.ok || !gate.accept(tsUs, check, 't')) continue;
        const eligible = alpacaTradeEligible(exchange, (t.c ?? undefined) as string[] | undefined);
        if (!eligible) {
          if (exchange === OFF_EXCHANGE_CODE) stats.offExchange++;
          else stats.specialCondition++;
        }
        out.push(tsUs, price, size, exchange, eligible);
      }
    }
  }
  const trades = out.finish();
  stats.rowsOut = trades.length;
  return { trades, stats, symbol };
}
