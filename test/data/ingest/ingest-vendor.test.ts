/** The vendor NBBO rebuild and trade eligibility on small synthetic zips (no shared data needed). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadRows } from '../../../src/data/ingest/bad-rows.ts';
import { ingest } from '../../../src/data/ingest/ingest.ts';
import { PROGRESS_MIN_BYTES, stderrProgress, type ProgressSink } from '../../../src/data/ingest/progress.ts';
import { readVendorQuotes, readVendorSymbolDay, readVendorTrades, vendorFileInfo, vendorTradeEligible } from '../../../src/data/ingest/vendor.ts';
import { loadSymbolDay } from '../../../src/data/tape/tape.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-vendor-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function zip(name: string, rows: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, zipSync({ [name.replace('.zip', '.csv')]: strToU8(rows.join('\n')) }));
  return file;
}
const us = (iso: string) => Date.parse(iso) * 1000;
const OPEN_MS = 34_200_000; // 09:30

describe('vendor quotes: NBBO rebuild', () => {
  it('applies all rows of a timestamp together, keeps the latest non-zero sides, drops suspicious rows', async () => {
    const file = zip('xyz_20131007_quote.zip', [
      `${OPEN_MS},0,0,1000500,300,P,1,0`, // ask only: no quote yet (one-sided)
      `${OPEN_MS + 1},1000000,200,0,0,N,1,0`, // bid → first quote 100.00 × 100.05
      // one timestamp: the ask moves below the old bid and the bid moves down; applied one by one
      // this would show a transient crossed 100.00 × 99.99, together it is 99.98 × 99.99
      `${OPEN_MS + 2},0,0,999900,100,Q,1,0`,
      `${OPEN_MS + 2},999800,400,0,0,Q,1,0`,
      `${OPEN_MS + 3},1000000,100,0,0,Z,1,1`, // suspicious: ignored
      `${OPEN_MS + 4.5},0,0,1000100,700,K,1,0`, // fractional ms → µs
    ]);
    const { quotes, stats } = await readVendorQuotes(file, '2013-10-07', new BadRows(false));
    expect(Array.from(quotes.ts)).toEqual([us('2013-10-07T13:30:00.001Z'), us('2013-10-07T13:30:00.002Z'), us('2013-10-07T13:30:00.004Z') + 500]);
    expect(Array.from(quotes.bid)).toEqual([100, 99.98, 99.98]);
    expect(Array.from(quotes.ask)).toEqual([100.05, 99.99, 100.01]);
    expect(Array.from(quotes.bidSize)).toEqual([200, 400, 400]);
    expect(Array.from(quotes.askSize)).toEqual([300, 100, 700]);
    expect(stats).toEqual({ rowsIn: 6, rowsOut: 3, suspicious: 1, oneSided: 1 });
  });

  it('converts with the winter offset after the DST change (file name gives the day)', async () => {
    const file = zip('xyz_20131104_quote.zip', [`${OPEN_MS},1000000,100,1000100,100,N,1,0`]);
    expect(vendorFileInfo(file)).toEqual({ symbol: 'XYZ', day: '2013-11-04' });
    const { symbolDay } = await readVendorSymbolDay({ quotesFile: file });
    expect(symbolDay.quotes.ts[0]).toBe(us('2013-11-04T14:30:00Z'));
  });
});

describe('vendor trades: eligibility', () => {
  it('off-exchange D and special conditions are kept but not eligible; suspicious dropped', async () => {
    const file = zip('xyz_20131007_trade.zip', [
      `${OPEN_MS},1000000,100,N,1,0`, // regular
      `${OPEN_MS + 1},1000100,200,D,1,0`, // off-exchange
      `${OPEN_MS + 2},1000200,300,P,20000020,0`, // ISO + trade-through exempt: eligible
      `${OPEN_MS + 3},1000300,400,N,100000,0`, // average price
      `${OPEN_MS + 4},1000400,500,N,80,0`, // closing print
      `${OPEN_MS + 5},1000500,600,N,1,1`, // suspicious
      `${OPEN_MS + 6},1000600,700,Q,80000001,0`, // odd lot: eligible
    ]);
    const { trades, stats } = await readVendorTrades(file, '2013-10-07', new BadRows(false));
    expect(Array.from(trades.price)).toEqual([100, 100.01, 100.02, 100.03, 100.04, 100.06]);
    expect(Array.from(trades.eligible)).toEqual([1, 0, 1, 0, 0, 1]);
    expect(Array.from(trades.exchange)).toEqual([78, 68, 80, 78, 78, 81]);
    expect(stats).toEqual({ rowsIn: 7, rowsOut: 6, suspicious: 1, offExchange: 1, specialCondition: 2 });
    expect(vendorTradeEligible(78, 0x2000 | 0x20)).toBe(true); // extended hours + ISO
    expect(vendorTradeEligible(78, 0x4000)).toBe(false); // out of sequence
  });
});

describe('ingest --format vendor', () => {
  it('writes the tape under OUT/<SYMBOL>/<DAY> and reports progress over the unzipped bytes', async () => {
    const rows = [`${OPEN_MS},1000000,100,0,0,N,1,0`, `${OPEN_MS},0,0,1000100,100,N,1,0`];
    const q = zip('xyz_20131007_quote.zip', rows);
    const t = zip('xyz_20131007_trade.zip', [`${OPEN_MS + 1},1000000,100,N,1,0`]);
    const seen: [string, number][] = [];
    const progress: ProgressSink = { start: (label, total) => seen.push([label, total]), advance: (n) => seen.push(['+', n]), stop: () => seen.push(['stop', 0]) };
    const out = join(dir, 'tape');
    const summary = await ingest({ format: 'vendor', quotes: [q], trades: [t], out, progress });
    expect(summary.days.map((d) => [d.day, d.quotes, d.trades, d.eligibleTrades])).toEqual([['2013-10-07', 1, 1, 1]]);
    const tape = loadSymbolDay(out, 'XYZ', '2013-10-07');
    expect([tape.quotes.bid[0], tape.quotes.ask[0], tape.trades.price[0]]).toEqual([100, 100.01, 100]);
    const quoteBytes = rows.join('\n').length;
    expect(seen.slice(0, 3)).toEqual([[q, quoteBytes], ['+', quoteBytes], ['stop', 0]]);
  });
});

describe('vendor ingest: named progress stages', () => {
  it('reports read quotes, read trades, write tape, summarize in that order, the reads with their bytes', async () => {
    const q = zip('xyz_20131007_quote.zip', [`${OPEN_MS},1000000,100,1000100,100,N,1,0`]);
    const t = zip('xyz_20131007_trade.zip', [`${OPEN_MS},1000000,100,N,1,0`]);
    const seen: string[] = [];
    const progress: ProgressSink = { stage: (name) => seen.push(name), start: (label) => seen.push(`start ${label}`), advance: () => {}, stop: () => seen.push('stop') };
    await ingest({ format: 'vendor', quotes: [q], trades: [t], out: join(dir, 'tape'), progress });
    expect(seen).toEqual(['read quotes', `start ${q}`, 'stop', 'read trades', `start ${t}`, 'stop', 'write tape', 'summarize', 'stop']);
    // no trades file: no read trades stage
    seen.length = 0;
    await ingest({ format: 'vendor', quotes: [q], out: join(dir, 'tape2'), progress });
    expect(seen).toEqual(['read quotes', `start ${q}`, 'stop', 'write tape', 'summarize', 'stop']);
  });

  it('the stderr bar names the stage and the file (a terminal only; nothing on a pipe)', () => {
    const written: string[] = [];
    const tty = Object.assign(new Writable({ write: (chunk, _enc, done) => (written.push(String(chunk)), done()) }), {
      isTTY: true,
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    }) as unknown as NodeJS.WriteStream;
    const bar = stderrProgress(tty);
    bar.stage!('read quotes');
    bar.start('/data/ticks/xyz_20131007_quote.zip', PROGRESS_MIN_BYTES);
    bar.advance(PROGRESS_MIN_BYTES / 2);
    bar.stage!('write tape');
    bar.stop();
    const text = written.join('');
    expect(text).toContain('ingest: read quotes xyz_20131007_quote.zip [');
    expect(text).toContain('ingest: write tape |');
    expect(text).not.toContain('NF');
    const pipe = [] as string[];
    const quiet = stderrProgress(Object.assign(new Writable({ write: (c, _e, d) => (pipe.push(String(c)), d()) }), { isTTY: false }) as unknown as NodeJS.WriteStream);
    quiet.stage!('write tape');
    quiet.start('q.zip', PROGRESS_MIN_BYTES);
    quiet.stop();
    expect(pipe).toEqual([]);
  });
});
