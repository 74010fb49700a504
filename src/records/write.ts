/**
 * A backtest run directory on disk (the reports read exactly these names and columns):
 *
 *   records.arrow   one row per parent:
 *     client_order_id, symbol, side ('buy'|'sell') utf8; qty, filled_qty float64;
 *     arrival_ts timestamp[µs, UTC]; arrival_bid, arrival_ask, arrival_bid_size, arrival_ask_size;
 *     avg_price (null when nothing filled); fill_step int32 (−1 none; progressive_steps = market
 *     step); time_to_fill_ms (null when none); end_ts timestamp[µs]; status utf8; reason utf8
 *     (null when filled); spread_pct_arrival = (ask₀ − bid₀)/ask₀ · 100 (the engine's spreadPct,
 *     null without an arrival quote); step_percentages list<float64>: the step percentage each
 *     limit step actually used (adaptive or configured; null for a step never priced).
 *     Records hold facts only: every metric (shortfall, improvements, fill rates) is computed from
 *     them by src/reports/metrics.ts, its one definition, which may need the tape's mids.
 *   children.arrow  one row per child: client_order_id (parent), child_id, step int32,
 *     is_market_step bool, limit_price, qty, sent_ts, ack_ts, ack_recv_ts, cancel_sent_ts, done_ts
 *     (nullable timestamps; ack_ts is the venue's time, ack_recv_ts when the engine got it), status,
 *     sent_bid, sent_ask, filled_qty, reject_reason (nullable), replaces (nullable: the child this
 *     one replaced with Market.replace), steps_kept list<int32> (later steps whose price equalled
 *     this child's, so it kept working)
 *   fills.arrow     one row per fill: client_order_id, child_id, exec_id, ts (venue), recv_ts (when
 *                   the engine got it; nullable), price, qty, step int32
 *   baseline.arrow  optional, records.arrow's schema: the same parents as market steps at arrival,
 *     with baseline_children.arrow and baseline_fills.arrow (children.arrow's and fills.arrow's schemas)
 *   robustness.arrow optional: the same parents under other fill models and latencies (robustness.ts)
 *   run.json        the config used, data dir, orders source, seed, counts, ladderlab version
 *
 * Every float that is NaN in memory is null on disk. Each file is written to a temp name in the
 * directory and all are renamed only once every one is complete. Same records → same bytes.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFilesAtomic } from '../core/atomic-write.ts';
import { join } from 'node:path';
import { Bool, Field, Float64, Int32, List, makeData, makeVector, Table, tableToIPC, TimestampMicrosecond, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { spreadPct } from '../engine/ladder.ts';
import type { ExecutionRecord } from '../engine/types.ts';
import { type RobustnessScenario, robustnessToArrow } from './robustness.ts';

function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

// ── columns (apache-arrow: timestamps written as exact int64 µs, never through float ms) ──────

const str = (values: (string | null)[]): Vector => vectorFromArray(values, new Utf8());
const f64 = (values: (number | null)[]): Vector => vectorFromArray(values, new Float64());
const i32 = (values: number[]): Vector => vectorFromArray(values, new Int32());
const bool = (values: boolean[]): Vector => vectorFromArray(values, new Bool());

/** timestamp[µs, UTC] from epoch µs (null/NaN → null). */
function tsUs(values: (number | null)[]): Vector {
  const n = values.length;
  const data = new BigInt64Array(n);
  const validity = new Uint8Array(Math.ceil(n / 8));
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || !Number.isFinite(v)) {
      nullCount++;
      continue;
    }
    data[i] = BigInt(Math.round(v));
    validity[i >> 3] |= 1 << (i & 7);
  }
  return makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: n, nullCount, nullBitmap: nullCount > 0 ? validity : undefined, data }));
}

function toArrowFile(columns: Record<string, Vector>): Uint8Array {
  return tableToIPC(new Table(columns), 'file');
}

/** list<float64> or list<int32> cells; NaN or a hole → null item. */
function numberLists(values: readonly (readonly number[])[], item: Float64 | Int32): Vector {
  const cells = values.map((list) => Array.from({ length: list.length }, (_, i) => (Number.isFinite(list[i]) ? list[i] : null)));
  return vectorFromArray(cells, new List(new Field('item', item, true)));
}

export function recordsToArrow(records: readonly ExecutionRecord[]): Uint8Array {
  return toArrowFile({
    client_order_id: str(records.map((r) => r.clientOrderId)),
    symbol: str(records.map((r) => r.symbol)),
    side: str(records.map((r) => r.side)),
    qty: f64(records.map((r) => r.qty)),
    filled_qty: f64(records.map((r) => r.filledQty)),
    arrival_ts: tsUs(records.map((r) => r.arrivalTsUs)),
    arrival_bid: f64(records.map((r) => orNull(r.arrivalBid))),
    arrival_ask: f64(records.map((r) => orNull(r.arrivalAsk))),
    arrival_bid_size: f64(records.map((r) => orNull(r.arrivalBidSize))),
    arrival_ask_size: f64(records.map((r) => orNull(r.arrivalAskSize))),
    avg_price: f64(records.map((r) => (r.filledQty > 0 ? orNull(r.avgPrice) : null))),
    fill_step: i32(records.map((r) => r.fillStep)),
    time_to_fill_ms: f64(records.map((r) => (Number.isFinite(r.timeToFillUs) ? r.timeToFillUs / 1000 : null))),
    end_ts: tsUs(records.map((r) => r.endTsUs)),
    status: str(records.map((r) => r.status)),
    reason: str(records.map((r) => r.reason)),
    spread_pct_arrival: f64(records.map((r) => (r.arrivalBid > 0 && r.arrivalAsk > 0 ? orNull(spreadPct(r.arrivalBid, r.arrivalAsk)) : null))),
    step_percentages: numberLists(records.map((r) => r.stepPercentages), new Float64()),
  });
}

