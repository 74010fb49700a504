/**
 * Download historical quotes and trades from Alpaca's market-data API through the SDK's generated
 * `StockApi` (GET /v2/stocks/quotes and /v2/stocks/trades, following `next_page_token`), and turn
 * them into the tape with the Alpaca page reader (alpaca.ts): each page is saved exactly as the
 * API returned it to a temporary directory, then read, checked, split into New York days and
 * written by `ingest` like any other input (nothing is written if a row is bad; temp files are
 * removed either way).
 *
 * The base URL is configurable, so the same download runs against `ladderlab serve`; a tape
 * served and downloaded again comes back byte-identical. `start`/`end` are New York dates
 * (whole days) or RFC 3339 times; the API's bounds are inclusive and carry ms precision.
 * `asof` = the start's New York date, so a symbol means what it meant then (renames).
 * Quote sizes are stored in shares (alpaca.ts: round lots before 2025-11-03).
 *
 * A download that ends well before what was asked is refused (InputError, exit 2; with
 * `allowPartial` a loud warning instead): the last quote must be no earlier than
 *   min(end, regular close of the last trading day ≤ end's New York date) − PARTIAL_SLACK_US
 * (holidays skipped, early closes at 13:00: core/exchange-calendar.ts)
 * (a server that only has history up to "now", a plan's delay, a symbol that stopped trading).
 * NOTE the `iex` feed is ONE venue's quote, not the national best bid and offer.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { ApiError, FetchError, marketData } from '@alpacahq/alpaca-trade-api';
import { addDays, isValidDay, nyDay, nyDayRange, regularSession } from '../../core/calendar.ts';
import { isTradingDay } from '../../core/exchange-calendar.ts';
import { InputError } from '../../core/errors.ts';
import { isValidSymbol } from '../tape/tape.ts';
import { ingest } from './ingest.ts';
import type { IngestSummary } from './summary.ts';
import { TimestampParser } from './timestamps.ts';

export const ALPACA_DATA_URL = 'https://data.alpaca.markets';
export const DEFAULT_PAGE_LIMIT = 10_000;

export interface AlpacaDownloadOptions {
  symbols: readonly string[];
  /** New York date YYYY-MM-DD (from its 00:00) or RFC 3339. */
  start: string;
  /** New York date YYYY-MM-DD (through its end) or RFC 3339; inclusive. */
  end: string;
  feed: 'sip' | 'iex';
  out: string;
  keys: { keyId: string; secret: string };
  /** Default https://data.alpaca.markets; e.g. http://127.0.0.1:8765 for `serve`. */
  baseUrl?: string;
  /** Rows per page (1–10 000). */
  pageLimit?: number;
  quoteSizeMultiplier?: number;
  skipBadRows?: boolean;
  /** Keep a download that ends well before `end` (warn through onWarning) instead of failing. */
  allowPartial?: boolean;
  /** Where warnings go (default stderr). */
  onWarning?: (message: string) => void;
  /** Called after each page (for a progress display). */
  onPage?: (page: DownloadedPage) => void;
}

export interface DownloadedPage {
  symbol: string;
  kind: 'quotes' | 'trades';
  page: number;
  rows: number;
  totalRows: number;
  more: boolean;
}

export interface AlpacaDownloadResult {
  summaries: IngestSummary[];
  /** Symbols the API had no quotes for in the window (nothing written). */
  empty: string[];
  /** Symbols whose download ended well before the requested end (kept only with allowPartial). */
  partial: string[];
  pages: number;
}

