/**
 * Tape files in a data directory: DIR/<SYMBOL>/<YYYY-MM-DD>.{quotes,trades}.arrow — their paths,
 * atomic writes of whole symbol-days, loading one symbol-day, and listing what a directory holds.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isValidDay } from '../../core/calendar.ts';
import { InputError } from '../../core/errors.ts';
import { writeFilesAtomic } from '../../core/atomic-write.ts';
import { loadQuotes, loadTrades, quotesToArrow, tradesToArrow } from './arrow.ts';
import { isValidSymbol, type SymbolDay, type TapeKind } from './columns.ts';

export function tapePath(dir: string, symbol: string, day: string, kind: TapeKind): string {
  return join(dir, symbol, `${day}.${kind}.arrow`);
}

/**
 * Write DIR/<SYMBOL>/<DAY>.quotes.arrow and .trades.arrow. Both are written to temp files first
 * and renamed only when both are complete, so a failure leaves no partial tape behind.
 * Returns the two final paths.
 */
export function writeSymbolDay(dir: string, symbolDay: SymbolDay): { quotes: string; trades: string } {
  return writeSymbolDays(dir, [symbolDay])[0];
}

/**
 * Write several symbol-days at once: every file is encoded and written to a temp name first,
 * and only then are all renamed into place (on any error the temps are removed).
 */
export function writeSymbolDays(dir: string, symbolDays: readonly SymbolDay[]): { quotes: string; trades: string }[] {
  const files: Record<string, Uint8Array> = {};
  const result: { quotes: string; trades: string }[] = [];
  for (const sd of symbolDays) {
    const { symbol, day } = sd;
    if (!isValidSymbol(symbol)) throw new InputError(`symbol ${JSON.stringify(symbol)}: use letters, digits and . - _ ^ only`);
    if (!isValidDay(day)) throw new InputError(`day ${JSON.stringify(day)}: expected YYYY-MM-DD`);
    const finals = { quotes: tapePath(dir, symbol, day, 'quotes'), trades: tapePath(dir, symbol, day, 'trades') };
    files[finals.quotes] = quotesToArrow(sd.quotes, symbol, day);
    files[finals.trades] = tradesToArrow(sd.trades, symbol, day);
    result.push(finals);
  }
  writeFilesAtomic(files);
  return result;
}

/** Load one symbol-day into typed arrays, once; no per-row objects. */
export function loadSymbolDay(dir: string, symbol: string, day: string): SymbolDay {
  return {
    symbol,
    day,
    quotes: loadQuotes(tapePath(dir, symbol, day, 'quotes')),
    trades: loadTrades(tapePath(dir, symbol, day, 'trades')),
  };
}

const TAPE_FILE_RE = /^(\d{4}-\d{2}-\d{2})\.quotes\.arrow$/;

/** Every symbol-day in DIR with both files present, sorted by symbol then day. */
export function listTapes(dir: string): { symbol: string; day: string }[] {
  if (!existsSync(dir)) return [];
  const out: { symbol: string; day: string }[] = [];
  for (const symbol of readdirSync(dir).sort()) {
    const sub = join(dir, symbol);
    if (!isValidSymbol(symbol) || !statSync(sub).isDirectory()) continue;
    for (const name of readdirSync(sub).sort()) {
      const m = TAPE_FILE_RE.exec(name);
      if (m && isValidDay(m[1]) && existsSync(join(sub, `${m[1]}.trades.arrow`))) out.push({ symbol, day: m[1] });
    }
  }
  return out;
}
