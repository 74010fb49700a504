/**
 * The tape codec after the split (src/data/tape/arrow-encode.ts, apache-arrow; arrow-decode.ts,
 * flechette): the encoder writes the very bytes it wrote before (sha256 of fixed tapes, recorded
 * with the encoder at d806cfd), and the flechette decoder gives the very columns the apache-arrow
 * decoder gave (tape-apache-decoder.ts, the old code) — same array types, same bytes — for
 * seeded quotes and trades (buys at the ask, sells at the bid), int64 word edges, several record
 * batches, empty tapes, narrower number types, and the real IBM day when ../shared is present.
 * Every error a user can hit names the file and the column or row.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bool, float32, float64, int64, tableFromArrays, tableToIPC, tableFromIPC as flechetteFromIPC, timestamp, TimeUnit, uint16, uint32, uint8, utf8, type DataType } from '@uwdata/flechette';
import { Table as ApacheTable, tableFromIPC as apacheFromIPC, tableToIPC as apacheToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { ingest } from '../../src/data/ingest/ingest.ts';
import { loadQuotes, loadSymbolDay, loadTrades, makeQuoteColumns, makeTradeColumns, tapePath, type QuoteColumns, type SymbolDay, type TradeColumns } from '../../src/data/tape/tape.ts';
import { quotesToArrow, tradesToArrow, writeSymbolDay } from '../../src/data/tape/write.ts';
import { apacheLoadQuotes, apacheLoadTrades } from './tape-apache-decoder.ts';
import { edgeDay, FIXTURE_DAY, seededDay } from './tape-fixtures.ts';

const SHARED_TICKS = resolve(import.meta.dirname, '../../../shared/data/equity-ticks');
const hasIbm = existsSync(join(SHARED_TICKS, 'ibm_20131007_quote.zip')) && existsSync(join(SHARED_TICKS, 'ibm_20131007_trade.zip'));
if (!hasIbm) console.warn(`SKIP tape-decode IBM cases: ${SHARED_TICKS} not found (licensed tick data lives outside the repo)`);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const emptyDay = (): SymbolDay => ({ symbol: 'NONE', day: FIXTURE_DAY, quotes: makeQuoteColumns([]), trades: makeTradeColumns([]) });

/** Same array type, same length, same bytes, column by column. */
function expectSameColumns(actual: QuoteColumns | TradeColumns, expected: QuoteColumns | TradeColumns): void {
  expect(actual.length).toBe(expected.length);
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, want] of Object.entries(expected)) {
    const got = (actual as unknown as Record<string, unknown>)[name];
    if (typeof want === 'number') continue;
    const w = want as Float64Array | Uint8Array;
    const g = got as Float64Array | Uint8Array;
    expect(g.constructor.name, name).toBe(w.constructor.name);
    expect(g.length, name).toBe(w.length);
    expect(Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength)), name).toBe(true);
  }
}

