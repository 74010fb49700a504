/**
 * The tape: one symbol-day of quotes and trades, held as typed-array columns (no per-row objects).
 * Times are integer epoch microseconds (UTC) stored in Float64Array (exact below 2^53).
 *
 * On disk (Arrow IPC files, one per symbol-day and kind):
 *   DIR/<SYMBOL>/<YYYY-MM-DD>.quotes.arrow  ts timestamp[µs, UTC], bid float64, ask float64,
 *                                           bid_size uint32, ask_size uint32
 *   DIR/<SYMBOL>/<YYYY-MM-DD>.trades.arrow  ts timestamp[µs, UTC], price float64, size uint32,
 *                                           exchange uint8 (exchanges.ts), eligible bool
 * No nulls; rows sorted by ts (ties keep input order). Schema metadata: ladderlab.kind,
 * ladderlab.symbol, ladderlab.day. Files are written to a temp name and renamed, and the same
 * columns always give the same bytes.
 *
 * Quotes are kept as the market showed them, locked (bid = ask) and crossed (bid > ask) ones
 * included: the engine never prices from them and the fill models never fill against a crossed
 * quote (ladder.ts `quoteProblem`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
import { isValidDay } from '../../core/calendar.ts';
import { InputError } from '../../core/errors.ts';
import { writeFilesAtomic } from '../../core/atomic-write.ts';
import { exchangeCode, OFF_EXCHANGE_CODE } from './exchanges.ts';

export interface QuoteColumns {
  length: number;
  ts: Float64Array;
  bid: Float64Array;
  ask: Float64Array;
  bidSize: Float64Array;
  askSize: Float64Array;
}

export interface TradeColumns {
  length: number;
  ts: Float64Array;
  price: Float64Array;
  size: Float64Array;
  exchange: Uint8Array;
  /** 1 when a displayed exchange order could have met this print; 0 for off-exchange (D) and special conditions. */
  eligible: Uint8Array;
}

export interface SymbolDay {
  symbol: string;
  /** New York trading date, YYYY-MM-DD. */
  day: string;
  quotes: QuoteColumns;
  trades: TradeColumns;
}

export type TapeKind = 'quotes' | 'trades';

/** Symbols become directory names: letters, digits and . - _ / ^ only (BRK.B, BF-B). */
const SYMBOL_RE = /^[A-Za-z0-9][A-Za-z0-9._\-^]{0,31}$/;

export function isValidSymbol(symbol: string): boolean {
  return SYMBOL_RE.test(symbol);
}

// ───────────────────────── columns in memory ─────────────────────────

export function allocQuoteColumns(capacity: number): QuoteColumns {
  return {
    length: 0,
    ts: new Float64Array(capacity),
    bid: new Float64Array(capacity),
    ask: new Float64Array(capacity),
    bidSize: new Float64Array(capacity),
    askSize: new Float64Array(capacity),
  };
}

export function allocTradeColumns(capacity: number): TradeColumns {
  return {
    length: 0,
    ts: new Float64Array(capacity),
    price: new Float64Array(capacity),
    size: new Float64Array(capacity),
    exchange: new Uint8Array(capacity),
    eligible: new Uint8Array(capacity),
  };
}

/** Columns cut to `length` rows (views, no copy). */
export function trimQuoteColumns(q: QuoteColumns, length = q.length): QuoteColumns {
  return {
    length,
    ts: q.ts.subarray(0, length),
    bid: q.bid.subarray(0, length),
    ask: q.ask.subarray(0, length),
    bidSize: q.bidSize.subarray(0, length),
    askSize: q.askSize.subarray(0, length),
  };
}

export function trimTradeColumns(t: TradeColumns, length = t.length): TradeColumns {
  return {
    length,
    ts: t.ts.subarray(0, length),
    price: t.price.subarray(0, length),
    size: t.size.subarray(0, length),
    exchange: t.exchange.subarray(0, length),
    eligible: t.eligible.subarray(0, length),
  };
}

/** A quote row for tests: [tsUs, bid, ask, bidSize?, askSize?] or an object; sizes default to 100. */
export type QuoteRow =
  | readonly [tsUs: number, bid: number, ask: number, bidSize?: number, askSize?: number]
  | { tsUs: number; bid: number; ask: number; bidSize?: number; askSize?: number };

/**
 * A trade row for tests: [tsUs, price, size, exchange?, eligible?] or an object. Exchange is a
 * letter (default 'N'); eligible defaults to true except for off-exchange 'D' prints.
 */
export type TradeRow =
  | readonly [tsUs: number, price: number, size: number, exchange?: string, eligible?: boolean]
  | { tsUs: number; price: number; size: number; exchange?: string; eligible?: boolean };

/** Build quote columns from a few rows (tests, examples). */
export function makeQuoteColumns(rows: readonly QuoteRow[]): QuoteColumns {
  const q = allocQuoteColumns(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const [tsUs, bid, ask, bidSize, askSize] = Array.isArray(r)
      ? (r as readonly number[])
      : [(r as { tsUs: number }).tsUs, (r as { bid: number }).bid, (r as { ask: number }).ask, (r as { bidSize?: number }).bidSize, (r as { askSize?: number }).askSize];
    q.ts[i] = tsUs;
    q.bid[i] = bid;
    q.ask[i] = ask;
    q.bidSize[i] = bidSize ?? 100;
    q.askSize[i] = askSize ?? 100;
  }
  q.length = rows.length;
  return q;
}

