import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingest } from '../../../src/data/ingest/ingest.ts';
import { formatSummary } from '../../../src/data/ingest/summary.ts';
import { listTapes, loadSymbolDay } from '../../../src/data/tape/tape.ts';

let dir: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-csv-'));
  out = join(dir, 'tape');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, name.endsWith('.gz') ? gzipSync(text) : text);
  return file;
};
const us = (iso: string) => Date.parse(iso) * 1000;

describe('CSV ingest', () => {
  it('writes a symbol-day from quotes and trades with ISO and epoch times', async () => {
    const quotes = write(
      'q.csv',
      [
        'ts,bid,ask,bid_size,ask_size,venue',
        '2013-10-07 09:30:00.000100,182.50,182.53,300,200,x', // New York local, no zone
        '2013-10-07T13:30:01Z,182.51,182.53,100,200,x',
        '2013-10-07T13:30:02Z,182.53,182.53,100,200,x', // locked: kept
        '2013-10-07T13:30:03Z,182.54,182.52,100,200,x', // crossed: kept
        '2013-10-07T13:30:04Z,182.50,182.60,100,200,x',
      ].join('\n'),
    );
    const trades = write(
      't.csv.gz',
      ['TS,Price,Size,Exchange', '1381152600500000,182.52,100,N', '1381152601500000,182.515,37,D', '1381152602500000,182.53,200,'].join('\n'),
    );
    const summary = await ingest({ format: 'csv', symbol: 'ibm', quotes: [quotes], trades: [trades], out });
    expect(listTapes(out)).toEqual([{ symbol: 'IBM', day: '2013-10-07' }]);
    const tape = loadSymbolDay(out, 'IBM', '2013-10-07');
    expect(Array.from(tape.quotes.ts)).toEqual([
      us('2013-10-07T13:30:00Z') + 100,
      us('2013-10-07T13:30:01Z'),
      us('2013-10-07T13:30:02Z'),
      us('2013-10-07T13:30:03Z'),
      us('2013-10-07T13:30:04Z'),
    ]);
    expect(Array.from(tape.quotes.bid)).toEqual([182.5, 182.51, 182.53, 182.54, 182.5]);
    expect(Array.from(tape.quotes.askSize)).toEqual([200, 200, 200, 200, 200]);
    expect(Array.from(tape.trades.price)).toEqual([182.52, 182.515, 182.53]);
    expect(Array.from(tape.trades.exchange)).toEqual([78, 68, 0]);
    expect(Array.from(tape.trades.eligible)).toEqual([1, 0, 1]);

    const day = summary.days[0];
    expect([day.quotes, day.trades, day.locked, day.crossed, day.eligibleTrades, day.volume]).toEqual([5, 3, 1, 1, 2, 337]);
    expect(day.regular).toEqual({ quotes: 5, locked: 1, crossed: 1 });
    // usable spreads: 0.03/182.53, 0.02/182.53, 0.10/182.60 (in %), nearest rank
    const s = [0.02 / 182.53, 0.03 / 182.53, 0.1 / 182.6].map((x) => x * 100);
    expect(day.spreadPct!.p5).toBeCloseTo(s[0], 12);
    expect(day.spreadPct!.p50).toBeCloseTo(s[1], 12);
    expect(day.spreadPct!.p99).toBeCloseTo(s[2], 12);
    expect(summary.trades.offExchange).toBe(1);
    expect(summary.quotes).toMatchObject({ rowsIn: 5, rowsOut: 5 });
    const text = formatSummary(summary);
    expect(text).toContain('2013-10-07: 5 quotes, 3 trades (2 eligible, volume 337), span 09:30:00.000–09:30:04.000 New York');
    expect(text).toContain('locked 1, crossed 1');
    expect(text).toContain('bad rows: none');
  });

  it('splits rows spanning several New York days (across a DST change) into one tape per day', async () => {
    const quotes = write(
      'q.csv',
      [
        'ts,bid,ask,bid_size,ask_size',
        '2013-11-01T23:59:59-04:00,10.00,10.01,100,100', // Fri New York
        '2013-11-02T03:59:59Z,10.00,10.02,100,100', // still Fri 23:59:59 EDT
        '2013-11-04T14:30:00Z,10.01,10.02,100,100', // Mon 09:30 EST
      ].join('\n'),
    );
    const summary = await ingest({ format: 'csv', symbol: 'XYZ', quotes: [quotes], out });
    expect(summary.days.map((d) => [d.day, d.quotes, d.trades])).toEqual([
      ['2013-11-01', 2, 0],
      ['2013-11-04', 1, 0],
    ]);
    expect(listTapes(out).map((t) => t.day)).toEqual(['2013-11-01', '2013-11-04']);
    expect(loadSymbolDay(out, 'XYZ', '2013-11-04').quotes.bid[0]).toBe(10.01);
  });

  it('reads several files in order as one sequence', async () => {
    const a = write('a.csv', 'ts,bid,ask,bid_size,ask_size\n1381152600,1.00,1.01,100,100\n');
    const b = write('b.csv', 'ask,bid,ts,bid_size,ask_size\n1.02,1.00,1381152601,100,100\n');
    const summary = await ingest({ format: 'csv', symbol: 'AB', quotes: [a, b], out, day: '2013-10-07' });
    expect(summary.quotes.rowsOut).toBe(2);
    expect(Array.from(loadSymbolDay(out, 'AB', '2013-10-07').quotes.ask)).toEqual([1.01, 1.02]);
  });

  it('normalises prices to $0.0001 so no float noise reaches the tape', async () => {
    const q = write('q.csv', 'ts,bid,ask,bid_size,ask_size\n1381152600,15.280000000001,15.29,100,100\n');
    await ingest({ format: 'csv', symbol: 'N', quotes: [q], out });
    expect(loadSymbolDay(out, 'N', '2013-10-07').quotes.bid[0]).toBe(15.28);
  });
});

