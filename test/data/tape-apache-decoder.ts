/**
 * The tape decoder as it was before it moved to flechette (src/data/tape/arrow.ts at d806cfd,
 * apache-arrow), kept here only so tape-decode.test.ts can check that the new decoder gives the
 * very same columns for the same files. Not used by src.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC, TimeUnit, Type, type Data, type DataType, type Table } from 'apache-arrow';
import type { QuoteColumns, TradeColumns } from '../../src/data/tape/tape.ts';

function columnData(table: Table, file: string, name: string, typeId: Type, unit?: TimeUnit): Data[] {
  const column = table.getChild(name);
  if (!column) throw new Error(`${file}: missing column "${name}"`);
  const type = column.type as DataType & { unit?: TimeUnit };
  if (type.typeId !== typeId || (unit !== undefined && type.unit !== unit)) {
    throw new Error(`${file}: column "${name}" has type ${String(type)}, expected ${Type[typeId]}${unit !== undefined ? `[${TimeUnit[unit]}]` : ''}`);
  }
  if (column.nullCount > 0) throw new Error(`${file}: column "${name}" has ${column.nullCount} nulls`);
  return column.data as Data[];
}

function timestampsToFloat64(chunks: Data[], length: number): Float64Array {
  const out = new Float64Array(length);
  let k = 0;
  for (const d of chunks) {
    const v = d.values as BigInt64Array;
    const words = new Int32Array(v.buffer, v.byteOffset, d.length * 2);
    for (let i = 0; i < d.length; i++) out[k++] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
  }
  return out;
}

function numbersToFloat64(chunks: Data[], length: number): Float64Array {
  if (chunks.length === 1 && chunks[0].values instanceof Float64Array) return (chunks[0].values as Float64Array).subarray(0, length);
  const out = new Float64Array(length);
  let k = 0;
  for (const d of chunks) {
    out.set((d.values as Float64Array | Uint32Array).subarray(0, d.length), k);
    k += d.length;
  }
  return out;
}

function bytesColumn(chunks: Data[], length: number): Uint8Array {
  if (chunks.length === 1) return (chunks[0].values as Uint8Array).subarray(0, length);
  const out = new Uint8Array(length);
  let k = 0;
  for (const d of chunks) {
    out.set((d.values as Uint8Array).subarray(0, d.length), k);
    k += d.length;
  }
  return out;
}

function unpackBits(chunks: Data[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let k = 0;
  for (const d of chunks) {
    const bits = d.values as Uint8Array;
    for (let i = 0; i < d.length; i++) {
      const j = d.offset + i;
      out[k++] = (bits[j >> 3] >> (j & 7)) & 1;
    }
  }
  return out;
}

function checkSorted(ts: Float64Array, file: string): void {
  for (let i = 1; i < ts.length; i++) {
    if (ts[i] < ts[i - 1]) throw new Error(`${file}: row ${i}: field "ts" is earlier than the row before`);
  }
}

export function apacheLoadQuotes(file: string): QuoteColumns {
  const table = tableFromIPC(readFileSync(file));
  const n = table.numRows;
  const quotes: QuoteColumns = {
    length: n,
    ts: timestampsToFloat64(columnData(table, file, 'ts', Type.Timestamp, TimeUnit.MICROSECOND), n),
    bid: numbersToFloat64(columnData(table, file, 'bid', Type.Float), n),
    ask: numbersToFloat64(columnData(table, file, 'ask', Type.Float), n),
    bidSize: numbersToFloat64(columnData(table, file, 'bid_size', Type.Int), n),
    askSize: numbersToFloat64(columnData(table, file, 'ask_size', Type.Int), n),
  };
  checkSorted(quotes.ts, file);
  return quotes;
}

export function apacheLoadTrades(file: string): TradeColumns {
  const table = tableFromIPC(readFileSync(file));
  const n = table.numRows;
  const trades: TradeColumns = {
    length: n,
    ts: timestampsToFloat64(columnData(table, file, 'ts', Type.Timestamp, TimeUnit.MICROSECOND), n),
    price: numbersToFloat64(columnData(table, file, 'price', Type.Float), n),
    size: numbersToFloat64(columnData(table, file, 'size', Type.Int), n),
    exchange: bytesColumn(columnData(table, file, 'exchange', Type.Int), n),
    eligible: unpackBits(columnData(table, file, 'eligible', Type.Bool), n),
  };
  checkSorted(trades.ts, file);
  return trades;
}
