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

  private fail(message: string): number {
    this.error = message;
    return Number.NaN;
  }
}
