/**
 * Tape columns in memory: one symbol-day of quotes and trades as typed arrays (no per-row
 * objects), and the time lookups on them. Times are integer epoch µs (UTC) in Float64Array
 * (exact below 2^53). The format on disk is in arrow.ts; tape.ts says the whole contract.
 */
import { exchangeCode, OFF_EXCHANGE_CODE } from './exchanges.ts';
import { upperBound, lowerBound } from './search.ts';

export interface QuoteColumns {
  length: number;
  ts: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  bidSize: Float64Array;
  askSize: Float64Array;
}

export interface TradeColumns {
  length: number;
  ts: Float64Array;
  price: Float64Array;
  size: Float64Array;
  exchange: Uint8Array;
  /** 1 when a displayed exchange order could have met this print; 0 for off-exchange (D) and special conditions. */
  eligible: Uint8Array;
}

export interface SymbolDay {
  symbol: string;
  /** New York trading date, YYYY-MM-DD. */
  day: string;
  quotes: QuoteColumns;
  trades: TradeColumns;
}

export type TapeKind = 'quotes' | 'trades';

/** Symbols become directory names: letters, digits and . - _ / ^ only (BRK.B, BF-B). */
const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9._\-^]{0,31}$/;

export function isValidSymbol(symbol: string): boolean {
  return SYMBOL_RE.test(symbol);
}

// ───────────────────────── columns in memory ─────────────────────────

export function allocQuoteColumns(capacity: number): QuoteColumns {
  return {
    length: 0,
    ts: new Float64Array(capacity),
    bid: new Float64Array(capacity),
    ask: new Float64Array(capacity),
    bidSize: new Float64Array(capacity),
    askSize: new Float64Array(capacity),
  };
}

export function allocTradeColumns(capacity: number): TradeColumns {
  return {
    length: 0,
    ts: new Float64Array(capacity),
    price: new Float64Array(capacity),
    size: new Float64Array(capacity),
    exchange: new Uint8Array(capacity),
    eligible: new Uint8Array(capacity),
  };
}

/** Columns cut to `length` rows (views, no copy). */
export function trimQuoteColumns(q: QuoteColumns, length = q.length): QuoteColumns {
  return {
    length,
    ts: q.ts.subarray(0, length),
    bid: q.bid.subarray(0, length),
    ask: q.ask.subarray(0, length),
    bidSize: q.bidSize.subarray(0, length),
    askSize: q.askSize.subarray(0, length),
  };
}

export function trimTradeColumns(t: TradeColumns, length = t.length): TradeColumns {
  return {
    length,
    ts: t.ts.subarray(0, length),
    price: t.price.subarray(0, length),
    size: t.size.subarray(0, length),
    exchange: t.exchange.subarray(0, length),
    eligible: t.eligible.subarray(0, length),
  };
}

/** A quote row for tests: [tsUs, bid, ask, bidSize?, askSize?] or an object; sizes default to 100. */
export type QuoteRow =
  | readonly [tsUs: number, bid: number, ask: number, bidSize?: number, askSize?: number]
  | { tsUs: number; bid: number; ask: number; bidSize?: number; askSize?: number };

/**
 * A trade row for tests: [tsUs, price, size, exchange?, eligible?] or an object. Exchange is a
 * letter (default 'N'); eligible defaults to true except for off-exchange 'D' prints.
 */
export type TradeRow =
  | readonly [tsUs: number, price: number, size: number, exchange?: string, eligible?: boolean]
  | { tsUs: number; price: number; size: number; exchange?: string; eligible?: boolean };

/** Build quote columns from a few rows (tests, examples). */
export function makeQuoteColumns(rows: readonly QuoteRow[]): QuoteColumns {
  const q = allocQuoteColumns(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const [tsUs, bid, ask, bidSize, askSize] = Array.isArray(r)
      ? (r as readonly number[])
      : [(r as { tsUs: number }).tsUs, (r as { bid: number }).bid, (r as { ask: number }).ask, (r as { bidSize?: number }).bidSize, (r as { askSize?: number }).askSize];
    q.ts[i] = tsUs;
    q.bid[i] = bid;
    q.ask[i] = ask;
    q.bidSize[i] = bidSize ?? 100;
    q.askSize[i] = askSize ?? 100;
  }
  q.length = rows.length;
  return q;
}

/** Build trade columns from a few rows (tests, examples). */
export function makeTradeColumns(rows: readonly TradeRow[]): TradeColumns {
  const t = allocTradeColumns(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let tsUs: number, price: number, size: number, exchange: string | undefined, eligible: boolean | undefined;
    if (Array.isArray(r)) {
      [tsUs, price, size, exchange, eligible] = r as [number, number, number, string?, boolean?];
    } else {
      ({ tsUs, price, size, exchange, eligible } = r as Exclude<TradeRow, readonly unknown[]>);
    }
    const code = exchangeCode(exchange ?? 'N');
    if (code < 0) throw new Error(`makeTradeColumns row ${i}: bad exchange ${JSON.stringify(exchange)}`);
    t.ts[i] = tsUs;
    t.price[i] = price;
    t.size[i] = size;
    t.exchange[i] = code;
    t.eligible[i] = (eligible ?? code !== OFF_EXCHANGE_CODE) ? 1 : 0;
  }
  t.length = rows.length;
  return t;
}

// ───────────────────────── lookups ─────────────────────────

/** Lowest index i with ts[i] ≥ tsUs (ts sorted ascending); ts.length when there is none. */
export function firstIndexAtOrAfter(ts: Float64Array, tsUs: number): number {
  return lowerBound(ts, tsUs);
}

/** Lowest index i with ts[i] > tsUs; ts.length when there is none (an order arriving at t skips prints stamped t). */
export function firstIndexAfter(ts: Float64Array, tsUs: number): number {
  return upperBound(ts, tsUs);
}

/** Highest index i with ts[i] ≤ tsUs, or −1 when every row is later. */
export function lastIndexAtOrBefore(ts: Float64Array, tsUs: number): number {
  return upperBound(ts, tsUs) - 1;
}

/** The quote in force at tsUs: index of the last quote stamped ≤ tsUs, or −1 if none yet. */
export function lastQuoteAtOrBefore(quotes: QuoteColumns, tsUs: number): number {
  return upperBound(quotes.ts, tsUs, 0, quotes.length) - 1;
}
