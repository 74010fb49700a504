/**
 * Timestamps of CSV and JSON inputs → integer epoch µs (UTC).
 *
 * Accepted forms:
 *   - ISO 8601 / RFC 3339: `2013-10-07T09:30:00.123456Z`, `2013-10-07 13:30:00+00:00`, up to 9
 *     fraction digits. WITHOUT a zone (`2013-10-07 09:30:00`) the time is New York local time,
 *     the market's own clock, converted with the DST offset of that moment.
 *   - epoch numbers (digits, optional fraction), unit told by magnitude:
 *       value < 1e11 → seconds,  < 1e14 → milliseconds,  < 1e17 → microseconds,  else nanoseconds
 *     which is unambiguous for any date from 1973-03-03 to 5138; smaller values (< 1e8 s) are
 *     rejected as not an epoch time (e.g. ms since midnight).
 * Digits below the µs are truncated. Each input must keep one form throughout (a file whose
 * first row is in ms and a later row in s is an error, not a silent 1000× jump).
 */
import { dayToUtcMidnightMs, nyLocalToUtcUs } from '../../core/calendar.ts';

export type TimestampForm = 'iso' | 's' | 'ms' | 'us' | 'ns';

const EPOCH_RE = /^(\d+)(?:\.(\d*))?$/;
const ISO_RE = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export const MIN_EPOCH_SECONDS = 1e8;

