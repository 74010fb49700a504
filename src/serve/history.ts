/**
 * Historical quotes and trades for the REST API, read from the tape directory (every symbol-day
 * in it, not only the replayed one) and paginated as Alpaca does: rows sorted by symbol, then by
 * time (ties in tape order); at most `limit` rows per page; `next_page_token` resumes exactly
 * where the page stopped, and is null on the last page.
 *
 * The token is opaque to clients: base64url of [symbol index, day, row index] of the next row,
 * valid for the same query. Symbol-days are loaded on demand and kept in a small LRU cache.
 */
import { nyDay } from '../core/calendar.ts';
import { firstIndexAfter, firstIndexAtOrAfter, listTapes, loadSymbolDay, type QuoteColumns, type SymbolDay, type TradeColumns } from '../data/tape/tape.ts';
import { malformed } from './errors.ts';

export class TapeLibrary {
  private readonly daysBySymbol = new Map<string, string[]>();
  private readonly cache = new Map<string, SymbolDay>();

  constructor(
    private readonly dir: string,
    preloaded: readonly SymbolDay[] = [],
    private readonly capacity = 8,
  ) {
    for (const { symbol, day } of listTapes(dir)) {
      const days = this.daysBySymbol.get(symbol) ?? [];
      days.push(day);
      this.daysBySymbol.set(symbol, days);
    }
    for (const sd of preloaded) this.cache.set(key(sd.symbol, sd.day), sd);
  }

  symbols(): string[] {
    return [...this.daysBySymbol.keys()].sort();
  }

  /** Days on file for `symbol`, ascending. */
  days(symbol: string): readonly string[] {
    return this.daysBySymbol.get(symbol) ?? [];
  }

  load(symbol: string, day: string): SymbolDay {
    const k = key(symbol, day);
    let sd = this.cache.get(k);
    if (sd) {
      this.cache.delete(k);
      this.cache.set(k, sd);
      return sd;
    }
    sd = loadSymbolDay(this.dir, symbol, day);
    this.cache.set(k, sd);
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return sd;
  }
}

function key(symbol: string, day: string): string {
  return `${symbol}/${day}`;
}

export type HistoryKind = 'quotes' | 'trades';

export interface HistoryQuery {
  kind: HistoryKind;
  symbols: readonly string[];
  /** Inclusive bounds, epoch µs. */
  startUs: number;
  endUs: number;
  limit: number;
  sort: 'asc' | 'desc';
  pageToken?: string;
}

export interface HistoryPage<Row> {
  /** Symbol → rows, symbols with no rows on this page left out. */
  bySymbol: Map<string, Row[]>;
  nextPageToken: string | null;
}

interface Cursor {
  symbolIndex: number;
  day: string;
  row: number;
}

function encodeToken(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.symbolIndex, c.day, c.row])).toString('base64url');
}

function decodeToken(token: string, symbolCount: number): Cursor {
  try {
    const [symbolIndex, day, row] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (Number.isInteger(symbolIndex) && typeof day === 'string' && Number.isInteger(row) && (symbolIndex as number) >= 0 && (symbolIndex as number) < symbolCount) {
      return { symbolIndex: symbolIndex as number, day, row: row as number };
    }
  } catch {
    // fall through
  }
  throw malformed('invalid page_token');
}

type Columns = QuoteColumns | TradeColumns;

/** One page of rows, each turned into a wire object by `toRow(columns, index)`. */
export function historyPage<Row>(library: TapeLibrary, q: HistoryQuery, toRow: (cols: Columns, i: number) => Row): HistoryPage<Row> {
  const bySymbol = new Map<string, Row[]>();
  const cursor = q.pageToken ? decodeToken(q.pageToken, q.symbols.length) : null;
  const firstDay = Number.isFinite(q.startUs) ? nyDay(q.startUs) : '0000-00-00';
  const lastDay = Number.isFinite(q.endUs) ? nyDay(q.endUs) : '9999-99-99';
  const asc = q.sort === 'asc';
  let remaining = q.limit;
  for (let s = cursor?.symbolIndex ?? 0; s < q.symbols.length; s++) {
    const symbol = q.symbols[s];
    const days = library.days(symbol).filter((d) => d >= firstDay && d <= lastDay);
    if (!asc) days.reverse();
    const resumeHere = cursor !== null && s === cursor.symbolIndex;
    for (const day of days) {
      if (resumeHere && (asc ? day < cursor.day : day > cursor.day)) continue;
      const tape = library.load(symbol, day);
      const cols: Columns = q.kind === 'quotes' ? tape.quotes : tape.trades;
      const ts = cols.ts.subarray(0, cols.length);
      const lo = firstIndexAtOrAfter(ts, q.startUs);
      const hi = firstIndexAfter(ts, q.endUs);
      const resumeRow = resumeHere && day === cursor.day ? cursor.row : null;
      if (asc) {
        for (let i = resumeRow === null ? lo : Math.max(lo, resumeRow); i < hi; i++) {
          if (remaining === 0) return { bySymbol, nextPageToken: encodeToken({ symbolIndex: s, day, row: i }) };
          push(bySymbol, symbol, toRow(cols, i));
          remaining--;
        }
      } else {
        for (let i = resumeRow === null ? hi - 1 : Math.min(hi - 1, resumeRow); i >= lo; i--) {
          if (remaining === 0) return { bySymbol, nextPageToken: encodeToken({ symbolIndex: s, day, row: i }) };
          push(bySymbol, symbol, toRow(cols, i));
          remaining--;
        }
      }
    }
  }
  return { bySymbol, nextPageToken: null };
}

function push<Row>(map: Map<string, Row[]>, symbol: string, row: Row): void {
  let rows = map.get(symbol);
  if (!rows) {
    rows = [];
    map.set(symbol, rows);
  }
  rows.push(row);
}
