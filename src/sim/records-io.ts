/**
 * A backtest run directory on disk (the reports read exactly these names and columns):
 *
 *   records.arrow   one row per parent:
 *     client_order_id, symbol, side ('buy'|'sell') utf8; qty, filled_qty float64;
 *     arrival_ts timestamp[µs, UTC]; arrival_bid, arrival_ask, arrival_bid_size, arrival_ask_size;
 *     avg_price (null when nothing filled); fill_step int32 (−1 none; progressive_steps = market
 *     step); time_to_fill_ms (null when none); end_ts timestamp[µs]; status utf8; reason utf8
 *     (null when filled); spread_pct_arrival; shortfall_bps; improvement_far_touch_bps — with
 *       D = +1 buy, −1 sell; M₀ = (bid₀ + ask₀)/2; P = avg_price
 *       spread_pct_arrival       = (ask₀ − bid₀)/ask₀ · 100            (ladder.ts spreadPct)
 *       shortfall_bps            = D · (P − M₀)/M₀ · 10⁴               (null when nothing filled)
 *       improvement_far_touch_bps: buy (ask₀ − P)/M₀ · 10⁴, sell (P − bid₀)/M₀ · 10⁴ — analytic,
 *                                  vs the arrival far touch (null when nothing filled)
 *   children.arrow  one row per child: client_order_id (parent), child_id, step int32,
 *     is_market_step bool, limit_price, qty, sent_ts, ack_ts, cancel_sent_ts, done_ts (nullable
 *     timestamps), status, sent_bid, sent_ask, filled_qty, reject_reason (nullable)
 *   fills.arrow     one row per fill: client_order_id, child_id, exec_id, ts, price, qty, step int32
 *   baseline.arrow  optional, records.arrow's schema: the same parents as market steps at arrival
 *   run.json        the config used, data dir, orders source, seed, counts, ladderlab version
 *
 * Every float that is NaN in memory is null on disk. Each file is written to a temp name in the
 * directory and all are renamed only once every one is complete. Same records → same bytes.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bool, float64, int32, tableFromArrays, tableToIPC, timestamp, TimeUnit, utf8 } from '@uwdata/flechette';
import { spreadPct } from '../engine/ladder.ts';
import type { ExecutionRecord } from '../engine/types.ts';

const TS = () => timestamp(TimeUnit.MICROSECOND, 'UTC');

function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The derived per-parent numbers of records.arrow (formulas in the module comment). */
export function parentMetrics(r: ExecutionRecord): { spreadPctArrival: number | null; shortfallBps: number | null; improvementFarTouchBps: number | null } {
  const mid = (r.arrivalBid + r.arrivalAsk) / 2;
  const spread = r.arrivalBid > 0 && r.arrivalAsk > 0 ? orNull(spreadPct(r.arrivalBid, r.arrivalAsk)) : null;
  if (!(r.filledQty > 0) || !Number.isFinite(r.avgPrice) || !(mid > 0)) return { spreadPctArrival: spread, shortfallBps: null, improvementFarTouchBps: null };
  const d = r.side === 'buy' ? 1 : -1;
  const shortfall = (d * (r.avgPrice - mid) / mid) * 1e4;
  const improvement = ((r.side === 'buy' ? r.arrivalAsk - r.avgPrice : r.avgPrice - r.arrivalBid) / mid) * 1e4;
  return { spreadPctArrival: spread, shortfallBps: shortfall, improvementFarTouchBps: improvement };
}

export function recordsToArrow(records: readonly ExecutionRecord[]): Uint8Array {
  const metrics = records.map(parentMetrics);
  const table = tableFromArrays(
    {
      client_order_id: records.map((r) => r.clientOrderId),
      symbol: records.map((r) => r.symbol),
      side: records.map((r) => r.side),
      qty: records.map((r) => r.qty),
      filled_qty: records.map((r) => r.filledQty),
      arrival_ts: records.map((r) => r.arrivalTsUs),
      arrival_bid: records.map((r) => orNull(r.arrivalBid)),
      arrival_ask: records.map((r) => orNull(r.arrivalAsk)),
      arrival_bid_size: records.map((r) => orNull(r.arrivalBidSize)),
      arrival_ask_size: records.map((r) => orNull(r.arrivalAskSize)),
      avg_price: records.map((r) => (r.filledQty > 0 ? orNull(r.avgPrice) : null)),
      fill_step: records.map((r) => r.fillStep),
      time_to_fill_ms: records.map((r) => (Number.isFinite(r.timeToFillUs) ? r.timeToFillUs / 1000 : null)),
      end_ts: records.map((r) => r.endTsUs),
      status: records.map((r) => r.status),
      reason: records.map((r) => r.reason),
      spread_pct_arrival: metrics.map((m) => m.spreadPctArrival),
      shortfall_bps: metrics.map((m) => m.shortfallBps),
      improvement_far_touch_bps: metrics.map((m) => m.improvementFarTouchBps),
    },
    {
      types: {
        client_order_id: utf8(),
        symbol: utf8(),
        side: utf8(),
        qty: float64(),
        filled_qty: float64(),
        arrival_ts: TS(),
        arrival_bid: float64(),
        arrival_ask: float64(),
        arrival_bid_size: float64(),
        arrival_ask_size: float64(),
        avg_price: float64(),
        fill_step: int32(),
        time_to_fill_ms: float64(),
        end_ts: TS(),
        status: utf8(),
        reason: utf8(),
        spread_pct_arrival: float64(),
        shortfall_bps: float64(),
        improvement_far_touch_bps: float64(),
      },
    },
  );
  return tableToIPC(table, { format: 'file' })!;
}

