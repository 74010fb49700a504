import { describe, expect, it } from 'vitest';
import {
  isValidDay,
  isWeekday,
  nyDay,
  nyLocalToUtcUs,
  nyMsSinceMidnight,
  nyOffsetMs,
  regularSession,
  addDays,
  nyDayRange,
  nextWeekday,
  weekdaysFrom,
} from '../../src/core/calendar.ts';

const H = 3_600_000;
const us = (iso: string) => Date.parse(iso) * 1000;

describe('nyLocalToUtcUs across daylight-saving changes', () => {
  it('2013-03-08 (Fri, EST) and 2013-03-11 (Mon, EDT) open at 14:30Z and 13:30Z', () => {
    expect(nyLocalToUtcUs('2013-03-08', 9.5 * H)).toBe(us('2013-03-08T14:30:00Z'));
    expect(nyLocalToUtcUs('2013-03-11', 9.5 * H)).toBe(us('2013-03-11T13:30:00Z'));
  });

  it('2013-11-01 (Fri, EDT) and 2013-11-04 (Mon, EST) close at 20:00Z and 21:00Z', () => {
    expect(nyLocalToUtcUs('2013-11-01', 16 * H)).toBe(us('2013-11-01T20:00:00Z'));
    expect(nyLocalToUtcUs('2013-11-04', 16 * H)).toBe(us('2013-11-04T21:00:00Z'));
  });

  it('the change days themselves: before and after 02:00', () => {
    expect(nyLocalToUtcUs('2013-03-10', 1 * H)).toBe(us('2013-03-10T06:00:00Z'));
    expect(nyLocalToUtcUs('2013-03-10', 3 * H)).toBe(us('2013-03-10T07:00:00Z'));
    expect(nyLocalToUtcUs('2013-03-10', 2.5 * H)).toBe(us('2013-03-10T07:30:00Z')); // gap: pre-change offset
    expect(nyLocalToUtcUs('2013-11-03', 1.5 * H)).toBe(us('2013-11-03T05:30:00Z')); // repeated: first (EDT)
    expect(nyLocalToUtcUs('2013-11-03', 3 * H)).toBe(us('2013-11-03T08:00:00Z'));
  });

  it('keeps sub-millisecond vendor times to the µs', () => {
    expect(nyLocalToUtcUs('2013-10-07', 14_400_054.5)).toBe(us('2013-10-07T08:00:00.054Z') + 500);
  });

  it('round-trips through nyDay and nyMsSinceMidnight', () => {
    const ts = nyLocalToUtcUs('2013-10-07', 23.9 * H);
    expect(nyDay(ts)).toBe('2013-10-07');
    expect(nyMsSinceMidnight(ts)).toBe(23.9 * H);
    expect(nyDay(us('2013-10-08T03:00:00Z'))).toBe('2013-10-07'); // 23:00 EDT the day before
  });

  it('offsets are −4 h in summer and −5 h in winter', () => {
    expect(nyOffsetMs(Date.parse('2013-07-01T12:00:00Z'))).toBe(-4 * H);
    expect(nyOffsetMs(Date.parse('2013-12-01T12:00:00Z'))).toBe(-5 * H);
  });
});

describe('sessions and days', () => {
  it('regularSession is 6.5 h wide and moves with DST', () => {
    const mar8 = regularSession('2013-03-08');
    const mar11 = regularSession('2013-03-11');
    expect(mar8.closeUs - mar8.openUs).toBe(6.5 * H * 1000);
    expect(mar8.openUs).toBe(us('2013-03-08T14:30:00Z'));
    expect(mar11.closeUs).toBe(us('2013-03-11T20:00:00Z'));
  });

  it('isWeekday and isValidDay', () => {
    expect(isWeekday('2013-10-07')).toBe(true); // Monday
    expect(isWeekday('2013-10-05')).toBe(false); // Saturday
    expect(isWeekday('2013-10-06')).toBe(false); // Sunday
    expect(isValidDay('2013-02-29')).toBe(false);
    expect(isValidDay('2013-2-1')).toBe(false);
    expect(isValidDay('2012-02-29')).toBe(true);
    expect(() => regularSession('2013-13-01')).toThrow(/YYYY-MM-DD/);
  });
});

describe('day ranges', () => {
  it('a New York day is 23 h in spring, 25 h in autumn, 24 h otherwise', () => {
    const len = (d: string) => {
      const r = nyDayRange(d);
      return (r.endUs - r.startUs) / 3.6e9;
    };
    expect([len('2013-03-10'), len('2013-11-03'), len('2013-10-07')]).toEqual([23, 25, 24]);
    expect(nyDayRange('2013-10-07').startUs).toBe(us('2013-10-07T04:00:00Z'));
    expect(addDays('2013-02-28', 1)).toBe('2013-03-01');
    expect(addDays('2013-01-01', -1)).toBe('2012-12-31');
  });
});

describe('the next weekday', () => {
  it('skips Saturday and Sunday; weekdaysFrom starts on the day when it is a weekday', () => {
    expect(nextWeekday('2013-10-04')).toBe('2013-10-07'); // Friday → Monday
    expect(nextWeekday('2013-10-05')).toBe('2013-10-07'); // Saturday → Monday
    expect(nextWeekday('2013-10-07')).toBe('2013-10-08');
    expect(weekdaysFrom('2013-10-04', 3)).toEqual(['2013-10-04', '2013-10-07', '2013-10-08']);
    expect(weekdaysFrom('2013-10-06', 2)).toEqual(['2013-10-07', '2013-10-08']);
  });
});
