/**
 * Numbers read straight from CSV bytes (csv-scan.ts), with the same results as the string
 * parsers they stand in for — each returns NaN where that parser would, and falls back to it for
 * any form outside its fast path:
 *   uintDigits      /^\d+$/ → Number(s)                   (vendor integer fields)
 *   decimalDigits   /^\d+(\.\d+)?$/ → Number(s)           (vendor time: ms since midnight)
 *   hexDigits       /^[0-9A-Fa-f]{1,8}$/ → parseInt(s, 16) | 0
 * A decimal d₁…dₙ.f₁…fₖ with fewer than 16 digits is m / 10^k with m the integer of all its
 * digits: both are exact doubles, so the division is correctly rounded, exactly as Number(s).
 */

/** 10^k for k = 0 … 22 (exact doubles). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_FAST_DIGITS = 15;

/** /^\d+$/ → its value, else NaN. Up to 16 digits are summed exactly while below 2^53. */
export function uintDigits(buf: Uint8Array, s: number, e: number): number {
  if (s >= e) return Number.NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) return Number.NaN;
    v = v * 10 + d;
  }
  return e - s <= MAX_FAST_DIGITS + 1 && v <= Number.MAX_SAFE_INTEGER ? v : slowUint(buf, s, e);
}

function slowUint(buf: Uint8Array, s: number, e: number): number {
  const text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1', s, e);
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** /^\d+(\.\d+)?$/ → its value, else NaN (a plain decimal such as 34200000.25). */
export function decimalDigits(buf: Uint8Array, s: number, e: number): number {
  if (s >= e) return Number.NaN;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === 46) {
      if (dot >= 0 || i === s || i === e - 1) return Number.NaN;
      dot = i;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return Number.NaN;
    m = m * 10 + d;
    digits++;
  }
  if (digits > MAX_FAST_DIGITS) return Number(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1', s, e));
  return dot < 0 ? m : m / POW10[e - dot - 1];
}

/** /^[0-9A-Fa-f]{1,8}$/ → parseInt(s, 16) | 0, else NaN. */
export function hexDigits(buf: Uint8Array, s: number, e: number): number {
  if (s >= e || e - s > 8) return Number.NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 65 && c <= 70) d = c - 55;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return Number.NaN;
    v = v * 16 + d;
  }
  return v | 0;
}

/** The one byte of a one-byte field, else −1. */
export function singleByte(buf: Uint8Array, s: number, e: number): number {
  return e - s === 1 ? buf[s] : -1;
}
