/**
 * Reading a tape file (Arrow IPC, tape.ts gives the schema) into typed-array columns, checked
 * against the expected types, with errors naming the file, the column or the row. It reads with
 * flechette, whose loader is a fraction of apache-arrow's: a sweep worker reads tapes and never
 * writes them, and apache-arrow (the encoder, arrow-encode.ts) was most of its start-up.
 *
 * The columns are taken from the raw buffers of each record batch (no per-row getters, no BigInt).
 */
import { readFileSync } from 'node:fs';
import { Precision, tableFromIPC, TimeUnit, Type, type Batch, type Column, type Table } from '@uwdata/flechette';
import { InputError } from '../../core/errors.ts';
import type { QuoteColumns, TradeColumns } from './columns.ts';

/** flechette's type descriptors, as far as the tape's checks read them. */
interface ArrowType {
  typeId: number;
  bitWidth?: number;
  signed?: boolean;
  precision?: number;
  unit?: number;
  timezone?: string | null;
}

type Batches = readonly Batch<unknown>[];

const TYPE_NAMES = new Map(Object.entries(Type).map(([name, id]) => [id as number, name]));
const UNIT_NAMES = new Map(Object.entries(TimeUnit).map(([name, id]) => [id as number, name]));
const FLOAT_BITS = new Map<number, number>([
  [Precision.HALF, 16],
  [Precision.SINGLE, 32],
  [Precision.DOUBLE, 64],
]);

/** A type as a reader would write it: Float64, Uint32, Int64, Timestamp<MICROSECOND, UTC>, Bool, Utf8. */
export function arrowTypeName(t: ArrowType): string {
  if (t.typeId === Type.Int) return `${t.signed ? 'Int' : 'Uint'}${t.bitWidth}`;
  if (t.typeId === Type.Float) return `Float${FLOAT_BITS.get(t.precision!) ?? '?'}`;
  if (t.typeId === Type.Timestamp) return `Timestamp<${UNIT_NAMES.get(t.unit!) ?? t.unit}${t.timezone ? `, ${t.timezone}` : ''}>`;
  return TYPE_NAMES.get(t.typeId) ?? `type ${t.typeId}`;
}

/**
 * What each kind of tape column accepts: the type the encoder writes, plus narrower numbers that
 * convert exactly (Float32 prices, 8/16-bit sizes), as the apache-arrow reader accepted them.
 */
const EXPECTED = {
  timestampUs: { name: 'Timestamp<MICROSECOND>', accepts: (t: ArrowType) => t.typeId === Type.Timestamp && t.unit === TimeUnit.MICROSECOND },
  float: { name: 'Float64', accepts: (t: ArrowType) => t.typeId === Type.Float && t.precision !== Precision.HALF },
  count: { name: 'Uint32', accepts: (t: ArrowType) => t.typeId === Type.Int && t.bitWidth! <= 32 },
  byte: { name: 'Uint8', accepts: (t: ArrowType) => t.typeId === Type.Int && t.bitWidth === 8 && !t.signed },
  bool: { name: 'Bool', accepts: (t: ArrowType) => t.typeId === Type.Bool },
} as const;

/** The record batches of column `name`, checked for presence, type and nulls. */
function columnBatches(table: Table, file: string, name: string, expected: (typeof EXPECTED)[keyof typeof EXPECTED]): Batches {
  const column = table.getChild(name) as Column<unknown> | undefined;
  if (!column) throw new InputError(`${file}: missing column "${name}"`);
  const type = column.type as ArrowType;
  if (!expected.accepts(type)) throw new InputError(`${file}: column "${name}" has type ${arrowTypeName(type)}, expected ${expected.name}`);
  if (column.nullCount > 0) throw new InputError(`${file}: column "${name}" has ${column.nullCount} nulls`);
  return column.data;
}

/**
 * int64 µs → doubles, without BigInt, from each value's two little-endian 32-bit words:
 * v = hi · 2^32 + (lo as unsigned), hi signed — exact for |v| < 2^53.
 */
function timestampsToFloat64(batches: Batches, length: number): Float64Array {
  const out = new Float64Array(length);
  let k = 0;
  for (const b of batches) {
    const v = b.values as BigInt64Array;
    const words = new Int32Array(v.buffer, v.byteOffset, b.length * 2);
    for (let i = 0; i < b.length; i++) out[k++] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
  }
  return out;
}

/** Numbers → one Float64Array: a single Float64 batch is a view on the file's bytes, others are copied. */
function numbersToFloat64(batches: Batches, length: number): Float64Array {
  if (batches.length === 1 && batches[0].values instanceof Float64Array) return batches[0].values.subarray(0, length);
  const out = new Float64Array(length);
  let k = 0;
  for (const b of batches) {
    out.set((b.values as Float64Array | Float32Array | Uint32Array).subarray(0, b.length), k);
    k += b.length;
  }
  return out;
}

function bytesColumn(batches: Batches, length: number): Uint8Array {
  if (batches.length === 1) return (batches[0].values as Uint8Array).subarray(0, length);
  const out = new Uint8Array(length);
  let k = 0;
  for (const b of batches) {
    out.set((b.values as Uint8Array).subarray(0, b.length), k);
    k += b.length;
  }
  return out;
}

/** Bit-packed booleans (bit i of a batch = byte i >> 3, bit i & 7; IPC batches start at bit 0) → 0/1 bytes. */
function unpackBits(batches: Batches, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let k = 0;
  for (const b of batches) {
    const bits = b.values as Uint8Array;
    for (let i = 0; i < b.length; i++) out[k++] = (bits[i >> 3] >> (i & 7)) & 1;
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
  // flechette views the buffers in place: a Float64Array or BigInt64Array view needs 8-byte alignment.
  if (bytes.byteOffset % 8 !== 0) bytes = bytes.slice();
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
    ts: timestampsToFloat64(columnBatches(table, file, 'ts', EXPECTED.timestampUs), n),
    bid: numbersToFloat64(columnBatches(table, file, 'bid', EXPECTED.float), n),
    ask: numbersToFloat64(columnBatches(table, file, 'ask', EXPECTED.float), n),
    bidSize: numbersToFloat64(columnBatches(table, file, 'bid_size', EXPECTED.count), n),
    askSize: numbersToFloat64(columnBatches(table, file, 'ask_size', EXPECTED.count), n),
  };
  checkSorted(quotes.ts, file);
  return quotes;
}

export function loadTrades(file: string): TradeColumns {
  const table = readTable(file);
  const n = table.numRows;
  const trades: TradeColumns = {
    length: n,
    ts: timestampsToFloat64(columnBatches(table, file, 'ts', EXPECTED.timestampUs), n),
    price: numbersToFloat64(columnBatches(table, file, 'price', EXPECTED.float), n),
    size: numbersToFloat64(columnBatches(table, file, 'size', EXPECTED.count), n),
    exchange: bytesColumn(columnBatches(table, file, 'exchange', EXPECTED.byte), n),
    eligible: unpackBits(columnBatches(table, file, 'eligible', EXPECTED.bool), n),
  };
  checkSorted(trades.ts, file);
  return trades;
}