describe('.csv.gz streamed, and mapped column names', () => {
  it('a 200 k-row gzipped file (many chunks) with its own column names gives the tape of its plain twin, byte for byte', async () => {
    const rows = ['Time,BidPx,AskPx,BidSz,AskSz'];
    for (let i = 0; i < 200_000; i++) rows.push(`${1381152600000000 + i * 100},${(182.5 + (i % 7) / 100).toFixed(2)},${(182.6 + (i % 5) / 100).toFixed(2)},${100 * (1 + (i % 3))},${100 + i}`);
    const text = `${rows.join('\n')}\n`;
    const gz = write('q.csv.gz', text);
    const plain = write('q.csv', text.replace('Time,BidPx,AskPx,BidSz,AskSz', 'ts,bid,ask,bid_size,ask_size'));
    const columns = { ts: 'time', bid: 'bidpx', ask: 'askpx', bid_size: 'bidsz', ask_size: 'asksz' };
    const a = await ingest({ format: 'csv', symbol: 'GZ', quotes: [gz], out: join(dir, 'a'), columns });
    await ingest({ format: 'csv', symbol: 'GZ', quotes: [plain], out: join(dir, 'b') });
    expect(a.quotes).toMatchObject({ rowsIn: 200_000, rowsOut: 200_000 });
    const tape = loadSymbolDay(join(dir, 'a'), 'GZ', '2013-10-07').quotes;
    expect([tape.ts[199_999], tape.bid[199_999], tape.ask[199_999], tape.bidSize[199_999], tape.askSize[199_999]]).toEqual([1381152619999900, 182.52, 182.64, 200, 200_099]);
    const { readFileSync } = await import('node:fs');
    const file = (d: string) => readFileSync(join(dir, d, 'GZ', '2013-10-07.quotes.arrow'));
    expect(file('a').equals(file('b'))).toBe(true);
  });

  it('a mapped column missing from the header, or a bad value in it, is named as the file names it', async () => {
    const q = write('q.csv', 'Time,BidPx,AskPx,BidSz\n1381152600,1,2,3\n');
    const columns = { ts: 'time', bid: 'bidpx', ask: 'askpx', bid_size: 'bidsz', ask_size: 'asksz' };
    await expect(ingest({ format: 'csv', symbol: 'X', quotes: [q], out, columns })).rejects.toThrow(
      `${q}: row 1: field "asksz": missing from the header (have: Time,BidPx,AskPx,BidSz; need: time,bidpx,askpx,bidsz,asksz)`,
    );
    const q2 = write('q2.csv', 'Time,BidPx,AskPx,BidSz,AskSz\n1381152600,1,-2,3,4\n');
    await expect(ingest({ format: 'csv', symbol: 'X', quotes: [q2], out, columns })).rejects.toThrow(`${q2}: row 2: field "askpx": expected a price > 0, got "-2"`);
  });
});
