/**
 * Parquet ingest: files written here by parquet-wasm from Arrow tables give the same tape, byte
 * for byte, as their CSV twins — µs and ns timestamps, int and float sizes, mapped column names,
 * exchange letters and eligible flags; bad values and nulls name file, row and field (exit 2).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bool, Float64, Int32, Int64, makeVector, Table, tableToIPC, TimestampMicrosecond, TimestampNanosecond, Utf8, vectorFromArray } from 'apache-arrow';
import { Compression, Table as WasmTable, writeParquet, WriterPropertiesBuilder } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import { ingest } from '../../../src/data/ingest/ingest.ts';
import { loadSymbolDay, tapePath } from '../../../src/data/tape/tape.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-parquet-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeParquetFile(name: string, table: Table): string {
  const file = join(dir, name);
  const props = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  writeFileSync(file, writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), props));
  return file;
}

const T0 = 1381152600000000n; // 2013-10-07 09:30:00 New York, µs
const Q = [
  [T0, 182.5, 182.53, 300, 200],
  [T0 + 250n, 182.51, 182.53, 100, 200],
  [T0 + 1_000_000n, 182.53, 182.53, 100, 0], // locked: kept
  [T0 + 2_000_001n, 182.5, 182.6, 1500, 700],
] as const;
const TR = [
  [T0 + 500n, 182.52, 100, 'N', true],
  [T0 + 600n, 182.515, 37, 'D', false],
  [T0 + 700n, 182.53, 200, 'P', false], // a special condition
] as const;

const bigints = (xs: readonly bigint[]) => BigInt64Array.from(xs);

beforeAll(() => {
  writeFileSync(join(dir, 'q.csv'), ['ts,bid,ask,bid_size,ask_size', ...Q.map((r) => r.join(','))].join('\n'));
  writeFileSync(join(dir, 't.csv'), ['ts,price,size,exchange,eligible', ...TR.map((r) => r.join(','))].join('\n'));
});

describe('Parquet ingest', () => {
  it('quotes and trades read back into the same tape as their CSV twins, byte for byte', async () => {
    const quotes = writeParquetFile(
      'q.parquet',
      new Table({
        ts: makeVector({ type: new TimestampMicrosecond('UTC'), data: bigints(Q.map((r) => r[0])) }),
        bid: vectorFromArray(Q.map((r) => r[1]), new Float64()),
        ask: vectorFromArray(Q.map((r) => r[2]), new Float64()),
        bid_size: vectorFromArray(Q.map((r) => r[3]), new Int32()),
        ask_size: vectorFromArray(Q.map((r) => BigInt(r[4])), new Int64()),
      }),
    );
    const trades = writeParquetFile(
      't.parquet',
      new Table({
        ts: makeVector({ type: new TimestampMicrosecond('UTC'), data: bigints(TR.map((r) => r[0])) }),
        price: vectorFromArray(TR.map((r) => r[1]), new Float64()),
        size: vectorFromArray(TR.map((r) => r[2]), new Int32()),
        exchange: vectorFromArray(TR.map((r) => r[3]), new Utf8()),
        eligible: vectorFromArray(TR.map((r) => r[4]), new Bool()),
      }),
    );
    const fromParquet = await ingest({ format: 'parquet', symbol: 'PQ', quotes: [quotes], trades: [trades], out: join(dir, 'a') });
    await ingest({ format: 'csv', symbol: 'PQ', quotes: [join(dir, 'q.csv')], trades: [join(dir, 't.csv')], out: join(dir, 'b') });
    expect(fromParquet.quotes).toMatchObject({ rowsIn: 4, rowsOut: 4 });
    expect([fromParquet.trades.offExchange, fromParquet.trades.specialCondition]).toEqual([1, 1]);
    for (const kind of ['quotes', 'trades'] as const) {
      const a = readFileSync(tapePath(join(dir, 'a'), 'PQ', '2013-10-07', kind));
      expect(a.equals(readFileSync(tapePath(join(dir, 'b'), 'PQ', '2013-10-07', kind))), kind).toBe(true);
    }
    const tape = loadSymbolDay(join(dir, 'a'), 'PQ', '2013-10-07');
    expect(Array.from(tape.quotes.ts)).toEqual(Q.map((r) => Number(r[0])));
    expect(Array.from(tape.quotes.askSize)).toEqual([200, 200, 0, 700]);
    expect(Array.from(tape.trades.eligible)).toEqual([1, 0, 0]);
  });

  it('ns timestamps and the file’s own column names (--columns) give the same tape', async () => {
    const quotes = writeParquetFile(
      'q-ns.parquet',
      new Table({
        time: makeVector({ type: new TimestampNanosecond(), data: bigints(Q.map((r) => r[0] * 1000n + 999n)) }),
        bp: vectorFromArray(Q.map((r) => r[1]), new Float64()),
        ap: vectorFromArray(Q.map((r) => r[2]), new Float64()),
        bs: vectorFromArray(Q.map((r) => r[3]), new Float64()),
        as: vectorFromArray(Q.map((r) => r[4]), new Float64()),
      }),
    );
    await ingest({ format: 'parquet', symbol: 'PQ', quotes: [quotes], out: join(dir, 'c'), columns: { ts: 'time', bid: 'bp', ask: 'ap', bid_size: 'bs', ask_size: 'as' } });
    await ingest({ format: 'csv', symbol: 'PQ', quotes: [join(dir, 'q.csv')], out: join(dir, 'd') });
    const file = (d: string) => readFileSync(tapePath(join(dir, d), 'PQ', '2013-10-07', 'quotes'));
    expect(file('c').equals(file('d'))).toBe(true);
  });

  it('a null, a bad price, a fractional size or a missing column names file, row and field; exit 2', async () => {
    const table = (bid: (number | null)[], size: number[]) =>
      new Table({
        ts: makeVector({ type: new TimestampMicrosecond('UTC'), data: bigints([T0, T0 + 1n]) }),
        bid: vectorFromArray(bid, new Float64()),
        ask: vectorFromArray([182.53, 182.53], new Float64()),
        bid_size: vectorFromArray(size, new Float64()),
        ask_size: vectorFromArray([1, 1], new Int32()),
      });
    const cases: [string, Table, string][] = [
      ['null.parquet', table([182.5, null], [1, 1]), 'row 2: field "bid": empty or missing'],
      ['neg.parquet', table([182.5, -1], [1, 1]), 'row 2: field "bid": expected a price > 0, got -1'],
      ['frac.parquet', table([182.5, 182.5], [1.5, 1]), 'row 1: field "bid_size": expected whole shares ≥ 0, got 1.5'],
    ];
    for (const [name, t, message] of cases) {
      const file = writeParquetFile(name, t);
      const err = await ingest({ format: 'parquet', symbol: 'PQ', quotes: [file], out: join(dir, 'bad') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message).toBe(`${file}: ${message}`);
    }
    const noAsk = writeParquetFile('noask.parquet', new Table({ ts: makeVector({ type: new TimestampMicrosecond('UTC'), data: bigints([T0]) }), bid: vectorFromArray([1], new Float64()) }));
    await expect(ingest({ format: 'parquet', symbol: 'PQ', quotes: [noAsk], out: join(dir, 'bad') })).rejects.toThrow(`${noAsk}: row 1: field "ask": missing from the header (have: ts,bid; need: ts,bid,ask,bid_size,ask_size)`);
    const notParquet = join(dir, 'x.parquet');
    writeFileSync(notParquet, 'ts,bid\n1,2\n');
    await expect(ingest({ format: 'parquet', symbol: 'PQ', quotes: [notParquet], out: join(dir, 'bad') })).rejects.toThrow(new RegExp(`^${notParquet}: not a readable Parquet file`));
  });
});
