/**
 * The NYSE calendar by rule: every full-day closure and 13:00 close of a year, checked against
 * NYSE's published lists, and the session bounds that follow from them (regularSession, the
 * simulator's SessionCalendar).
 */
import { describe, expect, it } from 'vitest';
import { addDays, nyLocalToUtcUs, regularSession } from '../../src/core/calendar.ts';
import { easterSunday, exchangeHoliday, isTradingDay, nextTradingDay, regularCloseMs, tradingDaysFrom } from '../../src/core/exchange-calendar.ts';
import { SessionCalendar } from '../../src/sim/sessions.ts';
import { defaultConfig } from '../../src/config.ts';
import { checkParent, type RiskContext } from '../../src/engine/risk.ts';
import type { ParentOrder } from '../../src/engine/types.ts';

/** Weekdays of year `y` on which NYSE is closed, and its trading days that close at 13:00. */
function scanYear(y: number): { closed: string[]; early: string[] } {
  const closed: string[] = [];
  const early: string[] = [];
  for (let d = `${y}-01-01`; d.startsWith(`${y}`); d = addDays(d, 1)) {
    const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (dow === 0 || dow === 6) continue;
    if (!isTradingDay(d)) closed.push(d);
    else if (regularCloseMs(d) === 13 * 3_600_000) early.push(d);
  }
  return { closed, early };
}

describe('NYSE exchange calendar', () => {
  it('Easter by the anonymous Gregorian algorithm', () => {
    expect(['2013', '2019', '2024', '2025', '2026'].map((y) => easterSunday(Number(y)))).toEqual(['2013-03-31', '2019-04-21', '2024-03-31', '2025-04-20', '2026-04-05']);
  });

  it.each([
    [2013, ['01-01', '01-21', '02-18', '03-29', '05-27', '07-04', '09-02', '11-28', '12-25'], ['07-03', '11-29', '12-24']],
    [2015, ['01-01', '01-19', '02-16', '04-03', '05-25', '07-03', '09-07', '11-26', '12-25'], ['11-27', '12-24']],
    [2017, ['01-02', '01-16', '02-20', '04-14', '05-29', '07-04', '09-04', '11-23', '12-25'], ['07-03', '11-24']],
    [2018, ['01-01', '01-15', '02-19', '03-30', '05-28', '07-04', '09-03', '11-22', '12-05', '12-25'], ['07-03', '11-23', '12-24']],
    [2021, ['01-01', '01-18', '02-15', '04-02', '05-31', '07-05', '09-06', '11-25', '12-24'], ['11-26']],
    [2022, ['01-17', '02-21', '04-15', '05-30', '06-20', '07-04', '09-05', '11-24', '12-26'], ['11-25']],
    [2024, ['01-01', '01-15', '02-19', '03-29', '05-27', '06-19', '07-04', '09-02', '11-28', '12-25'], ['07-03', '11-29', '12-24']],
    [2025, ['01-01', '01-09', '01-20', '02-17', '04-18', '05-26', '06-19', '07-04', '09-01', '11-27', '12-25'], ['07-03', '11-28', '12-24']],
    [2026, ['01-01', '01-19', '02-16', '04-03', '05-25', '06-19', '07-03', '09-07', '11-26', '12-25'], ['11-27', '12-24']],
  ])('%i: weekday closures and 13:00 closes as NYSE publishes them', (y, closed, early) => {
    expect(scanYear(y)).toEqual({ closed: closed.map((d) => `${y}-${d}`), early: early.map((d) => `${y}-${d}`) });
  });

  it('names the closure; observed-day rules', () => {
    expect(exchangeHoliday('2024-03-29')).toBe('Good Friday');
    expect(exchangeHoliday('2022-06-20')).toBe('Juneteenth');
    expect(exchangeHoliday('2021-06-18')).toBeNull(); // before Juneteenth became an NYSE holiday
    expect(exchangeHoliday('2018-12-05')).toMatch(/Bush/);
    expect(exchangeHoliday('2025-01-09')).toMatch(/Carter/);
    // New Year 2022 on a Saturday: Friday 2021-12-31 trades, a full day.
    expect(isTradingDay('2021-12-31')).toBe(true);
    expect(regularCloseMs('2021-12-31')).toBe(16 * 3_600_000);
    // New Year 2017 on a Sunday: observed Monday 2017-01-02.
    expect(exchangeHoliday('2017-01-02')).toBe("New Year's Day");
    // Christmas 2021 on a Saturday: Friday 2021-12-24 closed (not an early close).
    expect(exchangeHoliday('2021-12-24')).toBe('Christmas Day');
    expect(isTradingDay('2024-03-30')).toBe(false); // a Saturday
  });

  it('next trading day skips weekends and holidays', () => {
    expect(nextTradingDay('2024-03-28')).toBe('2024-04-01');
    expect(nextTradingDay('2013-12-31')).toBe('2014-01-02');
    expect(nextTradingDay('2018-12-04')).toBe('2018-12-06');
    expect(tradingDaysFrom('2024-12-24', 3)).toEqual(['2024-12-24', '2024-12-26', '2024-12-27']);
  });

  it('regularSession closes at 13:00 New York on an early-close day, 16:00 otherwise', () => {
    expect(regularSession('2013-11-29')).toEqual({ openUs: Date.UTC(2013, 10, 29, 14, 30) * 1000, closeUs: Date.UTC(2013, 10, 29, 18, 0) * 1000 });
    expect(regularSession('2024-07-03').closeUs).toBe(Date.UTC(2024, 6, 3, 17, 0) * 1000); // EDT
    expect(regularSession('2013-10-07').closeUs).toBe(nyLocalToUtcUs('2013-10-07', 16 * 3_600_000));
  });

  it('the simulator without a day list: Good Friday skipped, the day after Thanksgiving ends at 13:00', () => {
    const cal = new SessionCalendar([]);
    const thu = Date.UTC(2024, 2, 28, 21, 0) * 1000; // 2024-03-28 17:00 EDT, after the close
    expect(cal.at(thu)).toEqual({ isOpen: false, openUs: Date.UTC(2024, 3, 1, 13, 30) * 1000, closeUs: Date.UTC(2024, 3, 1, 20, 0) * 1000 });
    const fridayNoon = Date.UTC(2013, 10, 29, 17, 0) * 1000;
    expect(cal.at(fridayNoon)).toEqual({ isOpen: true, openUs: Date.UTC(2013, 10, 29, 14, 30) * 1000, closeUs: Date.UTC(2013, 10, 29, 18, 0) * 1000 });
    const fridayAfterEarlyClose = Date.UTC(2013, 10, 29, 18, 30) * 1000; // 13:30 EST: closed, next is Monday
    expect(cal.at(fridayAfterEarlyClose)).toMatchObject({ isOpen: false, openUs: Date.UTC(2013, 11, 2, 14, 30) * 1000 });
  });
});

