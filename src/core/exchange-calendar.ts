/**
 * The NYSE exchange calendar: which days trade, and which close early at 13:00 New York. The one
 * owner of holidays and early closes — serve's /v2/calendar and /v2/clock, the simulator's
 * sessions and the risk checks' session end all reach it through `regularSession` (calendar.ts)
 * and `isTradingDay` / `nextTradingDay`.
 *
 * Computed by rule (NYSE Rule 7.2) for any year, plus a table of special closures:
 *   New Year's Day (Jan 1), Martin Luther King Jr. Day (3rd Monday of January), Washington's
 *   Birthday (3rd Monday of February), Good Friday (Easter Sunday − 2 days), Memorial Day (last
 *   Monday of May), Juneteenth (Jun 19, from 2022), Independence Day (Jul 4), Labor Day (1st
 *   Monday of September), Thanksgiving (4th Thursday of November), Christmas (Dec 25).
 *   Observed: a holiday on a Saturday is kept the Friday before, on a Sunday the Monday after —
 *   except New Year's Day on a Saturday, which is not observed (Dec 31 trades: the Friday belongs
 *   to the previous year's books).
 *   Early close 13:00: Jul 3 when it is Monday–Thursday (Jul 4 a weekday after it), the day after
 *   Thanksgiving, Dec 24 when it is Monday–Thursday (on a Friday it is Christmas observed).
 * Dates are YYYY-MM-DD strings; arithmetic is on UTC dates (no time zone is involved in a date).
 */

const MS_PER_DAY = 86_400_000;

/** 13:00 New York, as ms since local midnight: the close of an early-close day. */
export const EARLY_CLOSE_MS = 13 * 60 * 60_000;
/** 16:00 New York: the regular close. */
const NORMAL_CLOSE_MS = 16 * 60 * 60_000;

/** Closures by proclamation or emergency (not computable): date → reason. */
const SPECIAL_CLOSURES: Readonly<Record<string, string>> = {
  '2012-10-29': 'Hurricane Sandy',
  '2012-10-30': 'Hurricane Sandy',
  '2018-12-05': 'National Day of Mourning (George H. W. Bush)',
  '2025-01-09': 'National Day of Mourning (Jimmy Carter)',
};

function ymd(y: number, month1: number, d: number): string {
  return new Date(Date.UTC(y, month1 - 1, d)).toISOString().slice(0, 10);
}

function dayOfWeek(y: number, month1: number, d: number): number {
  return new Date(Date.UTC(y, month1 - 1, d)).getUTCDay();
}

/** The n-th (1-based) `weekday` (0 = Sunday) of a month. */
function nthWeekday(y: number, month1: number, weekday: number, n: number): string {
  const first = dayOfWeek(y, month1, 1);
  return ymd(y, month1, 1 + ((weekday - first + 7) % 7) + 7 * (n - 1));
}

/** The last `weekday` of a month. */
function lastWeekday(y: number, month1: number, weekday: number): string {
  const lastDay = new Date(Date.UTC(y, month1, 0)).getUTCDate();
  const last = dayOfWeek(y, month1, lastDay);
  return ymd(y, month1, lastDay - ((last - weekday + 7) % 7));
}

/**
 * Easter Sunday of year `y` (Gregorian), by the anonymous Gregorian algorithm (Meeus/Jones/Butcher):
 *   a = y mod 19, b = ⌊y/100⌋, c = y mod 100, d = ⌊b/4⌋, e = b mod 4, f = ⌊(b+8)/25⌋,
 *   g = ⌊(b−f+1)/3⌋, h = (19a+b−d−g+15) mod 30, i = ⌊c/4⌋, k = c mod 4,
 *   l = (32+2e+2i−h−k) mod 7, m = ⌊(a+11h+22l)/451⌋,
 *   month = ⌊(h+l−7m+114)/31⌋, day = ((h+l−7m+114) mod 31) + 1.
 */
export function easterSunday(y: number): string {
  const a = y % 19, b = Math.floor(y / 100), c = y % 100;
  const d = Math.floor(b / 4), e = b % 4, f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const n = h + l - 7 * m + 114;
  return ymd(y, Math.floor(n / 31), (n % 31) + 1);
}