/** [start, end] in epoch ms for the API (inclusive end: a date's last ms). */
export function downloadWindowMs(start: string, end: string): { startMs: number; endMs: number; day: string | undefined } {
  const bound = (text: string, name: string, edge: 'start' | 'end'): number => {
    if (isValidDay(text)) {
      const r = nyDayRange(text);
      return edge === 'start' ? r.startUs / 1000 : r.endUs / 1000 - 1;
    }
    const parser = new TimestampParser();
    const us = parser.parse(text);
    if (Number.isNaN(us) || !/[Zz]|[+-]\d{2}:?\d{2}$/.test(text)) throw new InputError(`--${name} ${text}: expected a New York date YYYY-MM-DD or an RFC 3339 time with a zone`);
    return Math.floor(us / 1000);
  };
  const startMs = bound(start, 'start', 'start');
  const endMs = bound(end, 'end', 'end');
  if (endMs < startMs) throw new InputError(`--end ${end} is before --start ${start}`);
  const first = nyDay(startMs * 1000);
  return { startMs, endMs, day: first === nyDay(endMs * 1000) ? first : undefined };
}

/** How far before the expected end the last quote may be: 30 minutes. */
export const PARTIAL_SLACK_US = 30 * 60_000_000;

/**
 * Why a symbol's quotes end well before the requested end (see the header), or undefined when
 * they do not.
 */
export function partialDownload(symbol: string, rows: number, lastT: string | undefined, endMs: number, source: string): string | undefined {
  if (lastT === undefined) return undefined;
  const lastUs = new TimestampParser().parse(lastT);
  if (Number.isNaN(lastUs)) return undefined;
  let day = nyDay(endMs * 1000);
  while (!isTradingDay(day)) day = addDays(day, -1);
  const expectedUs = Math.min(endMs * 1000, regularSession(day).closeUs);
  if (lastUs >= expectedUs - PARTIAL_SLACK_US) return undefined;
  const hours = ((expectedUs - lastUs) / 3.6e9).toFixed(1);
  return `${symbol}: the download from ${source} ends at ${lastT}, ${hours} h before the requested end ${new Date(expectedUs / 1000).toISOString()} (${rows} quotes)`;
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

function describeFailure(err: unknown, baseUrl: string): Error {
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
    return new InputError(`${baseUrl}: the key pair was refused (HTTP ${err.status}: ${err.message}); check APCA_API_KEY_ID / APCA_API_SECRET_KEY`);
  }
  if (err instanceof ApiError && (err.status === 400 || err.status === 422)) return new InputError(`${baseUrl}: request refused (HTTP ${err.status}: ${err.message})`);
  if (err instanceof FetchError) return new Error(`${baseUrl}: cannot reach the market-data API (${err.cause?.message ?? err.message})`);
  return err as Error;
}

/** Fetch every page of one symbol and kind into `dir`; returns the page files and row count. */
async function downloadKind(
  api: marketData.StockApi,
  o: AlpacaDownloadOptions,
  symbol: string,
  kind: 'quotes' | 'trades',
  window: { startMs: number; endMs: number; asof: string },
  dir: string,
): Promise<{ files: string[]; rows: number; lastT: string | undefined }> {
  const files: string[] = [];
  let rows = 0;
  let lastT: string | undefined;
  let pageToken: string | undefined;
  const seen = new Set<string>();
  for (let page = 1; ; page++) {
    const request = {
      symbols: symbol,
      start: new Date(window.startMs),
      end: new Date(window.endMs),
      limit: o.pageLimit ?? DEFAULT_PAGE_LIMIT,
      feed: o.feed,
      sort: 'asc' as const,
      asof: window.asof,
      pageToken,
    };
    const resp = kind === 'quotes' ? await api.stockQuotes(request) : await api.stockTrades(request);
    const body = (kind === 'quotes' ? (resp as marketData.StockQuotesResp).quotes : (resp as marketData.StockTradesResp).trades) ?? {};
    const pageRows = (body as Record<string, unknown[]>)[symbol] ?? [];
    rows += pageRows.length;
    const last = pageRows[pageRows.length - 1] as { t?: unknown } | undefined;
    if (typeof last?.t === 'string') lastT = last.t;
    const file = join(dir, `${symbol}.${kind}.${String(page).padStart(5, '0')}.json`);
    writeFileSync(file, JSON.stringify({ [kind]: { [symbol]: pageRows }, next_page_token: resp.nextPageToken ?? null }));
    files.push(file);
    const next = resp.nextPageToken || undefined;
    o.onPage?.({ symbol, kind, page, rows: pageRows.length, totalRows: rows, more: next !== undefined });
    if (next === undefined || seen.has(next)) return { files, rows, lastT };
    seen.add(next);
    pageToken = next;
  }
}