describe('risk session end on an early-close day (SessionCalendar → checkParent)', () => {
  const risk = defaultConfig().risk; // session_end_buffer_s 60
  const cal = new SessionCalendar(['2013-11-29']);
  for (const side of ['buy', 'sell'] as const) {
    it(`${side}: a 60 s ladder at 12:58 EST is accepted, at 12:58:00.000001 it cannot finish before 13:00 − 60 s`, () => {
      const lastStartUs = Date.UTC(2013, 10, 29, 17, 58) * 1000; // 12:58 EST = 13:00 − 60 s buffer − 60 s ladder
      const ctx = (nowUs: number): RiskContext => ({
        nowUs,
        quote: { tsUs: nowUs, bid: 15.23, ask: 15.32, bidSize: 100, askSize: 100 },
        session: cal.at(nowUs),
        positionQty: 0,
        workingQty: 0,
        sameSideWorking: false,
        clientOrderIdSeen: false,
        worstCaseLadderS: 60,
      });
      const order: ParentOrder = { clientOrderId: 'A', symbol: 'IBM', side, qty: 100, arrivalTsUs: lastStartUs };
      expect(checkParent(order, ctx(lastStartUs), risk)).toEqual({ kind: 'accept' });
      expect(checkParent(order, ctx(lastStartUs + 1), risk)).toMatchObject({ kind: 'reject', reason: 'session_end' });
    });
  }
});