/** The digit at byte position p (not checked). */
function dig(buf: Uint8Array, p: number): number {
  return buf[p] - 48;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Byte positions of the digits in YYYY-MM-DDTHH:MM:SS. */
const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** The epoch unit of a non-negative number by magnitude (see the header). */
export function epochUnitOf(value: number): Exclude<TimestampForm, 'iso'> {
  if (value < 1e11) return 's';
  if (value < 1e14) return 'ms';
  if (value < 1e17) return 'us';
  return 'ns';
}

/** First `n` digits of a fraction string, right-padded with zeros, as an integer (truncates). */
function fractionDigits(frac: string | undefined, n: number): number {
  if (!frac) return 0;
  return Number((frac + '000000000').slice(0, n));
}

/** Parses one input's timestamps; remembers the first form and refuses a change of form. */
export class TimestampParser {
  form: TimestampForm | undefined;
  /** Why the last parse returned NaN. */
  error = '';

  /** epoch µs, or NaN (see `error`). */
  parse(text: string): number {
    const us = this.parseAny(text.trim());
    if (Number.isNaN(us)) return us;
    if (!Number.isSafeInteger(us)) return this.fail(`${JSON.stringify(text)} is out of range`);
    return us;
  }

  private parseAny(s: string): number {
    const epoch = EPOCH_RE.exec(s);
    if (epoch) return this.parseEpoch(epoch[1], epoch[2]);
    const iso = ISO_RE.exec(s);
    if (iso) return this.parseIso(iso);
    return this.fail(`expected ISO 8601 or epoch s/ms/µs/ns, got ${JSON.stringify(s)}`);
  }

  private setForm(form: TimestampForm, s: string): boolean {
    if (this.form === undefined) this.form = form;
    if (this.form === form) return true;
    this.fail(`${JSON.stringify(s)} reads as ${form} but earlier rows were ${this.form}`);
    return false;
  }

  private parseEpoch(intPart: string, frac: string | undefined): number {
    const whole = Number(intPart);
    if (whole < MIN_EPOCH_SECONDS) return this.fail(`${intPart} is too small for an epoch time (before 1973)`);
    const unit = epochUnitOf(whole);
    if (!this.setForm(unit, intPart)) return Number.NaN;
    switch (unit) {
      case 's':
        return whole * 1_000_000 + fractionDigits(frac, 6);
      case 'ms':
        return whole * 1000 + fractionDigits(frac, 3);
      case 'us':
        return whole;
      case 'ns':
        // 18+ digits exceed 2^53: drop the ns digits as text, then convert.
        return Number(intPart.slice(0, -3));
    }
  }

  private parseIso(m: RegExpExecArray): number {
    if (!this.setForm('iso', m[0])) return Number.NaN;
    const [, day, hh, mm, ss, frac, zone] = m;
    const midnightMs = dayToUtcMidnightMs(day);
    const h = Number(hh), mi = Number(mm), s = Number(ss);
    if (Number.isNaN(midnightMs) || h > 23 || mi > 59 || s > 59) return this.fail(`${JSON.stringify(m[0])} is not a valid date-time`);
    const localMs = ((h * 60 + mi) * 60 + s) * 1000;
    const fracUs = fractionDigits(frac, 6);
    if (zone === undefined) return nyLocalToUtcUs(day, localMs) + fracUs;
    let offsetMin = 0;
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
    }
    return (midnightMs + localMs - offsetMin * 60_000) * 1000 + fracUs;
  }

  /**
   * The common ISO shapes straight from bytes — YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|±HH:MM] — with
   * the same result as `parse`; NaN (and no error set) for anything else, which the caller then
   * gives to `parse`. The date's midnight is cached across rows of one day.
   */
  parseIsoBytes(buf: Uint8Array, s: number, e: number): number {
    const n = e - s;
    if (n < 19 || (this.form !== undefined && this.form !== 'iso')) return Number.NaN;
    const sep = buf[s + 10];
    if (buf[s + 4] !== 45 || buf[s + 7] !== 45 || (sep !== 84 && sep !== 32) || buf[s + 13] !== 58 || buf[s + 16] !== 58) return Number.NaN;
    for (let k = 0; k < DIGIT_AT.length; k++) if (!isDigit(buf[s + DIGIT_AT[k]])) return Number.NaN;
    if (!this.sameDay(buf, s)) return Number.NaN;
    const h = dig(buf, s + 11) * 10 + dig(buf, s + 12), mi = dig(buf, s + 14) * 10 + dig(buf, s + 15), sec = dig(buf, s + 17) * 10 + dig(buf, s + 18);
    if (h > 23 || mi > 59 || sec > 59) return Number.NaN;
    let i = 19;
    let fracUs = 0;
    if (i < n && buf[s + i] === 46) {
      let digits = 0;
      for (i++; i < n && isDigit(buf[s + i]); i++, digits++) if (digits < 6) fracUs = fracUs * 10 + dig(buf, s + i);
      if (digits === 0 || digits > 9) return Number.NaN;
      for (let k = Math.min(digits, 6); k < 6; k++) fracUs *= 10;
    }
    const localMs = ((h * 60 + mi) * 60 + sec) * 1000;
    let us: number;
    if (i === n) us = nyLocalToUtcUs(this.dayText, localMs) + fracUs;
    else if (i === n - 1 && buf[s + i] === 90) us = (this.dayMidnightMs + localMs) * 1000 + fracUs;
    else if (i === n - 6 && (buf[s + i] === 43 || buf[s + i] === 45) && buf[s + i + 3] === 58) {
      if (!isDigit(buf[s + i + 1]) || !isDigit(buf[s + i + 2]) || !isDigit(buf[s + i + 4]) || !isDigit(buf[s + i + 5])) return Number.NaN;
      const hh = dig(buf, s + i + 1) * 10 + dig(buf, s + i + 2), mm = dig(buf, s + i + 4) * 10 + dig(buf, s + i + 5);
      const offsetMin = (buf[s + i] === 45 ? -1 : 1) * (hh * 60 + mm);
      us = (this.dayMidnightMs + localMs - offsetMin * 60_000) * 1000 + fracUs;
    } else return Number.NaN;
    if (!Number.isSafeInteger(us)) return Number.NaN;
    this.form = 'iso';
    return us;
  }

  private dayBytes = new Uint8Array(10);
  private dayText = '';
  private dayMidnightMs = Number.NaN;

  /** Is the row's date (its first 10 bytes) a real date? Caches its text and UTC midnight. */
  private sameDay(buf: Uint8Array, s: number): boolean {
    let same = this.dayText !== '';
    for (let k = 0; k < 10 && same; k++) same = buf[s + k] === this.dayBytes[k];
    if (!same) {
      this.dayBytes.set(buf.subarray(s, s + 10));
      this.dayText = String.fromCharCode(...this.dayBytes);
      this.dayMidnightMs = dayToUtcMidnightMs(this.dayText);
    }
    return !Number.isNaN(this.dayMidnightMs);
  }

  private fail(message: string): number {
    this.error = message;
    return Number.NaN;
  }
}