/** Build trade columns from a few rows (tests, examples). */
export function makeTradeColumns(rows: readonly TradeRow[]): TradeColumns {
  const t = allocTradeColumns(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let tsUs: number, price: number, size: number, exchange: string | undefined, eligible: boolean | undefined;
    if (Array.isArray(r)) {
      [tsUs, price, size, exchange, eligible] = r as [number, number, number, string?, boolean?];
    } else {
      ({ tsUs, price, size, exchange, eligible } = r as Exclude<TradeRow, readonly unknown[]>);
    }
    const code = exchangeCode(exchange ?? 'N');
    if (code < 0) throw new Error(`makeTradeColumns row ${i}: bad exchange ${JSON.stringify(exchange)}`);
    t.ts[i] = tsUs;
    t.price[i] = price;
    t.size[i] = size;
    t.exchange[i] = code;
    t.eligible[i] = (eligible ?? code !== OFF_EXCHANGE_CODE) ? 1 : 0;
  }
  t.length = rows.length;
  return t;
}

// ───────────────────────── lookups ─────────────────────────

/** Lowest index i with ts[i] ≥ tsUs (ts sorted ascending); ts.length when there is none. */
export function firstIndexAtOrAfter(ts: Float64Array, tsUs: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < tsUs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Lowest index i with ts[i] > tsUs; ts.length when there is none (an order arriving at t skips prints stamped t). */
export function firstIndexAfter(ts: Float64Array, tsUs: number): number {
  return upperBound(ts, ts.length, tsUs);
}

/** Lowest index i < length with ts[i] > tsUs, else length. */
function upperBound(ts: Float64Array, length: number, tsUs: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= tsUs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Highest index i with ts[i] ≤ tsUs, or −1 when every row is later. */
export function lastIndexAtOrBefore(ts: Float64Array, tsUs: number): number {
  return upperBound(ts, ts.length, tsUs) - 1;
}

/** The quote in force at tsUs: index of the last quote stamped ≤ tsUs, or −1 if none yet. */
export function lastQuoteAtOrBefore(quotes: QuoteColumns, tsUs: number): number {
  return upperBound(quotes.ts, quotes.length, tsUs) - 1;
}

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
  let prev = -Infinity;
  for (let i = 0; i < length; i++) {
    const v = ts[i];
    if (!Number.isSafeInteger(v)) throw new Error(`${what}: ts[${i}] = ${v} is not an integer µs`);
    if (v < prev) throw new Error(`${what}: ts[${i}] = ${v} is before ts[${i - 1}] = ${prev}`);
    prev = v;
    out[i] = BigInt(v);
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

// ───────────────────────── files ─────────────────────────

export function tapePath(dir: string, symbol: string, day: string, kind: TapeKind): string {
  return join(dir, symbol, `${day}.${kind}.arrow`);
}

/**
 * Write DIR/<SYMBOL>/<DAY>.quotes.arrow and .trades.arrow. Both are written to temp files first
 * and renamed only when both are complete, so a failure leaves no partial tape behind.
 * Returns the two final paths.
 */
export function writeSymbolDay(dir: string, symbolDay: SymbolDay): { quotes: string; trades: string } {
  return writeSymbolDays(dir, [symbolDay])[0];
}

/**
 * Write several symbol-days at once: every file is encoded and written to a temp name first,
 * and only then are all renamed into place (on any error the temps are removed).
 */
export function writeSymbolDays(dir: string, symbolDays: readonly SymbolDay[]): { quotes: string; trades: string }[] {
  const files: Record<string, Uint8Array> = {};
  const result: { quotes: string; trades: string }[] = [];
  for (const sd of symbolDays) {
    const { symbol, day } = sd;
    if (!isValidSymbol(symbol)) throw new InputError(`symbol ${JSON.stringify(symbol)}: use letters, digits and . - _ ^ only`);
    if (!isValidDay(day)) throw new InputError(`day ${JSON.stringify(day)}: expected YYYY-MM-DD`);
    const finals = { quotes: tapePath(dir, symbol, day, 'quotes'), trades: tapePath(dir, symbol, day, 'trades') };
    files[finals.quotes] = quotesToArrow(sd.quotes, symbol, day);
    files[finals.trades] = tradesToArrow(sd.trades, symbol, day);
    result.push(finals);
  }
  writeFilesAtomic(files);
  return result;
}

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

/** Load one symbol-day into typed arrays, once; no per-row objects. */
export function loadSymbolDay(dir: string, symbol: string, day: string): SymbolDay {
  return {
    symbol,
    day,
    quotes: loadQuotes(tapePath(dir, symbol, day, 'quotes')),
    trades: loadTrades(tapePath(dir, symbol, day, 'trades')),
  };
}

const TAPE_FILE_RE = /^(\d{4}-\d{2}-\d{2})\.quotes\.arrow$/;

/** Every symbol-day in DIR with both files present, sorted by symbol then day. */
export function listTapes(dir: string): { symbol: string; day: string }[] {
  if (!existsSync(dir)) return [];
  const out: { symbol: string; day: string }[] = [];
  for (const symbol of readdirSync(dir).sort()) {
    const sub = join(dir, symbol);
    if (!isValidSymbol(symbol) || !statSync(sub).isDirectory()) continue;
    for (const name of readdirSync(sub).sort()) {
      const m = TAPE_FILE_RE.exec(name);
      if (m && isValidDay(m[1]) && existsSync(join(sub, `${m[1]}.trades.arrow`))) out.push({ symbol, day: m[1] });
    }
  }
  return out;
}