/** Both decoders on one symbol-day's files: the same columns. Returns the new decoder's. */
function decodeBothWays(dir: string, symbol: string, day: string): SymbolDay {
  const q = tapePath(dir, symbol, day, 'quotes');
  const t = tapePath(dir, symbol, day, 'trades');
  const quotes = loadQuotes(q);
  const trades = loadTrades(t);
  expectSameColumns(quotes, apacheLoadQuotes(q));
  expectSameColumns(trades, apacheLoadTrades(t));
  return { symbol, day, quotes, trades };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tape-decode-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('encoder: the bytes written before the split', () => {
  it.each([
    ['seeded buys and sells', seededDay, '4696390fe7a304ad129a69502389c10d79f807a040edd3d5dc94e9f17e892269', '883df60e79e23e7d4cbf2aeb7eb0cd42a165b4af3e37a84822d290719ceec77b'],
    ['int64 word edges', edgeDay, '9ebaa47c599d9e384a430809907a78e4a7e87b9273aae590603bb3e6c3c816e4', '3869089eb4f12963019f7edef5172ca765f6f277078c0b785ad83bd75c2d9199'],
    ['empty', emptyDay, '1adec80deee22ee7ae6259e452913ca61e84e64daa86e897c4340e76ddac431e', '9ebf2c633ec6ff1b7c6d6fe653e9167a487073cc1d8bdca02e4587daa424e7c0'],
  ])('%s: quotes and trades hash as before', (_, make, quotesSha, tradesSha) => {
    const d = make();
    expect(sha256(quotesToArrow(d.quotes, d.symbol, d.day))).toBe(quotesSha);
    expect(sha256(tradesToArrow(d.trades, d.symbol, d.day))).toBe(tradesSha);
  });
});

describe('decoder: the columns the apache-arrow decoder gave', () => {
  it('seeded quotes and trades: both decoders agree, and give back what was written (buys at the ask, sells at the bid)', () => {
    const day = seededDay();
    writeSymbolDay(dir, day);
    const back = decodeBothWays(dir, day.symbol, day.day);
    for (const key of ['ts', 'bid', 'ask', 'bidSize', 'askSize'] as const) expect(Array.from(back.quotes[key]), key).toEqual(Array.from(day.quotes[key].subarray(0, day.quotes.length)));
    for (const key of ['ts', 'price', 'size', 'exchange', 'eligible'] as const) expect(Array.from(back.trades[key]), key).toEqual(Array.from(day.trades[key].subarray(0, day.trades.length)));
    const buyAtAsk = back.trades.price[0] === back.quotes.ask[1];
    const sellAtBid = back.trades.price[1] === back.quotes.bid[4];
    expect([buyAtAsk, sellAtBid]).toEqual([true, true]);
    expect(back.quotes.askSize[7]).toBe(4_000_000_000);
    expect(back.trades.eligible.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(back.trades.eligible.includes(0)).toBe(true);
  });

  it('timestamps across the int64 words (negative, 2^31, 2^32, 2^52) come back exactly', () => {
    const day = edgeDay();
    writeSymbolDay(dir, day);
    const back = decodeBothWays(dir, 'EDGE', FIXTURE_DAY);
    expect(Array.from(back.quotes.ts)).toEqual([-(2 ** 40) - 5, -1, 0, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, Date.parse('2013-10-07T13:30:00Z') * 1000, 2 ** 52 + 3]);
    expect(Array.from(back.trades.ts)).toEqual(Array.from(back.quotes.ts));
    expect(Array.from(back.quotes.askSize.subarray(0, 2))).toEqual([0xffff_ffff, 0xffff_fffe]);
    expect(Array.from(back.trades.exchange.subarray(0, 3))).toEqual([255, 254, 253]);
    expect(Array.from(back.trades.eligible)).toEqual([1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it('an empty day, written by the encoder or with no record batch at all', () => {
    writeSymbolDay(dir, emptyDay());
    const back = decodeBothWays(dir, 'NONE', FIXTURE_DAY);
    expect([back.quotes.length, back.quotes.ts.length, back.trades.length, back.trades.eligible.length]).toEqual([0, 0, 0, 0]);

    mkdirSync(join(dir, 'BARE'), { recursive: true });
    for (const kind of ['quotes', 'trades'] as const) {
      const schema = apacheFromIPC(readFileSync(tapePath(dir, 'NONE', FIXTURE_DAY, kind))).schema;
      writeFileSync(tapePath(dir, 'BARE', FIXTURE_DAY, kind), apacheToIPC(new ApacheTable(schema), 'file'));
    }
    const bare = decodeBothWays(dir, 'BARE', FIXTURE_DAY);
    expect([bare.quotes.length, bare.quotes.bid.length, bare.trades.length, bare.trades.exchange.length]).toEqual([0, 0, 0, 0]);
  });

  it('several record batches (lengths off the byte grid of the eligible bits) are concatenated in order', () => {
    const day = seededDay(300, 'MULTI');
    writeSymbolDay(dir, day);
    for (const kind of ['quotes', 'trades'] as const) {
      const file = tapePath(dir, 'MULTI', FIXTURE_DAY, kind);
      const batch = apacheFromIPC(readFileSync(file)).batches[0];
      const parts = [batch.slice(0, 5), batch.slice(5, 14), batch.slice(14, 14), batch.slice(14)];
      writeFileSync(file, apacheToIPC(new ApacheTable(parts), 'file'));
      expect(flechetteFromIPC(readFileSync(file)).getChild('ts').data.length).toBe(4);
    }
    const back = decodeBothWays(dir, 'MULTI', FIXTURE_DAY);
    expect(Array.from(back.trades.eligible)).toEqual(Array.from(day.trades.eligible.subarray(0, day.trades.length)));
    expect(Array.from(back.quotes.bid)).toEqual(Array.from(day.quotes.bid.subarray(0, day.quotes.length)));
    expect(Array.from(back.trades.size)).toEqual(Array.from(day.trades.size.subarray(0, day.trades.length)));
  });

  it('narrower numbers the old decoder accepted (Float32 prices, Uint16/Uint8 sizes) decode the same', () => {
    const tsMs = [1_381_152_600_000, 1_381_152_600_001, 1_381_152_600_001];
    writeArrow(join(dir, 'NARROW', 'q.arrow'), { ts: [tsMs, timestamp(TimeUnit.MICROSECOND, 'UTC')], bid: [[182.5, 182.25, 182.75], float32()], ask: [[182.75, 182.5, 183], float32()], bid_size: [[100, 65_535, 1], uint16()], ask_size: [[7, 8, 9], uint8()] });
    const q = loadQuotes(join(dir, 'NARROW', 'q.arrow'));
    expectSameColumns(q, apacheLoadQuotes(join(dir, 'NARROW', 'q.arrow')));
    expect(Array.from(q.ts)).toEqual(tsMs.map((ms) => ms * 1000));
    expect(Array.from(q.bid)).toEqual([182.5, 182.25, 182.75]);
    expect(Array.from(q.bidSize)).toEqual([100, 65_535, 1]);
  });

  describe.skipIf(!hasIbm)('the real IBM day (../shared), ingested by the CLI\'s ingest', () => {
    it('writes the bytes it wrote before the split, and both decoders give the same columns', async () => {
      const out = join(dir, 'ibm');
      await ingest({ format: 'vendor', quotes: [join(SHARED_TICKS, 'ibm_20131007_quote.zip')], trades: [join(SHARED_TICKS, 'ibm_20131007_trade.zip')], out });
      expect(sha256(readFileSync(tapePath(out, 'IBM', '2013-10-07', 'quotes')))).toBe('781c5de6740c4804854a43d43f34cfd856d11266ce04f1ae4b6f32e3cc0b8fc8');
      expect(sha256(readFileSync(tapePath(out, 'IBM', '2013-10-07', 'trades')))).toBe('a72938366ab83b5368fa739abbd14e804a5711ab55ebd60b74d8dffde36ddead');
      const back = decodeBothWays(out, 'IBM', '2013-10-07');
      expect([back.quotes.length, back.trades.length]).toEqual([45_589, 24_293]);
      expect(back.trades.eligible.reduce((a, b) => a + b, 0)).toBe(16_827);
    }, 60_000);
  });
});

/** A file written with flechette from column arrays of chosen types (for files our encoder would refuse to write). */
function writeArrow(file: string, columns: Record<string, [unknown[], DataType]>): string {
  const data = Object.fromEntries(Object.entries(columns).map(([name, [values]]) => [name, values]));
  const types = Object.fromEntries(Object.entries(columns).map(([name, [, type]]) => [name, type]));
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeFileSync(file, tableToIPC(tableFromArrays(data, { types }), { format: 'file' })!);
  return file;
}

describe('errors name the file and the column or row (InputError)', () => {
  const TS = [1_381_152_600_000, 1_381_152_600_001];
  const quotes = (over: Record<string, [unknown[], DataType] | undefined>) => {
    const base: Record<string, [unknown[], DataType]> = {
      ts: [TS, timestamp(TimeUnit.MICROSECOND, 'UTC')],
      bid: [[1, 2], float64()],
      ask: [[2, 3], float64()],
      bid_size: [[100, 100], uint32()],
      ask_size: [[100, 100], uint32()],
    };
    for (const [k, v] of Object.entries(over)) {
      if (v) base[k] = v;
      else delete base[k];
    }
    return base;
  };
  const trades = (over: Record<string, [unknown[], DataType]>) => ({
    ts: [TS, timestamp(TimeUnit.MICROSECOND, 'UTC')] as [unknown[], DataType],
    price: [[1, 2], float64()] as [unknown[], DataType],
    size: [[100, 100], uint32()] as [unknown[], DataType],
    exchange: [[78, 68], uint8()] as [unknown[], DataType],
    eligible: [[true, false], bool()] as [unknown[], DataType],
    ...over,
  });
  const fails = (load: () => unknown, message: string) => {
    expect(load).toThrow(InputError);
    expect(load).toThrow(message);
  };

  it.each([
    ['a missing column', quotes({ ask_size: undefined }), 'missing column "ask_size"'],
    ['a text price', quotes({ bid: [['1', '2'], utf8()] }), 'column "bid" has type Utf8, expected Float64'],
    ['an int64 size', quotes({ bid_size: [[100n, 100n], int64()] }), 'column "bid_size" has type Int64, expected Uint32'],
    ['millisecond times', quotes({ ts: [TS, timestamp(TimeUnit.MILLISECOND, 'UTC')] }), 'column "ts" has type Timestamp<MILLISECOND, UTC>, expected Timestamp<MICROSECOND>'],
    ['a null ask', quotes({ ask: [[2, null], float64()] }), 'column "ask" has 1 nulls'],
    ['times out of order', quotes({ ts: [[TS[1], TS[0]], timestamp(TimeUnit.MICROSECOND, 'UTC')] }), 'row 1: field "ts" is earlier than the row before'],
  ])('quotes with %s', (_, columns, message) => {
    const file = writeArrow(join(dir, 'bad', 'q.arrow'), columns);
    fails(() => loadQuotes(file), `${file}: ${message}`);
  });

  it.each([
    ['a 16-bit exchange', trades({ exchange: [[78, 68], uint16()] }), 'column "exchange" has type Uint16, expected Uint8'],
    ['a numeric eligible', trades({ eligible: [[1, 0], uint8()] }), 'column "eligible" has type Uint8, expected Bool'],
    ['a null eligible', trades({ eligible: [[true, null], bool()] }), 'column "eligible" has 1 nulls'],
    ['times out of order', trades({ ts: [[TS[1], TS[0]], timestamp(TimeUnit.MICROSECOND, 'UTC')] }), 'row 1: field "ts" is earlier than the row before'],
  ])('trades with %s', (_, columns, message) => {
    const file = writeArrow(join(dir, 'bad', 't.arrow'), columns);
    fails(() => loadTrades(file), `${file}: ${message}`);
  });

  it('a file that is not Arrow, a truncated one, and a missing one', () => {
    mkdirSync(join(dir, 'junk'), { recursive: true });
    const text = join(dir, 'junk', 'text.arrow');
    writeFileSync(text, 'ts,bid,ask\n1,2,3\n');
    fails(() => loadQuotes(text), `${text}: not an Arrow IPC file (no ARROW1 magic)`);

    writeSymbolDay(dir, seededDay(50, 'CUT'));
    const whole = readFileSync(tapePath(dir, 'CUT', FIXTURE_DAY, 'trades'));
    const cut = join(dir, 'junk', 'cut.arrow');
    writeFileSync(cut, whole.subarray(0, whole.length >> 1));
    fails(() => loadTrades(cut), `${cut}: not an Arrow IPC file (`);

    fails(() => loadSymbolDay(dir, 'GONE', FIXTURE_DAY), `${tapePath(dir, 'GONE', FIXTURE_DAY, 'quotes')}: cannot read (ENOENT)`);
  });
});
