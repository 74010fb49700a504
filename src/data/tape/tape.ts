/**
 * The tape: one symbol-day of quotes and trades, held as typed-array columns (no per-row objects).
 * Times are integer epoch microseconds (UTC) stored in Float64Array (exact below 2^53).
 *
 * On disk (Arrow IPC files, one per symbol-day and kind):
 *   DIR/<SYMBOL>/<YYYY-MM-DD>.quotes.arrow  ts timestamp[µs, UTC], bid float64, ask float64,
 *                                           bid_size uint32, ask_size uint32
 *   DIR/<SYMBOL>/<YYYY-MM-DD>.trades.arrow  ts timestamp[µs, UTC], price float64, size uint32,
 *                                           exchange uint8 (exchanges.ts), eligible bool
 * No nulls; rows sorted by ts (ties keep input order). Schema metadata: ladderlab.kind,
 * ladderlab.symbol, ladderlab.day. Files are written to a temp name and renamed, and the same
 * columns always give the same bytes.
 *
 * Quotes are kept as the market showed them, locked (bid = ask) and crossed (bid > ask) ones
 * included: the engine never prices from them and the fill models never fill against a crossed
 * quote (ladder.ts `quoteProblem`).
 *
 * This module is the tape's reading side. Writers import write.ts (writeSymbolDay(s),
 * quotesToArrow/tradesToArrow): the encoder loads apache-arrow, which readers (a sweep worker)
 * must not pay for at start-up — the bundle test (test/sweep/worker-bundle.test.ts) checks it.
 */
export * from './columns.ts';
export { loadQuotes, loadTrades } from './arrow-decode.ts';
export * from './files.ts';
export { lowerBound, upperBound, upperBoundFrom, SampledColumn, sampledColumn, type SortedNumbers } from './search.ts';
