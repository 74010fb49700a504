/**
 * The real IBM day the IBM-like sample is fitted to and compared with. It lives outside the
 * repository (../shared/data, never copied in): only sample:fit, sample:stats and tests read it,
 * and all of them work, or skip with a message, without it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readVendorSymbolDay } from '../ingest/vendor.ts';
import type { SymbolDay } from '../tape/tape.ts';

/** ../shared/data/equity-ticks next to the repository root, wherever the process runs from. */
export const REAL_DATA_DIR = fileURLToPath(new URL('../../../../shared/data/equity-ticks', import.meta.url));
export const REAL_IBM_QUOTES = `${REAL_DATA_DIR}/ibm_20131007_quote.zip`;
export const REAL_IBM_TRADES = `${REAL_DATA_DIR}/ibm_20131007_trade.zip`;

export function realIbmAvailable(): boolean {
  return existsSync(REAL_IBM_QUOTES) && existsSync(REAL_IBM_TRADES);
}

/** IBM 2013-10-07 as a tape (whole vendor session), or undefined when ../shared is absent. */
export async function loadRealIbmDay(): Promise<SymbolDay | undefined> {
  if (!realIbmAvailable()) return undefined;
  const { symbolDay } = await readVendorSymbolDay({ quotesFile: REAL_IBM_QUOTES, tradesFile: REAL_IBM_TRADES });
  return symbolDay;
}

/** JSON with arrays of numbers, strings or null on one line each (a readable constants file). */
export function formatModelJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`)}\n`;
}
