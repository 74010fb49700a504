import { describe, expect, it } from 'vitest';
import { epochUnitOf, TimestampParser } from '../../../src/data/ingest/timestamps.ts';

const OPEN_US = Date.parse('2013-10-07T13:30:00Z') * 1000; // 09:30 New York (EDT)

describe('TimestampParser', () => {
  it('reads epoch s, ms, µs and ns by magnitude, to the same instant', () => {
    const cases = ['1381152600.123456', '1381152600123.456', '1381152600123456', '1381152600123456789'];
    for (const text of cases) expect(new TimestampParser().parse(text)).toBe(OPEN_US + 123_456);
    expect(epochUnitOf(1381152600)).toBe('s');
    expect(epochUnitOf(1381152600123)).toBe('ms');
    expect(epochUnitOf(1381152600123456)).toBe('us');
    expect(epochUnitOf(1381152600123456789)).toBe('ns');
  });

  it('reads ISO 8601 with Z, with an offset, and without a zone as New York local time', () => {
    expect(new TimestampParser().parse('2013-10-07T13:30:00.123456789Z')).toBe(OPEN_US + 123_456);
    expect(new TimestampParser().parse('2013-10-07T09:30:00-04:00')).toBe(OPEN_US);
    expect(new TimestampParser().parse('2013-10-07 15:30:00+0200')).toBe(OPEN_US);
    expect(new TimestampParser().parse('2013-10-07 09:30:00.5')).toBe(OPEN_US + 500_000);
    // winter: 09:30 New York is 14:30Z
    expect(new TimestampParser().parse('2013-12-02 09:30:00')).toBe(Date.parse('2013-12-02T14:30:00Z') * 1000);
  });

  it('refuses garbage, pre-1973 numbers, impossible dates and a change of unit', () => {
    const p = new TimestampParser();
    expect(p.parse('yesterday')).toBeNaN();
    expect(p.error).toMatch(/expected ISO 8601 or epoch/);
    expect(p.parse('34200000')).toBeNaN(); // ms since midnight, not an epoch time
    expect(p.error).toMatch(/too small/);
    expect(p.parse('2013-02-30T10:00:00Z')).toBeNaN();
    const q = new TimestampParser();
    expect(q.parse('1381152600000')).toBe(OPEN_US);
    expect(q.parse('1381152601')).toBeNaN();
    expect(q.error).toMatch(/reads as s but earlier rows were ms/);
  });
});

describe('ISO timestamps from bytes', () => {
  it('parseIsoBytes gives parse()’s value for every string it takes, and NaN (no error, no form) for the rest', async () => {
    const fc = (await import('fast-check')).default;
    const two = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((v) => String(v).padStart(2, '0'));
    const iso = fc.tuple(
      fc.constantFrom('2013-10-07', '2013-03-10', '2013-11-03', '2024-02-29', '2023-02-29', '2013-13-01'),
      fc.constantFrom('T', ' ', 't'),
      two(0, 25), two(0, 61), two(0, 61),
      fc.option(fc.stringMatching(/^[.,]\d{0,10}$/), { nil: '' }),
      fc.constantFrom('', 'Z', 'z', '+00:00', '-04:00', '+0530', '-05', ' Z', '+1x:00'),
    ).map(([d, t, h, m, s, f, z]) => `${d}${t}${h}:${m}:${s}${f}${z}`);
    fc.assert(
      fc.property(iso, (text) => {
        const fast = new TimestampParser();
        const bytes = Buffer.from(text, 'latin1');
        const v = fast.parseIsoBytes(bytes, 0, bytes.length);
        const slow = new TimestampParser().parse(text);
        if (Number.isNaN(v)) expect(fast.form).toBeUndefined();
        else expect(v).toBe(slow);
      }),
      { numRuns: 3000 },
    );
    const p = new TimestampParser();
    const b = Buffer.from('2013-10-07 09:30:00.1234567');
    expect(p.parseIsoBytes(b, 0, b.length)).toBe(Date.UTC(2013, 9, 7, 13, 30) * 1000 + 123_456);
  });
});
