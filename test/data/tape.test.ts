import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC as flechetteFromIPC, TimeUnit, Type } from '@uwdata/flechette';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { exchangeCode, exchangeLetter, exchangeName, OFF_EXCHANGE_CODE } from '../../src/data/tape/exchanges.ts';
import {
  firstIndexAfter,
  firstIndexAtOrAfter,
  lastQuoteAtOrBefore,
  listTapes,
  loadSymbolDay,
  makeQuoteColumns,
  makeTradeColumns,
  tapePath,
  type SymbolDay,
} from '../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../src/data/tape/write.ts';

const T0 = Date.parse('2013-10-07T13:30:00Z') * 1000; // 09:30 New York

function sample(): SymbolDay {
  return {
    symbol: 'IBM',
    day: '2013-10-07',
    quotes: makeQuoteColumns([
      [T0, 182.5, 182.53, 300, 200],
      { tsUs: T0 + 1_500, bid: 182.51, ask: 182.53, bidSize: 100, askSize: 4_000_000_000 },
      [T0 + 1_500, 182.53, 182.53], // locked, kept
      [T0 + 2_000_001, 182.54, 182.52, 100, 100], // crossed, kept
    ]),
    trades: makeTradeColumns([
      [T0 + 10, 182.52, 100, 'N'],
      { tsUs: T0 + 20, price: 182.515, size: 37, exchange: 'D' },
      [T0 + 20, 182.53, 5_000, 'P', false],
    ]),
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tape-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeSymbolDay / loadSymbolDay', () => {
  it('round-trips every column exactly into typed arrays', () => {
    const paths = writeSymbolDay(dir, sample());
    expect(paths.quotes).toBe(join(dir, 'IBM', '2013-10-07.quotes.arrow'));
    const back = loadSymbolDay(dir, 'IBM', '2013-10-07');
    expect(back.quotes.length).toBe(4);
    expect(back.quotes.ts).toBeInstanceOf(Float64Array);
    expect(Array.from(back.quotes.ts)).toEqual([T0, T0 + 1_500, T0 + 1_500, T0 + 2_000_001]);
    expect(Array.from(back.quotes.bid)).toEqual([182.5, 182.51, 182.53, 182.54]);
    expect(Array.from(back.quotes.ask)).toEqual([182.53, 182.53, 182.53, 182.52]);
    expect(Array.from(back.quotes.bidSize)).toEqual([300, 100, 100, 100]);
    expect(Array.from(back.quotes.askSize)).toEqual([200, 4_000_000_000, 100, 100]);
    expect(back.trades.length).toBe(3);
    expect(Array.from(back.trades.ts)).toEqual([T0 + 10, T0 + 20, T0 + 20]);
    expect(Array.from(back.trades.price)).toEqual([182.52, 182.515, 182.53]);
    expect(Array.from(back.trades.size)).toEqual([100, 37, 5_000]);
    expect(Array.from(back.trades.exchange)).toEqual([78, 68, 80]);
    expect(Array.from(back.trades.eligible)).toEqual([1, 0, 0]);
    expect(back.trades.eligible).toBeInstanceOf(Uint8Array);
    expect(readdirSync(join(dir, 'IBM')).sort()).toEqual(['2013-10-07.quotes.arrow', '2013-10-07.trades.arrow']);
  });

  it('is byte-deterministic', () => {
    writeSymbolDay(dir, sample());
    const a = readFileSync(tapePath(dir, 'IBM', '2013-10-07', 'quotes'));
    const b1 = readFileSync(tapePath(dir, 'IBM', '2013-10-07', 'trades'));
    writeSymbolDay(dir, sample());
    expect(readFileSync(tapePath(dir, 'IBM', '2013-10-07', 'quotes')).equals(a)).toBe(true);
    expect(readFileSync(tapePath(dir, 'IBM', '2013-10-07', 'trades')).equals(b1)).toBe(true);
  });

  it('is read back by an independent Arrow reader (flechette) with the stated schema', () => {
    writeSymbolDay(dir, sample());
    const quotes = flechetteFromIPC(readFileSync(tapePath(dir, 'IBM', '2013-10-07', 'quotes')), { useBigIntTimestamp: true });
    const qFields = quotes.schema.fields.map((f) => [f.name, f.type.typeId, f.nullable]);
    expect(qFields).toEqual([
      ['ts', Type.Timestamp, false],
      ['bid', Type.Float, false],
      ['ask', Type.Float, false],
      ['bid_size', Type.Int, false],
      ['ask_size', Type.Int, false],
    ]);
    const tsType = quotes.schema.fields[0].type as { unit: number; timezone: string | null };
    expect(tsType.unit).toBe(TimeUnit.MICROSECOND);
    expect(tsType.timezone).toBe('UTC');
    const sizeType = quotes.schema.fields[3].type as { bitWidth: number; signed: boolean };
    expect([sizeType.bitWidth, sizeType.signed]).toEqual([32, false]);
    expect(quotes.schema.metadata?.get('ladderlab.symbol')).toBe('IBM');
    expect(quotes.getChild('ts').toArray()).toEqual(new BigInt64Array([T0, T0 + 1_500, T0 + 1_500, T0 + 2_000_001].map(BigInt)));
    expect(Array.from(quotes.getChild('ask').toArray() as Float64Array)).toEqual([182.53, 182.53, 182.53, 182.52]);
    expect(Array.from(quotes.getChild('ask_size').toArray() as Uint32Array)).toEqual([200, 4_000_000_000, 100, 100]);

    const trades = flechetteFromIPC(readFileSync(tapePath(dir, 'IBM', '2013-10-07', 'trades')));
    const tFields = trades.schema.fields.map((f) => [f.name, f.type.typeId]);
    expect(tFields).toEqual([
      ['ts', Type.Timestamp],
      ['price', Type.Float],
      ['size', Type.Int],
      ['exchange', Type.Int],
      ['eligible', Type.Bool],
    ]);
    const exType = trades.schema.fields[3].type as { bitWidth: number; signed: boolean };
    expect([exType.bitWidth, exType.signed]).toEqual([8, false]);
    expect(Array.from(trades.getChild('ts').toArray() as ArrayLike<number>)).toEqual([T0 / 1000 + 0.01, T0 / 1000 + 0.02, T0 / 1000 + 0.02]);
    expect(Array.from(trades.getChild('exchange').toArray() as Uint8Array)).toEqual([78, 68, 80]);
    expect(Array.from(trades.getChild('eligible').toArray() as ArrayLike<boolean>)).toEqual([true, false, false]);
  });

  it('writes and reads an empty day', () => {
    writeSymbolDay(dir, { symbol: 'XYZ', day: '2013-10-07', quotes: makeQuoteColumns([]), trades: makeTradeColumns([]) });
    const back = loadSymbolDay(dir, 'XYZ', '2013-10-07');
    expect([back.quotes.length, back.trades.length, back.quotes.ts.length]).toEqual([0, 0, 0]);
  });

  it('refuses unsorted times and leaves no file behind', () => {
    const bad = sample();
    bad.quotes = makeQuoteColumns([[T0 + 5, 1, 2], [T0, 1, 2]]);
    expect(() => writeSymbolDay(dir, bad)).toThrow(/ts\[1\]/);
    expect(readdirSync(dir).flatMap((d) => readdirSync(join(dir, d)))).toEqual([]);
  });

  it('rejects a bad symbol or day as InputError', () => {
    expect(() => writeSymbolDay(dir, { ...sample(), symbol: '../x' })).toThrow(InputError);
    expect(() => writeSymbolDay(dir, { ...sample(), day: '2013-10-32' })).toThrow(/YYYY-MM-DD/);
  });

  it('names the file when a tape is missing or not Arrow', () => {
    expect(() => loadSymbolDay(dir, 'IBM', '2013-10-07')).toThrow(/IBM\/2013-10-07\.quotes\.arrow: cannot read/);
    mkdirSync(join(dir, 'IBM'));
    writeFileSync(tapePath(dir, 'IBM', '2013-10-07', 'quotes'), 'ts,bid\n');
    expect(() => loadSymbolDay(dir, 'IBM', '2013-10-07')).toThrow(/quotes\.arrow: not an Arrow IPC file/);
  });

  it('lists symbol-days that have both files, sorted', () => {
    writeSymbolDay(dir, { ...sample(), symbol: 'MSFT', day: '2013-10-08' });
    writeSymbolDay(dir, sample());
    writeSymbolDay(dir, { ...sample(), day: '2013-10-04' });
    rmSync(tapePath(dir, 'MSFT', '2013-10-08', 'trades'));
    expect(listTapes(dir)).toEqual([
      { symbol: 'IBM', day: '2013-10-04' },
      { symbol: 'IBM', day: '2013-10-07' },
    ]);
    expect(listTapes(join(dir, 'nope'))).toEqual([]);
  });
});

