/** What each input reader returns before the tape is written, and the counts the summary prints. */
import type { QuoteColumns, TradeColumns } from '../tape/tape.ts';

export interface QuoteStats {
  /** Data rows read (header excluded), bad ones included. */
  rowsIn: number;
  /** Quote events written to the tape. */
  rowsOut: number;
  /** Rows flagged suspicious by the vendor: dropped. */
  suspicious: number;
  /** Events before both a bid and an ask were known (vendor one-sided updates): no quote yet. */
  oneSided: number;
}

export interface TradeStats {
  rowsIn: number;
  rowsOut: number;
  /** Rows flagged suspicious by the vendor: dropped. */
  suspicious: number;
  /** Kept, not eligible: off-exchange prints (exchange D). */
  offExchange: number;
  /** Kept, not eligible: on-exchange prints with a special condition. */
  specialCondition: number;
}

export function emptyQuoteStats(): QuoteStats {
  return { rowsIn: 0, rowsOut: 0, suspicious: 0, oneSided: 0 };
}

export function emptyTradeStats(): TradeStats {
  return { rowsIn: 0, rowsOut: 0, suspicious: 0, offExchange: 0, specialCondition: 0 };
}

export interface QuotesRead {
  quotes: QuoteColumns;
  stats: QuoteStats;
}

export interface TradesRead {
  trades: TradeColumns;
  stats: TradeStats;
}