export function childrenToArrow(records: readonly ExecutionRecord[]): Uint8Array {
  const rows = records.flatMap((r) => r.children.map((c) => ({ parent: r.clientOrderId, c })));
  const table = tableFromArrays(
    {
      client_order_id: rows.map((x) => x.parent),
      child_id: rows.map((x) => x.c.clientOrderId),
      step: rows.map((x) => x.c.step),
      is_market_step: rows.map((x) => x.c.isMarketStep),
      limit_price: rows.map((x) => x.c.limitPrice),
      qty: rows.map((x) => x.c.qty),
      sent_ts: rows.map((x) => x.c.sentTsUs),
      ack_ts: rows.map((x) => x.c.ackTsUs),
      cancel_sent_ts: rows.map((x) => x.c.cancelSentTsUs),
      done_ts: rows.map((x) => x.c.doneTsUs),
      status: rows.map((x) => x.c.status),
      sent_bid: rows.map((x) => orNull(x.c.sentBid)),
      sent_ask: rows.map((x) => orNull(x.c.sentAsk)),
      filled_qty: rows.map((x) => x.c.filledQty),
      reject_reason: rows.map((x) => x.c.rejectReason),
    },
    {
      types: {
        client_order_id: utf8(),
        child_id: utf8(),
        step: int32(),
        is_market_step: bool(),
        limit_price: float64(),
        qty: float64(),
        sent_ts: TS(),
        ack_ts: TS(),
        cancel_sent_ts: TS(),
        done_ts: TS(),
        status: utf8(),
        sent_bid: float64(),
        sent_ask: float64(),
        filled_qty: float64(),
        reject_reason: utf8(),
      },
    },
  );
  return tableToIPC(table, { format: 'file' })!;
}

export function fillsToArrow(records: readonly ExecutionRecord[]): Uint8Array {
  const rows = records.flatMap((r) => r.children.flatMap((c) => c.fills.map((f) => ({ parent: r.clientOrderId, child: c.clientOrderId, f }))));
  const table = tableFromArrays(
    {
      client_order_id: rows.map((x) => x.parent),
      child_id: rows.map((x) => x.child),
      exec_id: rows.map((x) => x.f.execId),
      ts: rows.map((x) => x.f.tsUs),
      price: rows.map((x) => x.f.price),
      qty: rows.map((x) => x.f.qty),
      step: rows.map((x) => x.f.step),
    },
    {
      types: { client_order_id: utf8(), child_id: utf8(), exec_id: utf8(), ts: TS(), price: float64(), qty: float64(), step: int32() },
    },
  );
  return tableToIPC(table, { format: 'file' })!;
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
  if (output.baseline) files['baseline.arrow'] = recordsToArrow(output.baseline);
  const manifest = {
    ...output.manifest,
    counts: countRecords(output.records),
    ...(output.baseline ? { baselineCounts: countRecords(output.baseline) } : {}),
    files: Object.keys(files).concat('run.json'),
  };
  files['run.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
  const temps: [string, string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const final = join(outDir, name);
      const temp = `${final}.tmp-${process.pid}`;
      writeFileSync(temp, content);
      temps.push([temp, final]);
    }
    for (const [temp, final] of temps) renameSync(temp, final);
  } catch (err) {
    for (const [temp] of temps) rmSync(temp, { force: true });
    throw err;
  }
  // A baseline from an earlier run in the same directory would no longer match these records.
  if (!output.baseline) rmSync(join(outDir, 'baseline.arrow'), { force: true });
  return Object.fromEntries(Object.keys(files).map((name) => [name, join(outDir, name)]));
}
