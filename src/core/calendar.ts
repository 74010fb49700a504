/**
 * New York market calendar arithmetic: New York local time ↔ epoch µs (UTC), correct across
 * daylight-saving changes. Uses Intl's IANA zone data (no tz library), asked once per UTC day:
 * offsets, day names, day bounds and sessions are cached, so the hot paths (every parent order,
 * every executor, every ingested row) make no Intl call and no new string.
 *
 *   utcMs = localWallClockMs − offsetMs(instant),  offsetMs = local wall clock − UTC (−4 h EDT, −5 h EST)
 *
 * Wall-clock times that do not exist (02:00–02:59 on the spring-forward Sunday) map as if the
 * pre-change offset still applied (02:30 → 03:30 EDT); repeated ones (01:00–01:59 on the
 * fall-back Sunday) map to the first occurrence (EDT). Neither can occur inside a US session.
 * Holidays and early closes live in exchange-calendar.ts: `regularSession` closes at 13:00 on an
 * early-close day; `isWeekday` is only the weekday test (`isTradingDay` knows the holidays).
 */
import { regularCloseMs } from './exchange-calendar.ts';

const ZONE = 'America/New_York';
const MS_PER_DAY = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

let formatter: Intl.DateTimeFormat | undefined;

function zoneFormatter(): Intl.DateTimeFormat {
  formatter ??= new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return formatter;
}

/** The zone's offset at a whole-second instant, from Intl (~9 µs a call: only `offsetSpan` calls it). */
function intlOffsetMs(wholeSecondMs: number): number {
  const parts = zoneFormatter().formatToParts(new Date(wholeSecondMs));
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi, s) - wholeSecondMs;
}

/**
 * The offsets of one UTC day (cached): `beforeMs` until the instant `switchMs`, `afterMs` from it on
 * (switchMs = +Infinity on the 363 days a year without a change). New York changes its offset at
 * most once in any UTC day (twice a year, months apart), so the day's first and last second decide
 * whether it changes at all, and a binary search over whole seconds finds when (17 Intl calls, on
 * the two change days of a year only).
 */
interface OffsetSpan {
  beforeMs: number;
  afterMs: number;
  switchMs: number;
}

const offsetSpans = new Map<number, OffsetSpan>();
let lastSpanDay = Number.NaN;
let lastSpan: OffsetSpan = { beforeMs: 0, afterMs: 0, switchMs: Infinity };

function offsetSpan(utcDay: number): OffsetSpan {
  if (utcDay === lastSpanDay) return lastSpan;
  let span = offsetSpans.get(utcDay);
  if (span === undefined) {
    const startMs = utcDay * MS_PER_DAY;
    const lastSecondMs = startMs + MS_PER_DAY - 1000;
    const beforeMs = intlOffsetMs(startMs);
    const afterMs = intlOffsetMs(lastSecondMs);
    let switchMs = Infinity;
    if (beforeMs !== afterMs) {
      // First whole second with the new offset: invariant offset(lo) = before, offset(hi) = after.
      let lo = startMs / 1000;
      let hi = lastSecondMs / 1000;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (intlOffsetMs(mid * 1000) === beforeMs) lo = mid;
        else hi = mid;
      }
      switchMs = hi * 1000;
    }
    span = { beforeMs, afterMs, switchMs };
    offsetSpans.set(utcDay, span);
  }
  lastSpanDay = utcDay;
  lastSpan = span;
  return span;
}

/**
 * New York wall clock minus UTC at instant `utcMs`, in ms (−14 400 000 in EDT, −18 000 000 in EST).
 * Cached per UTC day (`offsetSpan`): no Intl call once the day was seen.
 */
export function nyOffsetMs(utcMs: number): number {
  const span = offsetSpan(Math.floor(utcMs / MS_PER_DAY));
  return Math.floor(utcMs / 1000) * 1000 < span.switchMs ? span.beforeMs : span.afterMs;
}

/** Parse YYYY-MM-DD into UTC midnight ms, or NaN when it is not a real calendar date. */
export function dayToUtcMidnightMs(day: string): number {
  const m = DAY_RE.exec(day);
  if (!m) return Number.NaN;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return Number.NaN;
  return ms;
}

/** True for a well-formed, real YYYY-MM-DD date. */
export function isValidDay(day: string): boolean {
  return !Number.isNaN(dayToUtcMidnightMs(day));
}

