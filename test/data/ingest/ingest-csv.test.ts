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