export function childrenToArrow(records: readonly ExecutionRecord[]): Uint8Array {
  const rows = records.flatMap((r) => r.children.map((c) => ({ parent: r.clientOrderId, c })));
  return toArrowFile({
    client_order_id: str(rows.map((x) => x.parent)),
    child_id: str(rows.map((x) => x.c.clientOrderId)),
    step: i32(rows.map((x) => x.c.step)),
    is_market_step: bool(rows.map((x) => x.c.isMarketStep)),
    limit_price: f64(rows.map((x) => x.c.limitPrice)),
    qty: f64(rows.map((x) => x.c.qty)),
    sent_ts: tsUs(rows.map((x) => x.c.sentTsUs)),
    ack_ts: tsUs(rows.map((x) => x.c.ackTsUs)),
    ack_recv_ts: tsUs(rows.map((x) => x.c.ackRecvTsUs ?? null)),
    cancel_sent_ts: tsUs(rows.map((x) => x.c.cancelSentTsUs)),
    done_ts: tsUs(rows.map((x) => x.c.doneTsUs)),
    status: str(rows.map((x) => x.c.status)),
    sent_bid: f64(rows.map((x) => orNull(x.c.sentBid))),
    sent_ask: f64(rows.map((x) => orNull(x.c.sentAsk))),
    filled_qty: f64(rows.map((x) => x.c.filledQty)),
    reject_reason: str(rows.map((x) => x.c.rejectReason)),
    replaces: str(rows.map((x) => x.c.replaces ?? null)),
    steps_kept: numberLists(rows.map((x) => x.c.stepsKept), new Int32()),
  });
}

export function fillsToArrow(records: readonly ExecutionRecord[]): Uint8Array {
  const rows = records.flatMap((r) => r.children.flatMap((c) => c.fills.map((f) => ({ parent: r.clientOrderId, child: c.clientOrderId, f }))));
  return toArrowFile({
    client_order_id: str(rows.map((x) => x.parent)),
    child_id: str(rows.map((x) => x.child)),
    exec_id: str(rows.map((x) => x.f.execId)),
    ts: tsUs(rows.map((x) => x.f.tsUs)),
    recv_ts: tsUs(rows.map((x) => x.f.recvTsUs ?? null)),
    price: f64(rows.map((x) => x.f.price)),
    qty: f64(rows.map((x) => x.f.qty)),
    step: i32(rows.map((x) => x.f.step)),
  });
}

export interface RunCounts {
  parents: number;
  filled: number;
  partial: number;
  unfilled: number;
  rejected: number;
  children: number;
  fills: number;
}

export function countRecords(records: readonly ExecutionRecord[]): RunCounts {
  const counts: RunCounts = { parents: records.length, filled: 0, partial: 0, unfilled: 0, rejected: 0, children: 0, fills: 0 };
  for (const r of records) {
    counts[r.status]++;
    counts.children += r.children.length;
    for (const c of r.children) counts.fills += c.fills.length;
  }
  return counts;
}

/** The package version, for run.json. */
export function ladderlabVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface RunOutput {
  records: readonly ExecutionRecord[];
  /** The market-order baseline records, when it was run. */
  baseline?: readonly ExecutionRecord[];
  /** The robustness band (robustness.ts), when it was run. */
  robustness?: readonly RobustnessScenario[];
  /** run.json's content besides `counts` and `files`, which are filled in here. */
  manifest: Record<string, unknown>;
}

/** Write the run directory: every file to a temp name first, then all renamed. Returns the paths. */
export function writeRunDir(outDir: string, output: RunOutput): Record<string, string> {
  mkdirSync(outDir, { recursive: true });
  const files: Record<string, Uint8Array | string> = {
    'records.arrow': recordsToArrow(output.records),
    'children.arrow': childrenToArrow(output.records),
    'fills.arrow': fillsToArrow(output.records),
  };
  if (output.baseline) {
    files['baseline.arrow'] = recordsToArrow(output.baseline);
    files['baseline_children.arrow'] = childrenToArrow(output.baseline);
    files['baseline_fills.arrow'] = fillsToArrow(output.baseline);
  }
  if (output.robustness) files['robustness.arrow'] = robustnessToArrow(output.robustness);
  const manifest = {
    ...output.manifest,
    counts: countRecords(output.records),
    ...(output.baseline ? { baselineCounts: countRecords(output.baseline) } : {}),
    files: Object.keys(files).concat('run.json'),
  };
  files['run.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFilesAtomic(Object.fromEntries(Object.entries(files).map(([name, content]) => [join(outDir, name), content])));
  // A baseline from an earlier run in the same directory would no longer match these records.
  if (!output.baseline) for (const f of ['baseline.arrow', 'baseline_children.arrow', 'baseline_fills.arrow']) rmSync(join(outDir, f), { force: true });
  if (!output.robustness) rmSync(join(outDir, 'robustness.arrow'), { force: true });
  return Object.fromEntries(Object.keys(files).map((name) => [name, join(outDir, name)]));
}
