/**
 * The cached New York calendar gives what Intl gives, minute by minute across both 2013 and 2024
 * daylight-saving changes and at seeded random instants over 30 years; and once a day was seen,
 * nyDay / nyOffsetMs / regularSession / nyLocalToUtcUs make no Intl call.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it, vi } from 'vitest';
import { nyDay, nyLocalToUtcUs, nyOffsetMs, regularSession } from '../../src/core/calendar.ts';

const reference = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Intl's own answer: New York wall clock − UTC at the whole second of `utcMs`. */
function intlOffset(utcMs: number): number {
  const whole = Math.floor(utcMs / 1000) * 1000;
  const p = Object.fromEntries(reference.formatToParts(new Date(whole)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - whole;
}

function intlDay(utcMs: number): string {
  return new Date(Math.floor(utcMs / 1000) * 1000 + intlOffset(utcMs)).toISOString().slice(0, 10);
}

describe('cached calendar = Intl', () => {
  it('every minute of the four days around each 2013 and 2024 change (offset and day)', () => {
    for (const start of ['2013-03-09T00:00:00Z', '2013-11-02T00:00:00Z', '2024-03-09T00:00:00Z', '2024-11-02T00:00:00Z']) {
      const t0 = Date.parse(start);
      for (let m = 0; m < 4 * 24 * 60; m++) {
        const utcMs = t0 + m * 60_000 + 999.5; // a fractional ms late in the second, too
        expect(nyOffsetMs(utcMs)).toBe(intlOffset(utcMs));
        expect(nyDay(utcMs * 1000)).toBe(intlDay(utcMs));
      }
    }
  });

  it('the exact switch instants: 2024-03-10 07:00:00Z and 2024-11-03 06:00:00Z', () => {
    const spring = Date.parse('2024-03-10T07:00:00Z');
    const autumn = Date.parse('2024-11-03T06:00:00Z');
    expect([nyOffsetMs(spring - 1), nyOffsetMs(spring)]).toEqual([-5 * 3_600_000, -4 * 3_600_000]);
    expect([nyOffsetMs(autumn - 1), nyOffsetMs(autumn)]).toEqual([-4 * 3_600_000, -5 * 3_600_000]);
  });

  it('2,000 seeded random instants 2000–2030', () => {
    const rng = seedrandom('calendar-cache');
    const from = Date.parse('2000-01-01T00:00:00Z');
    const span = Date.parse('2030-01-01T00:00:00Z') - from;
    for (let i = 0; i < 2000; i++) {
      const utcMs = from + Math.floor(rng() * span);
      expect(nyOffsetMs(utcMs)).toBe(intlOffset(utcMs));
      expect(nyDay(utcMs * 1000)).toBe(intlDay(utcMs));
    }
  });
});

describe('no Intl call once a day is known', () => {
  it('10,000 session and day look-ups on seen days call formatToParts 0 times', () => {
    const days = ['2013-10-07', '2013-10-08', '2024-03-08', '2024-03-11'];
    const sessions = days.map((d) => regularSession(d)); // warm: each day seen once
    for (const s of sessions) nyDay(s.openUs);
    const spy = vi.spyOn(Intl.DateTimeFormat.prototype, 'formatToParts');
    try {
      let sum = 0;
      for (let i = 0; i < 10_000; i++) {
        const d = days[i % 4];
        const s = regularSession(d);
        sum += s.closeUs - nyLocalToUtcUs(d, 9.5 * 3_600_000) + nyOffsetMs(s.openUs / 1000);
        if (nyDay(s.openUs + i * 1_000_000) !== d) throw new Error('day');
      }
      expect(sum).not.toBeNaN();
      expect(spy).toHaveBeenCalledTimes(0);
      nyOffsetMs(Date.parse('1987-06-01T12:00:00Z')); // a day never seen: the spy does see Intl calls
      expect(spy.mock.calls.length).toBeGreaterThan(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('regularSession returns the same frozen bounds for a day', () => {
    expect(regularSession('2013-10-07')).toBe(regularSession('2013-10-07'));
    expect(Object.isFrozen(regularSession('2013-10-07'))).toBe(true);
  });
});
