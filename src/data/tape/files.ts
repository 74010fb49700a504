/**
 * Tape files in a data directory: DIR/<SYMBOL>/<YYYY-MM-DD>.{quotes,trades}.arrow — their paths,
 * loading one symbol-day, and listing what a directory holds. Writing is write.ts, kept apart so
 * that readers (a sweep worker) never load the encoder's apache-arrow.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isValidDay } from '../../core/calendar.ts';
import { loadQuotes, loadTrades } from './arrow-decode.ts';
import { isValidSymbol, type SymbolDay, type TapeKind } from './columns.ts';

export function tapePath(dir: string, symbol: string, day: string, kind: TapeKind): string {
  return join(dir, symbol, `${day}.${kind}.arrow`);
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
