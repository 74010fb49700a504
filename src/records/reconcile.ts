/**
 * reconcile.arrow: one row per (variant, parent) — a live parent beside its re-simulation under
 * one simulator configuration (src/fidelity/compare.ts defines every column's formula):
 *   variant utf8, client_order_id, symbol, side utf8, arrival_ts timestamp[µs, UTC],
 *   live_status, sim_status utf8, live_fill_step, sim_fill_step int32 (−1 none), step_agree bool,
 *   live_avg_price, sim_avg_price, price_diff_bps, live_ttf_ms, sim_ttf_ms, ttf_diff_ms,
 *   live_shortfall_bps, sim_shortfall_bps, shortfall_diff_bps float64 (null when undefined),
 *   children_live, children_sim, children_compared, children_agree int32
 * Written whole to a temp name and renamed; same rows → same bytes.
 */
import { bool, float64, int32, tableFromArrays, tableToIPC, timestamp, TimeUnit, utf8, type DataType } from '@uwdata/flechette';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { ArrowFile } from './arrow-file.ts';

export interface ReconcileRow {
  variant: string;
  clientOrderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  arrivalTsUs: number;
  liveStatus: string;
  simStatus: string;
  liveFillStep: number;
  simFillStep: number;
  stepAgree: boolean;
  liveAvgPrice: number;
  simAvgPrice: number;
  priceDiffBps: number;
  liveTtfMs: number;
  simTtfMs: number;
  ttfDiffMs: number;
  liveShortfallBps: number;
  simShortfallBps: number;
  shortfallDiffBps: number;
  childrenLive: number;
  childrenSim: number;
  childrenCompared: number;
  childrenAgree: number;
}

const FLOATS: [string, keyof ReconcileRow][] = [
  ['live_avg_price', 'liveAvgPrice'],
  ['sim_avg_price', 'simAvgPrice'],
  ['price_diff_bps', 'priceDiffBps'],
  ['live_ttf_ms', 'liveTtfMs'],
  ['sim_ttf_ms', 'simTtfMs'],
  ['ttf_diff_ms', 'ttfDiffMs'],
  ['live_shortfall_bps', 'liveShortfallBps'],
  ['sim_shortfall_bps', 'simShortfallBps'],
  ['shortfall_diff_bps', 'shortfallDiffBps'],
];
const INTS: [string, keyof ReconcileRow][] = [
  ['live_fill_step', 'liveFillStep'],
  ['sim_fill_step', 'simFillStep'],
  ['children_live', 'childrenLive'],
  ['children_sim', 'childrenSim'],
  ['children_compared', 'childrenCompared'],
  ['children_agree', 'childrenAgree'],
];

export function reconcileToArrow(rows: readonly ReconcileRow[]): Uint8Array {
  const columns: Record<string, unknown[]> = {
    variant: rows.map((r) => r.variant),
    client_order_id: rows.map((r) => r.clientOrderId),
    symbol: rows.map((r) => r.symbol),
    side: rows.map((r) => r.side),
    // flechette takes timestamps as epoch ms numbers; µs / 1000 is exact to the µs for these magnitudes
    arrival_ts: rows.map((r) => r.arrivalTsUs / 1000),
    live_status: rows.map((r) => r.liveStatus),
    sim_status: rows.map((r) => r.simStatus),
    step_agree: rows.map((r) => r.stepAgree),
  };
  const types: Record<string, DataType> = {
    variant: utf8(),
    client_order_id: utf8(),
    symbol: utf8(),
    side: utf8(),
    arrival_ts: timestamp(TimeUnit.MICROSECOND, 'UTC'),
    live_status: utf8(),
    sim_status: utf8(),
    step_agree: bool(),
  };
  for (const [name, key] of INTS) {
    columns[name] = rows.map((r) => r[key]);
    types[name] = int32();
  }
  for (const [name, key] of FLOATS) {
    columns[name] = rows.map((r) => (Number.isFinite(r[key] as number) ? r[key] : null));
    types[name] = float64();
  }
  return tableToIPC(tableFromArrays(columns, { types }), { format: 'file' })!;
}

export function writeReconcileArrow(path: string, rows: readonly ReconcileRow[]): void {
  writeFileAtomic(path, reconcileToArrow(rows));
}

/** reconcile.arrow back into rows (tests, and anyone re-reading a reconcile). */
export function readReconcileArrow(path: string): ReconcileRow[] {
  const f = new ArrowFile(path);
  const str = (name: string) => f.requiredStrings(name);
  const variant = str('variant');
  const ids = str('client_order_id');
  const symbols = str('symbol');
  const sides = f.strings('side');
  const arrival = f.requiredNumbers('arrival_ts');
  const liveStatus = str('live_status');
  const simStatus = str('sim_status');
  const agree = f.booleans('step_agree');
  const ints = Object.fromEntries(INTS.map(([name, key]) => [key, f.requiredNumbers(name)]));
  const floats = Object.fromEntries(FLOATS.map(([name, key]) => [key, f.numbers(name)]));
  const out: ReconcileRow[] = [];
  for (let i = 0; i < f.rows; i++) {
    const row = {
      variant: variant[i],
      clientOrderId: ids[i],
      symbol: symbols[i],
      side: f.enumAt('side', sides, i, ['buy', 'sell'] as const),
      arrivalTsUs: arrival[i],
      liveStatus: liveStatus[i],
      simStatus: simStatus[i],
      stepAgree: agree[i],
    } as Record<string, unknown>;
    for (const [, key] of INTS) row[key] = ints[key][i];
    for (const [, key] of FLOATS) row[key] = floats[key][i];
    out.push(row as unknown as ReconcileRow);
  }
  return out;
}
