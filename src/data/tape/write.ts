/**
 * Writing tape files (DIR/<SYMBOL>/<YYYY-MM-DD>.{quotes,trades}.arrow, paths from files.ts):
 * whole symbol-days, atomically. Only writers (ingest, sample, the live tape recorder) import
 * this module and with it apache-arrow (arrow-encode.ts); tape.ts, which readers import, does
 * not re-export it, so a sweep worker's start never loads the encoder.
 */
import { isValidDay } from '../../core/calendar.ts';
import { InputError } from '../../core/errors.ts';
import { writeFilesAtomic } from '../../core/atomic-write.ts';
import { quotesToArrow, tradesToArrow } from './arrow-encode.ts';
import { isValidSymbol, type SymbolDay } from './columns.ts';
import { tapePath } from './files.ts';

export { quotesToArrow, tradesToArrow };

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
