/** Number formatting for the report's text and tables: fixed decimals, a real minus sign, "—" for missing. */

export type Row = Record<string, unknown>;

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** Fixed decimals with U+2212 for negatives; "—" when missing. */
export function fixed(x: unknown, decimals: number): string {
  const v = num(x);
  if (v === null) return '—';
  const s = Math.abs(v).toFixed(decimals);
  return v < 0 && Number(s) !== 0 ? `−${s}` : s;
}

export const bps = (x: unknown): string => fixed(x, 1);
export const seconds = (x: unknown): string => fixed(x, 1);
export const percent = (x: unknown): string => (num(x) === null ? '—' : `${fixed((x as number) * 100, 0)} %`);
export const count = (x: unknown): string => (num(x) === null ? '0' : Math.round(x as number).toLocaleString('en-US'));
export const usd = (x: unknown): string => (num(x) === null ? '—' : `${(x as number) < 0 ? '−' : ''}$${Math.abs(x as number).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);

/** "value [lo, hi]" from a row's c, c_lo, c_hi. */
export function withInterval(row: Row, column: string, format: (x: unknown) => string): string {
  const value = format(row[column]);
  if (value === '—') return value;
  const lo = row[`${column}_lo`];
  const hi = row[`${column}_hi`];
  if (num(lo) === null || num(hi) === null) return value;
  return `${value} [${format(lo)}, ${format(hi)}]`;
}

/** True when the 95 % interval lies entirely above zero / below zero. */
export function intervalAbove(row: Row, column: string): boolean {
  const lo = num(row[`${column}_lo`]);
  return lo !== null && lo > 0;
}
export function intervalBelow(row: Row, column: string): boolean {
  const hi = num(row[`${column}_hi`]);
  return hi !== null && hi < 0;
}
