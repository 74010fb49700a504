/**
 * The data catalogue: a tape directory holds any number of symbol-days
 * (DIR/<SYMBOL>/<YYYY-MM-DD>.{quotes,trades}.arrow). This module is the ONE place a run chooses
 * which of them it uses (`--symbols`, `--from`, `--to` on backtest, sweep, report and serve) and
 * what `ladderlab data ls` prints about each.
 *
 * Selection: a symbol-day is selected when its symbol is in `symbols` (all when none are named)
 * and from ≤ day ≤ to (New York dates, inclusive, each open-ended when absent).
 *
 * Coverage, per symbol-day: quote and trade rows; locked (bid = ask) and crossed (bid > ask)
 * quotes over the whole tape; and the median regular-session spread in ticks, one value per
 * usable quote event (neither locked nor crossed; not time-weighted, as the ingest summary's
 * spread percentiles), ticks = (ask − bid) / tick with the tick of the bid's price (ticks.ts, with
 * the config's overrides), nearest-rank median = sorted[⌈n/2⌉ − 1]; null with no usable quote.
 */
import { existsSync, statSync } from 'node:fs';
import { isValidDay, regularSession } from '../core/calendar.ts';
import { InputError } from '../core/errors.ts';
import { dollarsToUnits, type TickTable } from '../engine/ticks.ts';
import { percentile } from './ingest/summary.ts';
import { firstIndexAtOrAfter, isValidSymbol, listTapes, loadSymbolDay } from './tape/tape.ts';

export interface SymbolDayRef {
  symbol: string;
  /** New York date YYYY-MM-DD. */
  day: string;
}

export interface DataSelection {
  /** Upper-case symbols; empty = every symbol. */
  symbols: readonly string[];
  /** First New York date, inclusive. */
  from?: string;
  /** Last New York date, inclusive. */
  to?: string;
}

export const SELECT_ALL: DataSelection = { symbols: [] };

/**
 * A selection from command-line values: symbols comma- or space-separated (any case), days
 * YYYY-MM-DD; bad values are InputErrors naming the flag.
 */
export function parseSelection(input: { symbols?: string | readonly string[]; from?: string; to?: string }): DataSelection {
  const raw = typeof input.symbols === 'string' ? [input.symbols] : (input.symbols ?? []);
  const symbols = [...new Set(raw.flatMap((s) => s.split(/[\s,]+/)).map((s) => s.trim().toUpperCase()).filter((s) => s !== ''))];
  for (const s of symbols) if (!isValidSymbol(s)) throw new InputError(`--symbols ${s}: use letters, digits and . - _ ^ only`);
  for (const [flag, day] of [['from', input.from], ['to', input.to]] as const) {
    if (day !== undefined && !isValidDay(day)) throw new InputError(`--${flag} ${day}: expected a New York date YYYY-MM-DD`);
  }
  if (input.from !== undefined && input.to !== undefined && input.to < input.from) throw new InputError(`--to ${input.to} is before --from ${input.from}`);
  return { symbols, from: input.from, to: input.to };
}

export function isSelected(sel: DataSelection, symbol: string, day: string): boolean {
  if (sel.symbols.length > 0 && !sel.symbols.includes(symbol)) return false;
  return (sel.from === undefined || day >= sel.from) && (sel.to === undefined || day <= sel.to);
}

/** How a selection reads in messages: "--symbols IBM,BAC --from 2013-10-07", or "everything". */
export function describeSelection(sel: DataSelection): string {
  const parts = [
    sel.symbols.length ? `--symbols ${sel.symbols.join(',')}` : '',
    sel.from ? `--from ${sel.from}` : '',
    sel.to ? `--to ${sel.to}` : '',
  ].filter((p) => p !== '');
  return parts.length ? parts.join(' ') : 'everything';
}

/**
 * The selected symbol-days of `dir`, sorted by symbol then day. An InputError when `dir` is
 * not a directory of tapes, a named symbol has no tape at all, or nothing is selected.
 */
