/**
 * serve's market calendar and clock follow the NYSE exchange calendar (core/exchange-calendar.ts),
 * through the SDK: holidays and special closures are absent from /v2/calendar, early-close days
 * close at 13:00, settlement is the next trading day; /v2/clock on the day after Thanksgiving
 * closes at 13:00 and reopens on Monday.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeQuoteColumns, makeTradeColumns } from '../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../src/data/tape/write.ts';
import { checkBodies, startTestServe, type TestServe } from './serve-helpers.ts';

const serves: TestServe[] = [];
afterEach(async () => {
  for (const t of serves.splice(0)) await t.close();
});

async function serve(options: { startUs?: number; dir?: string } = {}): Promise<TestServe> {
  const t = await startTestServe({}, options);
  serves.push(t);
  return t;
}

/** A one-symbol tape on 2013-11-29 (the day after Thanksgiving), quotes from 11:00 to 13:30 EST. */
function earlyCloseTape(): string {
  const dir = mkdtempSync(join(tmpdir(), 'serve-cal-'));
  const at = (h: number, m: number) => Date.UTC(2013, 10, 29, h, m) * 1000;
  writeSymbolDay(dir, {
    symbol: 'XYZ',
    day: '2013-11-29',
    quotes: makeQuoteColumns([[at(16, 0), 10.0, 10.02, 100, 100], [at(18, 30), 10.01, 10.03, 100, 100]]),
    trades: makeTradeColumns([[at(16, 1), 10.01, 100, 'N']]),
  });
  return dir;
}

const row = (date: string, close: string, settlement: string) => ({ date: new Date(`${date}T00:00:00Z`), open: '09:30', close, sessionOpen: '0400', sessionClose: '2000', settlementDate: new Date(`${settlement}T00:00:00Z`) });
const days = (list: { date: Date; close: string; settlementDate: Date }[]) =>
  list.map((d) => ({ date: d.date.toISOString().slice(0, 10), close: d.close, settlement: d.settlementDate.toISOString().slice(0, 10) }));

describe('serve: NYSE calendar through the SDK', () => {
  it('/v2/calendar: Good Friday, Thanksgiving and special closures absent; 13:00 closes; next-trading-day settlement', async () => {
    const t = await serve();
    const cal = t.alpaca.trading.calendar;
    const easter = await cal.legacyCalendar({ start: new Date('2024-03-27T00:00:00Z'), end: new Date('2024-04-02T00:00:00Z') });
    expect(easter[0]).toMatchObject(row('2024-03-27', '16:00', '2024-03-28'));
    expect(days(easter)).toEqual([
      { date: '2024-03-27', close: '16:00', settlement: '2024-03-28' },
      { date: '2024-03-28', close: '16:00', settlement: '2024-04-01' },
      { date: '2024-04-01', close: '16:00', settlement: '2024-04-02' },
      { date: '2024-04-02', close: '16:00', settlement: '2024-04-03' },
    ]);
    const thanksgiving = await cal.legacyCalendar({ start: new Date('2013-11-27T00:00:00Z'), end: new Date('2013-12-02T00:00:00Z') });
    expect(days(thanksgiving)).toEqual([
      { date: '2013-11-27', close: '16:00', settlement: '2013-11-29' },
      { date: '2013-11-29', close: '13:00', settlement: '2013-12-02' },
      { date: '2013-12-02', close: '16:00', settlement: '2013-12-03' },
    ]);
    const specials = await cal.legacyCalendar({ start: new Date('2018-12-04T00:00:00Z'), end: new Date('2018-12-06T00:00:00Z') });
    expect(days(specials).map((d) => d.date)).toEqual(['2018-12-04', '2018-12-06']);
    const newYear = await cal.legacyCalendar({ start: new Date('2021-12-30T00:00:00Z'), end: new Date('2022-01-04T00:00:00Z') });
    expect(days(newYear)).toEqual([
      { date: '2021-12-30', close: '16:00', settlement: '2021-12-31' },
      { date: '2021-12-31', close: '16:00', settlement: '2022-01-03' },
      { date: '2022-01-03', close: '16:00', settlement: '2022-01-04' },
      { date: '2022-01-04', close: '16:00', settlement: '2022-01-05' },
    ]);
    checkBodies(t.captured);
  });

  it('/v2/clock on 2013-11-29: open at 12:00 EST with next close 13:00; closed at 13:30 with next open Monday 09:30', async () => {
    const dir = earlyCloseTape();
    try {
      const noon = await serve({ dir, startUs: Date.UTC(2013, 10, 29, 17, 0) * 1000 });
      expect(await noon.alpaca.trading.clock.legacyClock()).toMatchObject({
        isOpen: true,
        nextClose: new Date('2013-11-29T18:00:00Z'),
        nextOpen: new Date('2013-12-02T14:30:00Z'),
      });
      await noon.advance(60 * 60_000 + 1); // 13:00:00.001 EST
      expect(await noon.alpaca.trading.clock.legacyClock()).toMatchObject({ isOpen: false, nextOpen: new Date('2013-12-02T14:30:00Z'), nextClose: new Date('2013-12-02T21:00:00Z') });
      checkBodies(noon.captured);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
