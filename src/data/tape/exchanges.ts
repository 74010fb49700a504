/**
 * Exchange letter ↔ uint8 code for the tape's `exchange` column.
 *
 * The code is the letter's ASCII code (A = 65 … Z = 90), so every CTA/UTP participant letter
 * round-trips without a lookup and a tape stays readable with any Arrow tool; 0 means unknown or
 * not given. The names below are for reports and docs; an unlisted letter is still stored.
 *
 * | letter | code | market |
 * | --- | --- | --- |
 * | A | 65 | NYSE MKT / NYSE American |
 * | B | 66 | NASDAQ BX |
 * | C | 67 | NSX (National Stock Exchange) |
 * | D | 68 | FINRA ADF / TRF — off-exchange prints (never eligible) |
 * | H | 72 | MIAX Pearl |
 * | I | 73 | ISE |
 * | J | 74 | Direct Edge A / Cboe EDGA |
 * | K | 75 | Direct Edge X / Cboe EDGX |
 * | L | 76 | LTSE |
 * | M | 77 | Chicago Stock Exchange / NYSE Chicago |
 * | N | 78 | NYSE |
 * | P | 80 | NYSE Arca |
 * | Q | 81 | NASDAQ |
 * | S | 83 | NASDAQ (consolidated, Alpaca) |
 * | T | 84 | NASDAQ |
 * | U | 85 | MEMX |
 * | V | 86 | IEX |
 * | W | 87 | CBOE |
 * | X | 88 | NASDAQ PSX |
 * | Y | 89 | BATS Y / Cboe BYX |
 * | Z | 90 | BATS / Cboe BZX |
 */

export const UNKNOWN_EXCHANGE_CODE = 0;
/** FINRA's trade reporting facilities: prints that happened off any exchange. */
export const OFF_EXCHANGE_LETTER = 'D';
export const OFF_EXCHANGE_CODE = 68;

export const EXCHANGE_NAMES: Readonly<Record<string, string>> = {
  A: 'NYSE MKT',
  B: 'NASDAQ BX',
  C: 'NSX',
  D: 'FINRA (off-exchange)',
  H: 'MIAX Pearl',
  I: 'ISE',
  J: 'Direct Edge A',
  K: 'Direct Edge X',
  L: 'LTSE',
  M: 'Chicago',
  N: 'NYSE',
  P: 'NYSE Arca',
  Q: 'NASDAQ',
  S: 'NASDAQ',
  T: 'NASDAQ',
  U: 'MEMX',
  V: 'IEX',
  W: 'CBOE',
  X: 'NASDAQ PSX',
  Y: 'BATS Y',
  Z: 'BATS',
};

/**
 * Code for an exchange letter: its ASCII code for A–Z (case-insensitive), 0 for ''/undefined.
 * Returns −1 for anything else (callers report it as bad input).
 */
export function exchangeCode(letter: string | undefined | null): number {
  if (letter === undefined || letter === null) return UNKNOWN_EXCHANGE_CODE;
  const s = letter.trim();
  if (s === '') return UNKNOWN_EXCHANGE_CODE;
  if (s.length !== 1) return -1;
  const c = s.toUpperCase().charCodeAt(0);
  return c >= 65 && c <= 90 ? c : -1;
}

/** Letter for a code ('' for 0/unknown). */
export function exchangeLetter(code: number): string {
  return code >= 65 && code <= 90 ? String.fromCharCode(code) : '';
}

/** Human name for a code, e.g. 78 → 'NYSE'. */
export function exchangeName(code: number): string {
  const letter = exchangeLetter(code);
  return letter === '' ? 'unknown' : (EXCHANGE_NAMES[letter] ?? `exchange ${letter}`);
}