/** A fixed-date holiday moved to Friday (Saturday) or Monday (Sunday). */
function observed(y: number, month1: number, d: number): string {
  const dow = dayOfWeek(y, month1, d);
  return ymd(y, month1, d + (dow === 6 ? -1 : dow === 0 ? 1 : 0));
}

/** The full-day closures of year `y` by rule: date → holiday name. */
function ruleHolidays(y: number): Map<string, string> {
  const out = new Map<string, string>();
  // New Year's Day on a Saturday is not observed on Dec 31 (Rule 7.2); on a Sunday, Monday Jan 2.
  if (dayOfWeek(y, 1, 1) !== 6) out.set(observed(y, 1, 1), "New Year's Day");
  out.set(nthWeekday(y, 1, 1, 3), 'Martin Luther King Jr. Day');
  out.set(nthWeekday(y, 2, 1, 3), "Washington's Birthday");
  out.set(addDaysUtc(easterSunday(y), -2), 'Good Friday');
  out.set(lastWeekday(y, 5, 1), 'Memorial Day');
  if (y >= 2022) out.set(observed(y, 6, 19), 'Juneteenth');
  out.set(observed(y, 7, 4), 'Independence Day');
  out.set(nthWeekday(y, 9, 1, 1), 'Labor Day');
  out.set(nthWeekday(y, 11, 4, 4), 'Thanksgiving Day');
  out.set(observed(y, 12, 25), 'Christmas Day');
  return out;
}

/** The 13:00 closes of year `y` by rule. */
function ruleEarlyCloses(y: number): Set<string> {
  const out = new Set<string>();
  const jul3 = dayOfWeek(y, 7, 3);
  if (jul3 >= 1 && jul3 <= 4) out.add(ymd(y, 7, 3));
  out.add(addDaysUtc(nthWeekday(y, 11, 4, 4), 1));
  const dec24 = dayOfWeek(y, 12, 24);
  if (dec24 >= 1 && dec24 <= 4) out.add(ymd(y, 12, 24));
  return out;
}

function addDaysUtc(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * MS_PER_DAY).toISOString().slice(0, 10);
}

interface YearCalendar {
  holidays: Map<string, string>;
  earlyCloses: Set<string>;
}

const years = new Map<number, YearCalendar>();

function yearCalendar(y: number): YearCalendar {
  let cal = years.get(y);
  if (cal === undefined) {
    cal = { holidays: ruleHolidays(y), earlyCloses: ruleEarlyCloses(y) };
    for (const [day, reason] of Object.entries(SPECIAL_CLOSURES)) if (day.startsWith(`${y}-`)) cal.holidays.set(day, reason);
    years.set(y, cal);
  }
  return cal;
}

/** The name of the exchange holiday or special closure on `day`, or null (weekends are not named). */
export function exchangeHoliday(day: string): string | null {
  return yearCalendar(Number(day.slice(0, 4))).holidays.get(day) ?? null;
}

/** True when NYSE trades on `day`: a weekday that is neither a holiday nor a special closure. */
export function isTradingDay(day: string): boolean {
  const dow = new Date(Date.parse(`${day}T00:00:00Z`)).getUTCDay();
  return dow >= 1 && dow <= 5 && exchangeHoliday(day) === null;
}

/** The regular session's close on `day` as ms since New York midnight: 13:00 on early-close days, else 16:00. */
export function regularCloseMs(day: string): number {
  return yearCalendar(Number(day.slice(0, 4))).earlyCloses.has(day) ? EARLY_CLOSE_MS : NORMAL_CLOSE_MS;
}

/** The first trading day strictly after `day`. */
export function nextTradingDay(day: string): string {
  let d = addDaysUtc(day, 1);
  while (!isTradingDay(d)) d = addDaysUtc(d, 1);
  return d;
}

/** The first `count` trading days from `day` on, `day` included when it trades. */
export function tradingDaysFrom(day: string, count: number): string[] {
  const out: string[] = [];
  for (let d = isTradingDay(day) ? day : nextTradingDay(day); out.length < count; d = nextTradingDay(d)) out.push(d);
  return out;
}
