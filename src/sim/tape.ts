/**
 * The tape: one symbol-day of quotes and trades, held as typed-array columns (no per-row objects).
 * Times are integer epoch microseconds (UTC) stored in Float64Array (exact below 2^53).
 *
 * On disk (Arrow IPC files, one per symbol-day and kind):
 *   DIR/<SYMBOL>/<YYYY-MM-DD>.quotes.arrow  ts timestamp[µs, UTC], bid float64, ask float64,
 *                                           bid_size uint32, ask_size uint32
 *   DIR/<SYMBOL>/<YYYY-MM-DD>.trades.arrow  ts timestamp[µs, UTC], price float64, size uint32,
 *                                           exchange uint8 (EXCHANGE_CODES), eligible bool
 * (Read/write functions: being implemented — see issue 3.)
 */

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
