/**
 * Writes a backtest-shaped run directory (records.arrow, children.arrow, fills.arrow, run.json,
 * optionally baseline.arrow and a tape) from hand-made ExecutionRecords, following the schema the
 * backtest writes, so the report's loader and the end-to-end test run without the simulator.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bool, Float64, Int32, Table, TimestampMicrosecond, Utf8, makeData, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import type { Vector } from 'apache-arrow';
import type { ExecutionRecord } from '../../src/engine/types.ts';
import { makeQuoteColumns, makeTradeColumns } from '../../src/data/tape/tape.ts';
import { writeSymbolDay } from '../../src/data/tape/write.ts';

function validity(values: (number | null)[]): { nullBitmap: Uint8Array; nullCount: number } {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) nullCount++;
    else bits[i >> 3] |= 1 << (i & 7);
  });
  return { nullBitmap: bits, nullCount };
}

/** timestamp[µs, UTC] from epoch-µs numbers (null/NaN → null). */
function timestamps(values: (number | null)[]): Vector {
  const data = new BigInt64Array(values.map((v) => (v === null || !Number.isFinite(v) ? 0n : BigInt(Math.round(v)))));
  return makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: values.length, data, ...validity(values) }));
}

function floats(values: (number | null)[]): Vector {
  return vectorFromArray(values.map((v) => (v === null || !Number.isFinite(v) ? null : v)), new Float64());
}

function ints(values: number[]): Vector {
  return vectorFromArray(values, new Int32());
}

function strings(values: (string | null)[]): Vector {
  return vectorFromArray(values, new Utf8());
}

function write(path: string, columns: Record<string, Vector>): void {
  writeFileSync(path, tableToIPC(new Table(columns), 'file'));
}

export function writeParents(path: string, records: readonly ExecutionRecord[]): void {
  write(path, {
    client_order_id: strings(records.map((r) => r.clientOrderId)),
    symbol: strings(records.map((r) => r.symbol)),
    side: strings(records.map((r) => r.side)),
    qty: floats(records.map((r) => r.qty)),
    filled_qty: floats(records.map((r) => r.filledQty)),
    arrival_ts: timestamps(records.map((r) => r.arrivalTsUs)),
    arrival_bid: floats(records.map((r) => r.arrivalBid)),
    arrival_ask: floats(records.map((r) => r.arrivalAsk)),
    arrival_bid_size: floats(records.map((r) => r.arrivalBidSize)),
    arrival_ask_size: floats(records.map((r) => r.arrivalAskSize)),
    avg_price: floats(records.map((r) => r.avgPrice)),
    fill_step: ints(records.map((r) => r.fillStep)),
    time_to_fill_ms: floats(records.map((r) => r.timeToFillUs / 1000)),
    end_ts: timestamps(records.map((r) => r.endTsUs)),
    status: strings(records.map((r) => r.status)),
    reason: strings(records.map((r) => r.reason)),
  });
}

export interface RunFixture {
  dir: string;
  records: readonly ExecutionRecord[];
  baseline?: readonly ExecutionRecord[];
  /** Tape quotes to write under DIR/tape: [symbol, day, rows]. */
  tape?: { symbol: string; day: string; quotes: [number, number, number][] }[];
  seed?: number | string;
}

export function writeRunDir(fixture: RunFixture): void {
  const { dir, records } = fixture;
  mkdirSync(dir, { recursive: true });
  writeParents(join(dir, 'records.arrow'), records);
  const children = records.flatMap((r) => r.children.map((c) => ({ parent: r.clientOrderId, c })));
  write(join(dir, 'children.arrow'), {
    client_order_id: strings(children.map((x) => x.parent)),
    child_id: strings(children.map((x) => x.c.clientOrderId)),
    step: ints(children.map((x) => x.c.step)),
    is_market_step: vectorFromArray(children.map((x) => x.c.isMarketStep), new Bool()),
    limit_price: floats(children.map((x) => x.c.limitPrice)),
    qty: floats(children.map((x) => x.c.qty)),
    sent_ts: timestamps(children.map((x) => x.c.sentTsUs)),
    ack_ts: timestamps(children.map((x) => x.c.ackTsUs)),
    cancel_sent_ts: timestamps(children.map((x) => x.c.cancelSentTsUs)),
    done_ts: timestamps(children.map((x) => x.c.doneTsUs)),
    status: strings(children.map((x) => x.c.status)),
    sent_bid: floats(children.map((x) => x.c.sentBid)),
    sent_ask: floats(children.map((x) => x.c.sentAsk)),
    filled_qty: floats(children.map((x) => x.c.filledQty)),
  });
  const fills = records.flatMap((r) => r.children.flatMap((c) => c.fills.map((f) => ({ parent: r.clientOrderId, child: c.clientOrderId, f }))));
  write(join(dir, 'fills.arrow'), {
    client_order_id: strings(fills.map((x) => x.parent)),
    child_id: strings(fills.map((x) => x.child)),
    exec_id: strings(fills.map((x) => x.f.execId)),
    ts: timestamps(fills.map((x) => x.f.tsUs)),
    price: floats(fills.map((x) => x.f.price)),
    qty: floats(fills.map((x) => x.f.qty)),
    step: ints(fills.map((x) => x.f.step)),
  });
  if (fixture.baseline) writeParents(join(dir, 'baseline.arrow'), fixture.baseline);
  let dataDir: string | undefined;
  if (fixture.tape) {
    dataDir = join(dir, 'tape');
    for (const t of fixture.tape) {
      writeSymbolDay(dataDir, { symbol: t.symbol, day: t.day, quotes: makeQuoteColumns(t.quotes), trades: makeTradeColumns([]) });
    }
  }
  const runJson = {
    config: { seed: fixture.seed ?? 7 },
    seed: fixture.seed ?? 7,
    dataDir,
    orders: 'generated',
    counts: { parents: records.length },
  };
  writeFileSync(join(dir, 'run.json'), `${JSON.stringify(runJson, null, 2)}\n`);
}
