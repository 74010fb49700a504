/**
 * sweep.arrow: one row per cell — cell_index, cell_id, one column per grid key (float64, bool or
 * utf8 after its values), then the metrics of sweep/analysis.ts (NaN → null):
 * parents, fill_rate, shortfall_bps, vs_far_touch_bps, median_ttf_s, p90_ttf_s, diff_even_bps,
 * diff_odd_bps, diff_odd_lo_bps, diff_odd_hi_bps, shortfall_odd_bps, median_ttf_odd_s, rank, pareto;
 * then market_step_share and, per side (buy, sell), diff_odd_<side>_bps, shortfall_odd_<side>_bps,
 * p90_ttf_<side>_s, fill_rate_<side>, market_step_share_<side> (appended: the columns before are
 * unchanged).
 */
import { bool, float64, int32, tableFromArrays, tableToIPC, utf8, type DataType } from '@uwdata/flechette';

/** One grid key and the values it takes (the sweep's GridAxis, structurally). */
export interface SweepAxis {
  key: string;
  values: readonly unknown[];
}

/** One cell's row of sweep.arrow, as the sweep analysis computes it. */
export interface SweepRow {
  index: number;
  id: string;
  assignments: Record<string, string | number | boolean>;
  parents: number;
  fillRate: number;
  shortfallBps: number;
  /** Mean cost vs the arrival far touch, D·(P − F₀)/M₀ (positive = paid more than the touch). */
  vsFarTouchBps: number;
  medianTimeToFillS: number;
  p90TimeToFillS: number;
  /** Mean paired difference vs the baseline on even parents (ranking set). */
  diffEvenBps: number;
  /** Mean paired difference vs the baseline on odd parents (reporting set) and its 95 % interval. */
  diffOddBps: number;
  diffOddLoBps: number;
  diffOddHiBps: number;
  /** Shortfall and median time to fill on odd parents. */
  shortfallOddBps: number;
  medianTimeToFillOddS: number;
  /** 1 = best on the even parents. */
  rank: number;
  pareto: boolean;
  /** Share of completely filled parents whose last fill came at the market step (NaN: unknown). */
  marketStepShare: number;
  /** The same figures for the buy and the sell parents alone (side-specific grid keys). */
  bySide: Record<'buy' | 'sell', SideFigures>;
}

/** One side's figures of a cell (point estimates): Δ and shortfall on the odd parents, p90 time to fill, fill rate, market-step share. */
export interface SideFigures {
  diffOddBps: number;
  shortfallOddBps: number;
  p90TimeToFillS: number;
  fillRate: number;
  marketStepShare: number;
}

export function sweepToArrow(rows: readonly SweepRow[], axes: readonly SweepAxis[]): Uint8Array {
  const n = (x: number) => (Number.isFinite(x) ? x : null);
  const columns: Record<string, unknown[]> = {
    cell_index: rows.map((r) => r.index),
    cell_id: rows.map((r) => r.id),
  };
  const types: Record<string, DataType> = { cell_index: int32(), cell_id: utf8() };
  for (const axis of axes) {
    const kind = axis.values.every((v) => typeof v === 'number') ? float64() : axis.values.every((v) => typeof v === 'boolean') ? bool() : utf8();
    columns[axis.key] = rows.map((r) => (kind.typeId === utf8().typeId ? String(r.assignments[axis.key]) : r.assignments[axis.key]));
    types[axis.key] = kind;
  }
  const metrics: [string, (r: SweepRow) => number][] = [
    ['parents', (r) => r.parents],
    ['fill_rate', (r) => r.fillRate],
    ['shortfall_bps', (r) => r.shortfallBps],
    ['vs_far_touch_bps', (r) => r.vsFarTouchBps],
    ['median_ttf_s', (r) => r.medianTimeToFillS],
    ['p90_ttf_s', (r) => r.p90TimeToFillS],
    ['diff_even_bps', (r) => r.diffEvenBps],
    ['diff_odd_bps', (r) => r.diffOddBps],
    ['diff_odd_lo_bps', (r) => r.diffOddLoBps],
    ['diff_odd_hi_bps', (r) => r.diffOddHiBps],
    ['shortfall_odd_bps', (r) => r.shortfallOddBps],
    ['median_ttf_odd_s', (r) => r.medianTimeToFillOddS],
  ];
  for (const [name, get] of metrics) {
    columns[name] = rows.map((r) => n(get(r)));
    types[name] = float64();
  }
  columns.rank = rows.map((r) => r.rank);
  types.rank = int32();
  columns.pareto = rows.map((r) => r.pareto);
  types.pareto = bool();
  const appended: [string, (r: SweepRow) => number][] = [['market_step_share', (r) => r.marketStepShare]];
  for (const side of ['buy', 'sell'] as const) {
    appended.push(
      [`diff_odd_${side}_bps`, (r) => r.bySide[side].diffOddBps],
      [`shortfall_odd_${side}_bps`, (r) => r.bySide[side].shortfallOddBps],
      [`p90_ttf_${side}_s`, (r) => r.bySide[side].p90TimeToFillS],
      [`fill_rate_${side}`, (r) => r.bySide[side].fillRate],
      [`market_step_share_${side}`, (r) => r.bySide[side].marketStepShare],
    );
  }
  for (const [name, get] of appended) {
    columns[name] = rows.map((r) => n(get(r)));
    types[name] = float64();
  }
  return tableToIPC(tableFromArrays(columns, { types }), { format: 'file' })!;
}
