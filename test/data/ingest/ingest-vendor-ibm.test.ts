/**
 * The real IBM day, checked against the vendor's own minute bars (built by the vendor from the
 * same ticks with suspicious ticks filtered): an independent check of the NBBO rebuild, the
 * New York → UTC conversion and the trade handling. Needs ../shared/data; skips without it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nyLocalToUtcUs, regularSession } from '../../../src/core/calendar.ts';
import { unitsToDollars } from '../../../src/engine/ticks.ts';
import { csvRecords } from '../../../src/data/ingest/input.ts';
import { readVendorSymbolDay } from '../../../src/data/ingest/vendor.ts';
import { firstIndexAtOrAfter, lastQuoteAtOrBefore, loadSymbolDay, type SymbolDay } from '../../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../../src/data/tape/write.ts';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/equity-ticks');
const DAY = '2013-10-07';
const hasData = existsSync(join(DATA, 'ibm_20131007_quote.zip'));
if (!hasData) console.warn(`SKIP ingest-vendor-ibm: ${DATA} not found (licensed tick data lives outside the repo)`);

async function minuteRows(file: string): Promise<number[][]> {
  const rows: number[][] = [];
  for await (const { fields } of csvRecords(join(DATA, file))) rows.push(fields.map(Number));
  return rows;
}

describe.skipIf(!hasData)('vendor ingest of IBM 2013-10-07 vs the vendor minute bars', () => {
  let dir: string;
  let tape: SymbolDay;
  let stats: Awaited<ReturnType<typeof readVendorSymbolDay>>;
  const { openUs, closeUs } = regularSession(DAY);

  beforeAll(async () => {
    stats = await readVendorSymbolDay({ quotesFile: join(DATA, 'ibm_20131007_quote.zip'), tradesFile: join(DATA, 'ibm_20131007_trade.zip') });
    dir = mkdtempSync(join(tmpdir(), 'ibm-tape-'));
    writeSymbolDay(dir, stats.symbolDay);
    tape = loadSymbolDay(dir, 'IBM', DAY);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rebuilds the README figures: 45,075 regular-session quotes, 160 locked, 20 crossed', () => {
    expect([stats.symbolDay.symbol, stats.symbolDay.day]).toEqual(['IBM', DAY]);
    expect(stats.quoteStats.suspicious).toBe(1);
    const q = tape.quotes;
    let n = 0, locked = 0, crossed = 0;
    for (let i = firstIndexAtOrAfter(q.ts, openUs); i < q.length && q.ts[i] < closeUs; i++) {
      n++;
      if (q.bid[i] === q.ask[i]) locked++;
      else if (q.bid[i] > q.ask[i]) crossed++;
    }
    expect({ n, locked, crossed }).toEqual({ n: 45_075, locked: 160, crossed: 20 });
    // 04:00:00.054 New York on a EDT day is 08:00:00.054Z; the first two-sided quote comes at 04:00:00.241.
    expect(q.ts[0]).toBe(Date.parse('2013-10-07T08:00:00.241Z') * 1000);
    expect([q.bid[0], q.ask[0], q.bidSize[0], q.askSize[0]]).toEqual([180.01, 181.8, 300, 3000]);
  });

  it('bid and ask at each regular-session minute close equal the vendor minute quote bars', async () => {
    const bars = new Map<number, number[]>();
    for (const r of await minuteRows('ibm_20131007_minute_quote.zip')) bars.set(r[0], r);
    let minutes = 0, bidEqual = 0, askEqual = 0;
    for (let m = 9.5 * 60; m < 16 * 60; m++) {
      const bar = bars.get(m * 60_000);
      if (!bar) continue;
      minutes++;
      const i = lastQuoteAtOrBefore(tape.quotes, nyLocalToUtcUs(DAY, (m + 1) * 60_000) - 1);
      if (tape.quotes.bid[i] === unitsToDollars(bar[4])) bidEqual++;
      if (tape.quotes.ask[i] === unitsToDollars(bar[9])) askEqual++;
    }
    console.log(`IBM ${DAY} minute quote closes: bid ${bidEqual}/${minutes}, ask ${askEqual}/${minutes} regular-session minutes equal`);
    expect(minutes).toBe(390);
    expect(bidEqual / minutes).toBeGreaterThanOrEqual(0.99);
    expect(askEqual / minutes).toBeGreaterThanOrEqual(0.99);
  });

  it('minute trade volume equals the vendor minute trade bars; close agreement printed', async () => {
    const bars = new Map<number, number[]>();
    for (const r of await minuteRows('ibm_20131007_minute_trade.zip')) bars.set(r[0], r);
    const t = tape.trades;
    let minutes = 0, volumeEqual = 0, closeEqual = 0, withTrades = 0;
    for (let m = 9.5 * 60; m < 16 * 60; m++) {
      minutes++;
      const from = firstIndexAtOrAfter(t.ts, nyLocalToUtcUs(DAY, m * 60_000));
      const to = firstIndexAtOrAfter(t.ts, nyLocalToUtcUs(DAY, (m + 1) * 60_000));
      let volume = 0;
      for (let i = from; i < to; i++) volume += t.size[i];
      const bar = bars.get(m * 60_000);
      if (volume === (bar ? bar[5] : 0)) volumeEqual++;
      if (bar && to > from) {
        withTrades++;
        if (t.price[to - 1] === unitsToDollars(bar[4])) closeEqual++;
      }
    }
    const pct = (a: number, b: number) => ((100 * a) / b).toFixed(1);
    console.log(
      `IBM ${DAY} minute trades: volume equal in ${volumeEqual}/${minutes} (${pct(volumeEqual, minutes)} %), ` +
        `close = last tick price in ${closeEqual}/${withTrades} (${pct(closeEqual, withTrades)} %; the vendor's close follows its own filtering)`,
    );
    expect(volumeEqual / minutes).toBeGreaterThanOrEqual(0.99);
    expect(closeEqual / withTrades).toBeGreaterThan(0.7);
  });

  it('marks off-exchange prints and special conditions ineligible', () => {
    const t = tape.trades;
    let off = 0, regularOff = 0, regular = 0, ineligibleOnExchange = 0;
    for (let i = 0; i < t.length; i++) {
      if (t.exchange[i] === 68) {
        off++;
        expect(t.eligible[i]).toBe(0);
      } else if (!t.eligible[i]) ineligibleOnExchange++;
      if (t.ts[i] >= openUs && t.ts[i] < closeUs) {
        regular++;
        if (t.exchange[i] === 68) regularOff++;
      }
    }
    expect(t.length).toBe(24_293);
    expect(off).toBe(7_458);
    expect(ineligibleOnExchange).toBe(8); // opening/closing prints, official open/close, out-of-sequence
    expect(regularOff / regular).toBeCloseTo(0.31, 2); // README: about 31 %
  });
});
