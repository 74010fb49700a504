/**
 * The tape's Arrow IPC encoding (one file per symbol-day and kind; tape.ts gives the schema):
 * columns → bytes and bytes → columns, checked against the expected types. The same columns
 * always give the same bytes.
 */
import { readFileSync } from 'node:fs';
import {
  Bool,
  Field,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
  TimestampMicrosecond,
  Type,
  TimeUnit,
  Uint32,
  Uint8,
  type Data,
  type DataType,
} from 'apache-arrow';
import { InputError } from '../../core/errors.ts';
import type { QuoteColumns, TapeKind, TradeColumns } from './columns.ts';

// ───────────────────────── Arrow schema ─────────────────────────

const QUOTE_FIELDS = [
  ['ts', new TimestampMicrosecond('UTC')],
  ['bid', new Float64()],
  ['ask', new Float64()],
  ['bid_size', new Uint32()],
  ['ask_size', new Uint32()],
] as const;

const TRADE_FIELDS = [
  ['ts', new TimestampMicrosecond('UTC')],
  ['price', new Float64()],
  ['size', new Uint32()],
  ['exchange', new Uint8()],
  ['eligible', new Bool()],
] as const;

function schemaFor(kind: TapeKind, symbol: string, day: string): Schema {
  const fields = (kind === 'quotes' ? QUOTE_FIELDS : TRADE_FIELDS).map(([name, type]) => new Field(name, type, false));
  const metadata = new Map([
    ['ladderlab.kind', kind],
    ['ladderlab.symbol', symbol],
    ['ladderlab.day', day],
  ]);
  return new Schema(fields, metadata);
}

/** Epoch µs held in doubles → int64 for the Arrow timestamp column (values must be integers). */
function toInt64(ts: Float64Array, length: number, what: string): BigInt64Array {
  const out = new BigInt64Array(length);
  const words = new Uint32Array(out.buffer);
  let prev = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = ts[i];
    if (!Number.isSafeInteger(v)) throw new Error(`${what}: ts[${i}] = ${v} is not an integer µs`);
    if (v < prev) throw new Error(`${what}: ts[${i}] = ${v} is before ts[${i - 1}] = ${prev}`);
    prev = v;
    // The int64's two little-endian 32-bit words, no BigInt per row: v = hi · 2^32 + lo.
    const hi = Math.floor(v / 4294967296);
    words[2 * i] = v - hi * 4294967296;
    words[2 * i + 1] = hi;
  }
  return out;
}

function toUint32(values: Float64Array, length: number, what: string): Uint32Array {
  const out = new Uint32Array(length);
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new Error(`${what}[${i}] = ${v} is not a uint32 share count`);
    out[i] = v;
  }
  return out;
}

/** 0/1 bytes → Arrow's little-endian validity-style bitmap. */
function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) if (bytes[i]) out[i >> 3] |= 1 << (i & 7);
  return out;
}

function batchBytes(schema: Schema, length: number, children: Data[]): Uint8Array {
  const struct = makeData({ type: new Struct(schema.fields), length, nullCount: 0, children });
  const table = new Table(schema, [new RecordBatch(schema, struct)]);
  return tableToIPC(table, 'file');
}

export function quotesToArrow(q: QuoteColumns, symbol: string, day: string): Uint8Array {
  const n = q.length;
  const what = `${symbol} ${day} quotes`;
  const schema = schemaFor('quotes', symbol, day);
  return batchBytes(schema, n, [
    makeData({ type: new TimestampMicrosecond('UTC'), length: n, nullCount: 0, data: toInt64(q.ts, n, what) }),
    makeData({ type: new Float64(), length: n, nullCount: 0, data: q.bid.slice(0, n) }),
    makeData({ type: new Float64(), length: n, nullCount: 0, data: q.ask.slice(0, n) }),
    makeData({ type: new Uint32(), length: n, nullCount: 0, data: toUint32(q.bidSize, n, `${what} bid_size`) }),
    makeData({ type: new Uint32(), length: n, nullCount: 0, data: toUint32(q.askSize, n, `${what} ask_size`) }),
  ]);
}

export function tradesToArrow(t: TradeColumns, symbol: string, day: string): Uint8Array {
  const n = t.length;
  const what = `${symbol} ${day} trades`;
  const schema = schemaFor('trades', symbol, day);
  return batchBytes(schema, n, [
    makeData({ type: new TimestampMicrosecond('UTC'), length: n, nullCount: 0, data: toInt64(t.ts, n, what) }),
    makeData({ type: new Float64(), length: n, nullCount: 0, data: t.price.slice(0, n) }),
    makeData({ type: new Uint32(), length: n, nullCount: 0, data: toUint32(t.size, n, `${what} size`) }),
    makeData({ type: new Uint8(), length: n, nullCount: 0, data: t.exchange.slice(0, n) }),
    makeData({ type: new Bool(), length: n, nullCount: 0, data: packBits(t.eligible, n) }),
  ]);
}

// ───────────────────────── decoding ─────────────────────────

function typeName(t: DataType): string {
  return String(t);
}

/** The one chunk's Data for `name`, checked against the expected Arrow type id (and unit). */
function columnData(table: Table, file: string, name: string, typeId: Type, unit?: TimeUnit): Data[] {
  const column = table.getChild(name);
  if (!column) throw new InputError(`${file}: missing column "${name}"`);
  const type = column.type as DataType & { unit?: TimeUnit };
  if (type.typeId !== typeId || (unit !== undefined && type.unit !== unit)) {
    throw new InputError(`${file}: column "${name}" has type ${typeName(type)}, expected ${Type[typeId]}${unit !== undefined ? `[${TimeUnit[unit]}]` : ''}`);
  }
  if (column.nullCount > 0) throw new InputError(`${file}: column "${name}" has ${column.nullCount} nulls`);
  return column.data as Data[];
}

/** int64 µs (little-endian) → doubles, without BigInt: v = hi · 2^32 + lo. */
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

const ARROW_MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

function startsWithArrowMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && ARROW_MAGIC.every((b, i) => bytes[i] === b);
}

function readTable(file: string): Table {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new InputError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!startsWithArrowMagic(bytes)) throw new InputError(`${file}: not an Arrow IPC file (no ARROW1 magic)`);
  try {
    return tableFromIPC(bytes);
  } catch (err) {
    throw new InputError(`${file}: not an Arrow IPC file (${(err as Error).message})`);
  }
}

function checkSorted(ts: Float64Array, file: string): void {
  for (let i = 1; i < ts.length; i++) {
    if (ts[i] < ts[i - 1]) throw new InputError(`${file}: row ${i}: field "ts" is earlier than the row before`);
  }
}

export function loadQuotes(file: string): QuoteColumns {
  const table = readTable(file);
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

export function loadTrades(file: string): TradeColumns {
  const table = readTable(file);
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
