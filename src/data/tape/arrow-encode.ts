/**
 * The tape's Arrow IPC encoding (one file per symbol-day and kind; tape.ts gives the schema):
 * columns → bytes, with apache-arrow. The same columns always give the same bytes. Reading is
 * arrow-decode.ts (flechette): only writers load this module, so a sweep worker, which only
 * reads tapes, never loads apache-arrow (most of its start-up).
 */
import {
  Bool,
  Field,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  TimestampMicrosecond,
  Uint32,
  Uint8,
  type Data,
} from 'apache-arrow';
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