function requireDay(day: string): number {
  const ms = dayToUtcMidnightMs(day);
  if (Number.isNaN(ms)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(day)}`);
  return ms;
}

/** One New York day: its UTC midnight, and its offset when it holds all day (null on DST-change days). */
interface LocalDay {
  midnightMs: number;
  offsetMs: number | null;
}

const localDays = new Map<string, LocalDay>();

function localDay(day: string): LocalDay {
  let info = localDays.get(day);
  if (info === undefined) {
    const midnightMs = requireDay(day);
    const early = localOffset(midnightMs, 0);
    const late = localOffset(midnightMs, MS_PER_DAY - 1000);
    info = { midnightMs, offsetMs: early === late ? early : null };
    localDays.set(day, info);
  }
  return info;
}

/** The offset in force at local time `localMs` after `midnightMs` (two-pass fixed point). */
function localOffset(midnightMs: number, localMs: number): number {
  const wallMs = midnightMs + localMs;
  const first = nyOffsetMs(wallMs);
  const second = nyOffsetMs(wallMs - first);
  // first ≠ second only within hours of a change; `first` is the pre-change offset for a gap.
  return nyOffsetMs(wallMs - second) === second ? second : first;
}

/**
 * New York local time on `day` (YYYY-MM-DD), given as ms since local midnight (fractional ms
 * allowed), to epoch µs: µs = (utcMidnightMs + localMs − offsetMs) · 1000, rounded to whole µs.
 */
export function nyLocalToUtcUs(day: string, msSinceMidnight: number): number {
  const info = localDay(day);
  const offsetMs = info.offsetMs ?? localOffset(info.midnightMs, Math.floor(msSinceMidnight));
  return (info.midnightMs - offsetMs) * 1000 + Math.round(msSinceMidnight * 1000);
}

/** YYYY-MM-DD of each local day number (days since 1970-01-01), made once. */
const dayNames = new Map<number, string>();

/** New York date (YYYY-MM-DD) of the instant `tsUs` (epoch µs). Cached: no Intl call, no new string. */
export function nyDay(tsUs: number): string {
  const utcMs = Math.floor(tsUs / 1000);
  const localDayNumber = Math.floor((utcMs + nyOffsetMs(utcMs)) / MS_PER_DAY);
  let name = dayNames.get(localDayNumber);
  if (name === undefined) {
    name = new Date(localDayNumber * MS_PER_DAY).toISOString().slice(0, 10);
    dayNames.set(localDayNumber, name);
  }
  return name;
}

/** ms since New York local midnight of the instant `tsUs` (fractional for sub-ms times). */
export function nyMsSinceMidnight(tsUs: number): number {
  const day = nyDay(tsUs);
  return tsUs / 1000 - (nyLocalToUtcUs(day, 0) / 1000);
}

export const REGULAR_OPEN_MS = (9 * 60 + 30) * 60_000;
export const REGULAR_CLOSE_MS = 16 * 60 * 60_000;
export const EXTENDED_OPEN_MS = 4 * 60 * 60_000;
export const EXTENDED_CLOSE_MS = 20 * 60 * 60_000;

export interface SessionBounds {
  readonly openUs: number;
  readonly closeUs: number;
}

const regularSessions = new Map<string, SessionBounds>();

/**
 * The regular session 09:30–16:00 New York on `day` (09:30–13:00 on an NYSE early-close day,
 * exchange-calendar.ts), as epoch µs [openUs, closeUs). Cached per day (frozen). A holiday still
 * gets its would-be bounds: whether the day trades is `isTradingDay`'s question.
 */
export function regularSession(day: string): SessionBounds {
  let bounds = regularSessions.get(day);
  if (bounds === undefined) {
    bounds = Object.freeze({ openUs: nyLocalToUtcUs(day, REGULAR_OPEN_MS), closeUs: nyLocalToUtcUs(day, regularCloseMs(day)) });
    regularSessions.set(day, bounds);
  }
  return bounds;
}

/** The extended session 04:00–20:00 New York on `day`, as epoch µs [openUs, closeUs). */
export function extendedSession(day: string): { openUs: number; closeUs: number } {
  return { openUs: nyLocalToUtcUs(day, EXTENDED_OPEN_MS), closeUs: nyLocalToUtcUs(day, EXTENDED_CLOSE_MS) };
}

/** Monday–Friday (holidays are not considered). */
export function isWeekday(day: string): boolean {
  const dow = new Date(requireDay(day)).getUTCDay();
  return dow >= 1 && dow <= 5;
}

/** The date `n` days after `day` (YYYY-MM-DD; n may be negative). */
export function addDays(day: string, n: number): string {
  return new Date(requireDay(day) + n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The first weekday strictly after `day` (holidays are not considered): the one "next weekday". */
export function nextWeekday(day: string): string {
  let d = addDays(day, 1);
  while (!isWeekday(d)) d = addDays(d, 1);
  return d;
}

/** The first `count` weekdays from `day` on, `day` included when it is one. */
export function weekdaysFrom(day: string, count: number): string[] {
  const out: string[] = [];
  for (let d = isWeekday(day) ? day : nextWeekday(day); out.length < count; d = nextWeekday(d)) out.push(d);
  return out;
}

/** The whole New York calendar day as epoch µs [startUs, endUs): 23 h or 25 h on DST change days. */
export function nyDayRange(day: string): { startUs: number; endUs: number } {
  return { startUs: nyLocalToUtcUs(day, 0), endUs: nyLocalToUtcUs(addDays(day, 1), 0) };
}