export function selectSymbolDays(dir: string, sel: DataSelection = SELECT_ALL, label = dir): SymbolDayRef[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`--data ${label}: not a directory`);
  const all = listTapes(dir);
  if (all.length === 0) throw new InputError(`--data ${label}: no tapes (expected ${label}/<SYMBOL>/<YYYY-MM-DD>.quotes.arrow and .trades.arrow)`);
  for (const symbol of sel.symbols) {
    if (!all.some((t) => t.symbol === symbol)) throw new InputError(`--symbols ${symbol}: no tape for ${symbol} in ${label} (it holds ${[...new Set(all.map((t) => t.symbol))].join(', ')})`);
  }
  const chosen = all.filter((t) => isSelected(sel, t.symbol, t.day));
  if (chosen.length === 0) {
    const days = all.map((t) => t.day).sort();
    throw new InputError(`--data ${label}: no symbol-day matches ${describeSelection(sel)} (the data spans ${days[0]} … ${days[days.length - 1]})`);
  }
  return chosen;
}

export interface SymbolDayCoverage extends SymbolDayRef {
  quotes: number;
  trades: number;
  /** Median regular-session spread in ticks (see the header); null without a usable quote. */
  medianSpreadTicks: number | null;
  locked: number;
  crossed: number;
}

/** Coverage of one symbol-day (see the header for each figure). */
export function symbolDayCoverage(dir: string, ref: SymbolDayRef, ticks: TickTable): SymbolDayCoverage {
  const { quotes: q, trades: t } = loadSymbolDay(dir, ref.symbol, ref.day);
  let locked = 0, crossed = 0;
  for (let i = 0; i < q.length; i++) {
    if (q.bid[i] === q.ask[i]) locked++;
    else if (q.bid[i] > q.ask[i]) crossed++;
  }
  const { openUs, closeUs } = regularSession(ref.day);
  const from = firstIndexAtOrAfter(q.ts, openUs);
  const to = firstIndexAtOrAfter(q.ts, closeUs);
  const spreads = new Float64Array(to - from);
  let n = 0;
  for (let i = from; i < to; i++) {
    if (!(q.bid[i] < q.ask[i])) continue;
    const tick = ticks.tickUnits(ref.symbol, q.bid[i], ref.day);
    spreads[n++] = (dollarsToUnits(q.ask[i]) - dollarsToUnits(q.bid[i])) / tick;
  }
  const usable = spreads.subarray(0, n).sort();
  const median = n > 0 ? Math.round(percentile(usable, 50) * 100) / 100 : null;
  return { symbol: ref.symbol, day: ref.day, quotes: q.length, trades: t.length, medianSpreadTicks: median, locked, crossed };
}

/** `data ls` as text: one line per symbol-day, then totals. */
export function formatCoverage(rows: readonly SymbolDayCoverage[]): string {
  const header = ['symbol', 'day', 'quotes', 'trades', 'median spread (ticks)', 'locked', 'crossed'];
  const body = rows.map((r) => [r.symbol, r.day, String(r.quotes), String(r.trades), r.medianSpreadTicks === null ? '-' : String(r.medianSpreadTicks), String(r.locked), String(r.crossed)]);
  const sum = (k: 'quotes' | 'trades' | 'locked' | 'crossed') => String(rows.reduce((a, r) => a + r[k], 0));
  const symbols = new Set(rows.map((r) => r.symbol)).size;
  const days = new Set(rows.map((r) => r.day)).size;
  const total = [`${symbols} symbols`, `${days} days`, sum('quotes'), sum('trades'), '', sum('locked'), sum('crossed')];
  const table = [header, ...body, total];
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return `${[line(header), ...body.map(line), line(total)].join('\n')}\n`;
}

/**
 * What `serve` replays: one New York day (`day`, else the earliest selected) and the selected
 * symbols that have a tape that day.
 */
export function replaySelection(dir: string, sel: DataSelection, day?: string): { day: string; symbols: string[] } {
  if (day !== undefined && !isValidDay(day)) throw new InputError(`--day ${day}: expected a New York date YYYY-MM-DD`);
  const chosen = selectSymbolDays(dir, day === undefined ? sel : { ...sel, from: day, to: day });
  const replayed = day ?? chosen.reduce((earliest, t) => (t.day < earliest ? t.day : earliest), chosen[0].day);
  return { day: replayed, symbols: chosen.filter((t) => t.day === replayed).map((t) => t.symbol) };
}