export async function downloadAlpaca(o: AlpacaDownloadOptions): Promise<AlpacaDownloadResult> {
  if (o.symbols.length === 0) throw new InputError('--symbols: name at least one symbol');
  for (const s of o.symbols) if (!isValidSymbol(s)) throw new InputError(`--symbols ${s}: use letters, digits and . - _ ^ only`);
  const limit = o.pageLimit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InputError(`--page-limit ${limit}: expected 1–10000`);
  const span = downloadWindowMs(o.start, o.end);
  const window = { ...span, asof: nyDay(span.startMs * 1000) };
  const baseUrl = (o.baseUrl ?? ALPACA_DATA_URL).replace(/\/+$/, '');
  const local = isLoopback(baseUrl);
  const api = new marketData.StockApi(
    new marketData.Configuration({
      basePath: baseUrl,
      keyId: o.keys.keyId,
      secret: o.keys.secret,
      timeoutMs: 60_000,
      retry: { maxRetries: 5 },
      // Alpaca allows ~200 requests a minute; a local server needs no throttle.
      rateLimit: local ? undefined : { maxRequests: 190, intervalMs: 60_000 },
    }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'ladderlab-alpaca-'));
  const result: AlpacaDownloadResult = { summaries: [], empty: [], partial: [], pages: 0 };
  try {
    for (const symbol of o.symbols) {
      let quotes: { files: string[]; rows: number; lastT: string | undefined };
      let trades: { files: string[]; rows: number };
      try {
        quotes = await downloadKind(api, o, symbol, 'quotes', window, dir);
        trades = await downloadKind(api, o, symbol, 'trades', window, dir);
      } catch (err) {
        throw describeFailure(err, baseUrl);
      }
      result.pages += quotes.files.length + trades.files.length;
      if (quotes.rows === 0) {
        result.empty.push(symbol);
        continue;
      }
      const short = partialDownload(symbol, quotes.rows, quotes.lastT, window.endMs, baseUrl);
      if (short !== undefined) {
        if (!o.allowPartial) throw new InputError(`${short}; nothing written (pass --allow-partial to keep it)`);
        (o.onWarning ?? ((m: string) => process.stderr.write(`WARNING: ${m}\n`)))(`${short}; kept as it is (--allow-partial)`);
        result.partial.push(symbol);
      }
      result.summaries.push(
        await ingest({
          format: 'alpaca',
          quotes: quotes.files,
          trades: trades.rows > 0 ? trades.files : [],
          symbol,
          day: window.day,
          out: o.out,
          skipBadRows: o.skipBadRows,
          quoteSizeMultiplier: o.quoteSizeMultiplier,
        }),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

/** A stderr progress bar over pages (only on a terminal). */
export function pageProgress(stream: NodeJS.WriteStream = process.stderr): { onPage: (p: DownloadedPage) => void; stop: () => void } {
  if (!stream.isTTY) return { onPage: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream, format: '{label} [{bar}] {value} rows | page {page}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onPage(p) {
      const label = `${p.symbol} ${p.kind}`;
      // The total is unknown until the last page: show one more page's worth while there is more.
      const total = p.totalRows + (p.more ? p.rows : 0);
      if (!started || p.page === 1) {
        if (started) bar.stop();
        bar.start(Math.max(total, 1), p.totalRows, { label, page: p.page });
        started = true;
      } else {
        bar.setTotal(Math.max(total, 1));
        bar.update(p.totalRows, { label, page: p.page });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