describe('binary-search lookups', () => {
  const ts = new Float64Array([10, 20, 20, 30]);
  it('firstIndexAtOrAfter / firstIndexAfter', () => {
    expect([5, 10, 15, 20, 25, 30, 31].map((t) => firstIndexAtOrAfter(ts, t))).toEqual([0, 0, 1, 1, 3, 3, 4]);
    expect([5, 10, 15, 20, 25, 30, 31].map((t) => firstIndexAfter(ts, t))).toEqual([0, 1, 1, 3, 3, 4, 4]);
    expect(firstIndexAtOrAfter(new Float64Array(0), 1)).toBe(0);
  });
  it('lastQuoteAtOrBefore returns the quote in force, or −1 before the first', () => {
    const q = makeQuoteColumns([[10, 1, 2], [20, 1.01, 2], [20, 1.02, 2], [30, 1.03, 2]]);
    expect([5, 10, 19, 20, 29, 30, 99].map((t) => lastQuoteAtOrBefore(q, t))).toEqual([-1, 0, 0, 2, 2, 3, 3]);
    expect(q.bid[lastQuoteAtOrBefore(q, 25)]).toBe(1.02);
  });
});

describe('exchange codes', () => {
  it('letters map to ASCII codes and back', () => {
    expect(exchangeCode('N')).toBe(78);
    expect(exchangeCode('d')).toBe(OFF_EXCHANGE_CODE);
    expect(exchangeCode('')).toBe(0);
    expect(exchangeCode('NY')).toBe(-1);
    expect(exchangeCode('7')).toBe(-1);
    expect(exchangeLetter(80)).toBe('P');
    expect(exchangeLetter(0)).toBe('');
    expect(exchangeName(80)).toBe('NYSE Arca');
    expect(exchangeName(0)).toBe('unknown');
  });
  it('makeTradeColumns marks D prints ineligible by default', () => {
    const t = makeTradeColumns([[1, 10, 100, 'D'], [2, 10, 100, 'Q'], [3, 10, 100]]);
    expect(Array.from(t.eligible)).toEqual([0, 1, 1]);
    expect(Array.from(t.exchange)).toEqual([68, 81, 78]);
  });
});
